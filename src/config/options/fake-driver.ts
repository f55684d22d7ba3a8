import { intOpt, strOpt } from '../opt.js'

/**
 * `[fake_driver]`: the in-memory hypervisor of `compute_driver = fake.FakeDriver` (nova-ts only; Nova's fake
 * driver hard-codes these). Capacity, a spawn delay and failure injection, for tests and scale runs.
 */
export const fake_driver = {
  vcpus: intOpt({ default: 1000, min: 1, help: 'Virtual CPUs the fake hypervisor reports.' }),
  memory_mb: intOpt({ default: 800000, min: 1, help: 'Memory (MiB) the fake hypervisor reports.' }),
  local_gb: intOpt({ default: 600000, min: 0, help: 'Local disk (GiB) the fake hypervisor reports.' }),
  nodename: strOpt({
    help: 'Hypervisor hostname (compute node name) of the fake hypervisor (default: [DEFAULT] host).',
  }),
  spawn_delay_ms: intOpt({
    default: 0,
    min: 0,
    help: 'Milliseconds a spawn takes before the guest runs.',
  }),
  snapshot_delay_ms: intOpt({
    default: 0,
    min: 0,
    help: 'Milliseconds a snapshot (createImage, backup, shelve) spends uploading.',
  }),
  live_migration_duration_ms: intOpt({
    default: 0,
    min: 0,
    help: 'Milliseconds a live migration transfer takes (progress is reported every 20 ms of it).',
  }),
  instances_path: strOpt({
    help: 'Label of the fake instances path: hosts with the same label share storage for live migration (default: one per host).',
  }),
  fail_spawns: intOpt({
    default: 0,
    min: 0,
    help: 'Failure injection: the first N spawns after start fail.',
  }),
  fail_spawn_name_pattern: strOpt({
    help: 'Failure injection: spawns of instances whose name or display name matches this regular expression fail.',
  }),
} as const
