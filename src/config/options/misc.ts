import { boolOpt, hostOpt, intOpt, listOpt, multiOpt, portOpt, strOpt, uriOpt } from '../opt.js'

export const api = {
  auth_strategy: strOpt({
    default: 'keystone',
    choices: ['keystone', 'noauth2'],
    help: 'How API requests are authenticated.',
  }),
  max_limit: intOpt({ default: 1000, min: 0, help: 'Most items one list response returns.' }),
  compute_link_prefix: uriOpt({
    help: 'Base URL put in compute API links instead of the request host (behind a proxy).',
  }),
  glance_link_prefix: uriOpt({ help: 'Base URL put in image links.' }),
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
} as const

export const conductor = {
  workers: intOpt({ min: 1, help: 'Worker processes of nova-conductor.' }),
} as const

export const vnc = {
  enabled: boolOpt({ default: true, help: 'Give instances a VNC console.' }),
  server_listen: hostOpt({ default: '127.0.0.1', help: 'Address the guest VNC servers listen on.' }),
  server_proxyclient_address: hostOpt({
    default: '127.0.0.1',
    help: 'Address the console proxy uses to reach guest VNC servers on this host.',
  }),
  novncproxy_base_url: uriOpt({
    default: 'http://127.0.0.1:6080/vnc_auto.html',
    help: 'Public URL of the noVNC console page.',
  }),
  novncproxy_host: strOpt({ default: '0.0.0.0', help: 'Address nova-novncproxy listens on.' }),
  novncproxy_port: portOpt({ default: 6080, help: 'Port nova-novncproxy listens on.' }),
} as const

export const libvirt = {
  virt_type: strOpt({
    default: 'kvm',
    choices: ['kvm', 'lxc', 'qemu', 'parallels', 'auto'],
    help: 'Accelerator of the QEMU driver: kvm, qemu (software emulation), or auto (kvm when usable, else qemu).',
  }),
  images_type: strOpt({
    default: 'default',
    choices: ['raw', 'flat', 'qcow2', 'lvm', 'rbd', 'ploop', 'default'],
    help: 'Disk image format of instances.',
  }),
  cpu_mode: strOpt({
    choices: ['host-model', 'host-passthrough', 'custom', 'none'],
    help: 'CPU model given to guests.',
  }),
} as const

export const oslo_messaging_rabbit = {
  heartbeat_timeout_threshold: intOpt({
    default: 60,
    min: 0,
    help: 'Seconds without broker traffic before the connection counts as dead; 0 disables heartbeats.',
  }),
  rabbit_retry_interval: intOpt({
    default: 1,
    min: 0,
    help: 'Seconds before the first reconnection attempt.',
  }),
  rabbit_retry_backoff: intOpt({
    default: 2,
    min: 0,
    help: 'Seconds added to the wait after each failed reconnection.',
  }),
  rabbit_interval_max: intOpt({ default: 30, min: 1, help: 'Longest wait between reconnection attempts.' }),
  amqp_durable_queues: boolOpt({ default: false, help: 'Declare durable queues.' }),
  amqp_auto_delete: boolOpt({ default: false, help: 'Declare auto-deleted queues and exchanges.' }),
  rabbit_ha_queues: boolOpt({ default: false, help: 'Mirror queues (classic HA).' }),
  rabbit_quorum_queue: boolOpt({ default: false, help: 'Use quorum queues.' }),
  ssl: boolOpt({ default: false, help: 'Connect with TLS.' }),
} as const

export const oslo_messaging_notifications = {
  driver: multiOpt({
    help: 'Notification drivers: messagingv2 sends them on the bus; noop or none disables.',
  }),
  topics: listOpt({ default: ['notifications'], help: 'Topics for legacy notifications.' }),
  transport_url: strOpt({
    secret: true,
    help: 'Separate bus for notifications (default: [DEFAULT] transport_url).',
  }),
} as const

export const notifications = {
  notification_format: strOpt({
    default: 'unversioned',
    choices: ['both', 'versioned', 'unversioned'],
    help: 'Which notification format to emit.',
  }),
  notify_on_state_change: strOpt({
    choices: ['vm_state', 'vm_and_task_state'],
    help: 'Emit instance.update on these state changes.',
  }),
  versioned_notifications_topics: listOpt({
    default: ['versioned_notifications'],
    help: 'Topics versioned notifications are sent to.',
  }),
  default_level: strOpt({
    default: 'INFO',
    choices: ['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'],
    help: 'Priority of notifications that name none.',
  }),
} as const

export const quota = {
  driver: strOpt({
    default: 'nova.quota.DbQuotaDriver',
    choices: ['nova.quota.DbQuotaDriver', 'nova.quota.NoopQuotaDriver', 'nova.quota.UnifiedLimitsDriver'],
    help: 'How quotas are enforced.',
  }),
  instances: intOpt({ default: 10, min: -1, help: 'Instances per project (-1: unlimited).' }),
  cores: intOpt({ default: 20, min: -1, help: 'vCPUs per project.' }),
  ram: intOpt({ default: 51200, min: -1, help: 'RAM (MiB) per project.' }),
  metadata_items: intOpt({ default: 128, min: -1, help: 'Metadata items per instance.' }),
  injected_files: intOpt({ default: 5, min: -1, help: 'Injected files per instance.' }),
  injected_file_content_bytes: intOpt({ default: 10240, min: -1, help: 'Bytes per injected file.' }),
  injected_file_path_length: intOpt({ default: 255, min: -1, help: 'Length of an injected file path.' }),
  key_pairs: intOpt({ default: 100, min: -1, help: 'Key pairs per user.' }),
  server_groups: intOpt({ default: 10, min: -1, help: 'Server groups per project.' }),
  server_group_members: intOpt({ default: 10, min: -1, help: 'Servers per server group.' }),
  recheck_quota: boolOpt({
    default: true,
    help: 'Check quota again after creating resources, to catch races.',
  }),
  count_usage_from_placement: boolOpt({
    default: false,
    help: 'Count cores and RAM usage from placement allocations.',
  }),
} as const

export const wsgi = {
  api_paste_config: strOpt({
    default: 'api-paste.ini',
    help: 'Accepted for compatibility; nova-ts has no paste pipeline.',
  }),
  keep_alive: boolOpt({ default: true, help: 'Keep HTTP connections alive.' }),
  client_socket_timeout: intOpt({
    default: 900,
    min: 0,
    help: 'Seconds an idle client connection is kept; 0 waits forever.',
  }),
  default_pool_size: intOpt({ default: 1000, min: 1, help: 'Concurrent requests per API worker.' }),
} as const

export const pci = {
  device_spec: multiOpt({ help: 'PCI devices this compute may give to instances (JSON, repeatable).' }),
  alias: multiOpt({ help: 'PCI device aliases flavors may request (JSON, repeatable).' }),
} as const

export const upgrade_levels = {
  compute: strOpt({ help: 'RPC version cap for messages to nova-compute (X.Y or auto).' }),
  conductor: strOpt({ help: 'RPC version cap for messages to nova-conductor.' }),
  scheduler: strOpt({ help: 'RPC version cap for messages to nova-scheduler.' }),
} as const

export const cors = {
  allowed_origin: listOpt({ help: 'Origins allowed to make cross-site requests to the APIs.' }),
} as const
