import { boolOpt, intOpt, strOpt } from '../opt.js'

/** `[quota]`: default per-project limits and the quota driver. */
export const quota = {
  driver: strOpt({
    default: 'nova.quota.DbQuotaDriver',
    choices: ['nova.quota.DbQuotaDriver', 'nova.quota.NoopQuotaDriver', 'nova.quota.UnifiedLimitsDriver'],
    help: 'How quotas are enforced.',
  }),
  instances: intOpt({
    default: 10,
    min: -1,
    deprecated: [{ section: 'DEFAULT', name: 'quota_instances' }],
    help: 'Instances per project (-1: unlimited).',
  }),
  cores: intOpt({
    default: 20,
    min: -1,
    deprecated: [{ section: 'DEFAULT', name: 'quota_cores' }],
    help: 'vCPUs per project.',
  }),
  ram: intOpt({
    default: 51200,
    min: -1,
    deprecated: [{ section: 'DEFAULT', name: 'quota_ram' }],
    help: 'RAM (MiB) per project.',
  }),
  metadata_items: intOpt({
    default: 128,
    min: -1,
    deprecated: [{ section: 'DEFAULT', name: 'quota_metadata_items' }],
    help: 'Metadata items per instance.',
  }),
  injected_files: intOpt({
    default: 5,
    min: -1,
    deprecated: [{ section: 'DEFAULT', name: 'quota_injected_files' }],
    help: 'Injected files per instance.',
  }),
  injected_file_content_bytes: intOpt({
    default: 10240,
    min: -1,
    deprecated: [{ section: 'DEFAULT', name: 'quota_injected_file_content_bytes' }],
    help: 'Bytes per injected file.',
  }),
  injected_file_path_length: intOpt({
    default: 255,
    min: -1,
    deprecated: [{ section: 'DEFAULT', name: 'quota_injected_file_path_length' }],
    help: 'Length of an injected file path.',
  }),
  key_pairs: intOpt({
    default: 100,
    min: -1,
    deprecated: [{ section: 'DEFAULT', name: 'quota_key_pairs' }],
    help: 'Key pairs per user.',
  }),
  server_groups: intOpt({
    default: 10,
    min: -1,
    deprecated: [{ section: 'DEFAULT', name: 'quota_server_groups' }],
    help: 'Server groups per project.',
  }),
  server_group_members: intOpt({
    default: 10,
    min: -1,
    deprecated: [{ section: 'DEFAULT', name: 'quota_server_group_members' }],
    help: 'Servers per server group.',
  }),
  recheck_quota: boolOpt({
    default: true,
    help: 'Check quota again after creating resources, to catch races.',
  }),
  count_usage_from_placement: boolOpt({
    default: false,
    help: 'Count cores and RAM usage from placement allocations.',
  }),
} as const
