import { boolOpt, floatOpt, intOpt, listOpt, multiOpt } from '../opt.js'

export const scheduler = {
  max_attempts: intOpt({
    default: 3,
    min: 1,
    help: 'Hosts tried for one instance build (first choice plus alternates).',
  }),
  discover_hosts_in_cells_interval: intOpt({
    default: -1,
    min: -1,
    help: 'Seconds between automatic discovery of new compute hosts; -1 disables.',
  }),
  max_placement_results: intOpt({
    default: 1000,
    min: 1,
    help: 'Allocation candidates asked of placement per request.',
  }),
  workers: intOpt({ min: 0, help: 'Worker processes of nova-scheduler.' }),
  query_placement_for_routed_network_aggregates: boolOpt({
    default: false,
    help: 'Ask placement for hosts on the segments of requested routed networks.',
  }),
  limit_tenants_to_placement_aggregate: boolOpt({
    default: false,
    help: 'Restrict projects to aggregates tagged filter_tenant_id.',
  }),
  placement_aggregate_required_for_tenants: boolOpt({
    default: false,
    help: 'Projects without an aggregate may not boot anywhere.',
  }),
  query_placement_for_image_type_support: boolOpt({
    default: false,
    help: 'Only pick hosts whose driver supports the image disk format.',
  }),
  enable_isolated_aggregate_filtering: boolOpt({
    default: false,
    help: 'Keep instances off aggregates whose required traits they do not ask for.',
  }),
  image_metadata_prefilter: boolOpt({
    default: false,
    help: 'Translate image properties to required traits.',
  }),
} as const

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
  aggregate_image_properties_isolation_namespace: listOpt({
    help: 'Image property namespace matched against aggregate metadata.',
  }),
} as const
