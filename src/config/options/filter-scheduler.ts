import { boolOpt, floatOpt, intOpt, listOpt, multiOpt, strOpt } from '../opt.js'

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
  io_ops_weight_multiplier: floatOpt({ default: -1.0, help: 'Weight of the I/O operations in progress.' }),
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
  shuffle_best_same_weighed_hosts: boolOpt({
    default: false,
    help: 'Shuffle hosts with the same best weight.',
  }),
  isolated_images: listOpt({ help: 'Images only allowed on isolated_hosts.' }),
  isolated_hosts: listOpt({ help: 'Hosts reserved for isolated_images.' }),
  aggregate_image_properties_isolation_namespace: strOpt({
    deprecatedForRemoval: 'Filtering on arbitrary image metadata properties is no longer supported.',
    help: 'Image property namespace matched against aggregate metadata by AggregateImagePropertiesIsolation.',
  }),
} as const
