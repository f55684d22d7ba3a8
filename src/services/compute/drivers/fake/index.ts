import type { NovaConfig } from '../../../../config/index.js'
import { FakeDriver } from './fake-driver.js'

export { FAKE_CAPABILITIES, FakeDriver, type FakeDriverOptions, type FakeOperation } from './fake-driver.js'

/** A FakeDriver from `[fake_driver]`. */
export function fakeDriverFromConfig(config: NovaConfig): FakeDriver {
  const f = config.fake_driver
  return new FakeDriver({
    vcpus: f.vcpus,
    memoryMb: f.memory_mb,
    localGb: f.local_gb,
    spawnDelayMs: f.spawn_delay_ms,
    snapshotDelayMs: f.snapshot_delay_ms,
    failSpawns: f.fail_spawns,
    liveMigrationDurationMs: f.live_migration_duration_ms,
    ...(f.instances_path === undefined ? {} : { instancesPath: f.instances_path }),
    ...(f.nodename === undefined ? {} : { nodename: f.nodename }),
    ...(f.fail_spawn_name_pattern === undefined
      ? {}
      : { failSpawnPattern: new RegExp(f.fail_spawn_name_pattern) }),
  })
}
