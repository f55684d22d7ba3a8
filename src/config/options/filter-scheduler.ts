import { boolOpt, floatOpt, intOpt, listOpt, multiOpt, strOpt } from '../opt.js'

/** CPU architectures Nova knows (nova.objects.fields.Architecture). */
export const ARCHITECTURES = [
  'alpha',
  'armv6',
  'armv7l',
  'armv7b',
  'aarch64',
  'cris',
  'i686',
  'ia64',
  'lm32',
  'm68k',
  'microblaze',
  'microblazeel',
  'mips',
  'mipsel',
  'mips64',
  'mips64el',
  'openrisc',
  'parisc',
  'parisc64',
  'ppc',
  'ppcle',
  'ppc64',
  'ppc64le',
  'ppcemb',
  's390',
  's390x',
  'sh4',
  'sh4eb',
  'sparc',
  'sparc64',
  'unicore32',
  'x86_64',
  'xtensa',
  'xtensaeb',
] as const

/** `[filter_scheduler]`: the filters and weighers that pick a host. */
export const filter_scheduler = {
  host_subset_size: intOpt({ default: 1, min: 1, help: 'Pick randomly among this many best-weighed hosts.' }),
  max_io_ops_per_host: intOpt({
    default: 8,
    min: 0,
    help: 'IoOpsFilter: concurrent I/O-heavy operations allowed per host.',
  }),
  max_instances_per_host: intOpt({
    default: 50,
    min: 1,
    help: 'NumInstancesFilter: instances allowed per host.',
  }),
  track_instance_changes: boolOpt({
    default: true,
    help: 'Computes tell the scheduler about their instances.',
  }),
  available_filters: multiOpt({
    default: ['nova.scheduler.filters.all_filters'],
    help: 'Filters the scheduler may use (repeatable).',
  }),
  enabled_filters: listOpt({
    default: [
      'ComputeFilter',
      'ComputeCapabilitiesFilter',
      'ImagePropertiesFilter',
      'ServerGroupAntiAffinityFilter',
      'ServerGroupAffinityFilter',
    ],
    help: 'Filters applied to candidate hosts, in order.',
  }),
  weight_classes: listOpt({
    default: ['nova.scheduler.weights.all_weighers'],
    help: 'Weighers used to rank hosts.',
  }),
  ram_weight_multiplier: floatOpt({
    default: 1.0,
    help: 'Weight of free RAM; negative stacks instead of spreading.',
  }),
  cpu_weight_multiplier: floatOpt({ default: 1.0, help: 'Weight of free vCPUs.' }),
  disk_weight_multiplier: floatOpt({ default: 1.0, help: 'Weight of free disk.' }),
  hypervisor_version_weight_multiplier: floatOpt({
    default: 1.0,
    help: 'Weight of the hypervisor version; positive prefers newer hosts, negative older ones.',
  }),
  num_instances_weight_multiplier: floatOpt({
    default: 0.0,
    help: 'Weight of the number of instances on a host; negative prefers emptier hosts.',
  }),
  io_ops_weight_multiplier: floatOpt({ default: -1.0, help: 'Weight of the I/O operations in progress.' }),
  image_props_weight_multiplier: floatOpt({
    default: 0.0,
    help: 'Weight of the image properties shared with the instances already on a host; 0 disables the weigher.',
  }),
  image_props_weight_setting: listOpt({
    help: 'name=ratio pairs weighing single image properties (ImagePropertiesWeigher); empty weighs all evenly.',
  }),
  pci_weight_multiplier: floatOpt({
    default: 1.0,
    min: 0.0,
    help: 'Weight keeping hosts with free PCI devices for instances that ask for them.',
  }),
  build_failure_weight_multiplier: floatOpt({
    default: 1000000.0,
    help: 'Penalty per recent build failure of a host.',
  }),
  soft_affinity_weight_multiplier: floatOpt({
    default: 1.0,
    min: 0,
    help: 'Weight for soft-affinity server groups.',
  }),
  soft_anti_affinity_weight_multiplier: floatOpt({
    default: 1.0,
    min: 0,
    help: 'Weight for soft-anti-affinity server groups.',
  }),
  cross_cell_move_weight_multiplier: floatOpt({
    default: 1000000.0,
    help: 'Preference for hosts in the cell of the instance during a cross-cell move; negative prefers other cells.',
  }),
  shuffle_best_same_weighed_hosts: boolOpt({
    default: false,
    help: 'Shuffle hosts with the same best weight.',
  }),
  image_properties_default_architecture: strOpt({
    choices: ARCHITECTURES,
    help: 'ImagePropertiesFilter: architecture assumed for images without hw_architecture.',
  }),
  isolated_images: listOpt({ help: 'Images only allowed on isolated_hosts.' }),
  isolated_hosts: listOpt({ help: 'Hosts reserved for isolated_images.' }),
  restrict_isolated_hosts_to_isolated_images: boolOpt({
    default: true,
    help: 'IsolatedHostsFilter: isolated_hosts run nothing but isolated_images.',
  }),
  aggregate_image_properties_isolation_namespace: strOpt({
    deprecatedForRemoval: 'Filtering on arbitrary image metadata properties is no longer supported.',
    help: 'Image property namespace matched against aggregate metadata by AggregateImagePropertiesIsolation.',
  }),
  aggregate_image_properties_isolation_separator: strOpt({
    default: '.',
    deprecatedForRemoval: 'Filtering on arbitrary image metadata properties is no longer supported.',
    help: 'Separator between the namespace and the property name for AggregateImagePropertiesIsolation.',
  }),
  pci_in_placement: boolOpt({
    default: false,
    help: 'Schedule and claim PCI devices in placement (after [pci]report_in_placement on every compute).',
  }),
} as const
