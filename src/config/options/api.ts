import { boolOpt, intOpt, strOpt } from '../opt.js'

/** `[api]`: behaviour of the compute REST API. */
export const api = {
  auth_strategy: strOpt({
    default: 'keystone',
    choices: ['keystone', 'noauth2'],
    help: 'How API requests are authenticated.',
  }),
  max_limit: intOpt({ default: 1000, min: 0, help: 'Most items one list response returns.' }),
  compute_link_prefix: strOpt({
    help: 'Base URL put in compute API links instead of the request host (behind a proxy).',
  }),
  glance_link_prefix: strOpt({ help: 'Base URL put in image links.' }),
  instance_list_per_project_cells: boolOpt({
    default: false,
    help: 'Only query the cells a project has instances in.',
  }),
  list_records_by_skipping_down_cells: boolOpt({
    default: true,
    help: 'Leave unreachable cells out of lists instead of failing.',
  }),
  use_neutron_default_nets: boolOpt({
    default: false,
    help: 'Give instances with no networks requested the default network.',
  }),
  dhcp_domain: strOpt({
    default: 'novalocal',
    help: 'Domain appended to instance hostnames in their metadata; empty for bare hostnames.',
  }),
  config_drive_skip_versions: strOpt({
    default: '1.0 2007-01-19 2007-03-01 2007-08-29 2007-10-10 2007-12-15 2008-02-01 2008-09-01',
    help: 'Space-separated EC2 metadata versions left off config drives.',
  }),
} as const
