import { boolOpt, intOpt } from '../opt.js'

/** `[scheduler]`: nova-scheduler and its placement queries. */
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
  allocation_audit_interval: intOpt({
    default: 600,
    min: -1,
    help:
      'Seconds between allocation audits by nova-scheduler (nova-ts): orphaned allocations are deleted and ' +
      'instances without allocations healed, as `nova-manage placement audit --delete` does; -1 disables.',
  }),
  workers: intOpt({ min: 0, help: 'Worker processes of nova-scheduler.' }),
  query_placement_for_availability_zone: boolOpt({
    default: true,
    deprecatedForRemoval: 'Placement is always asked for the requested availability zone.',
    help: 'Ask placement for hosts in the requested availability zone instead of filtering afterwards.',
  }),
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
