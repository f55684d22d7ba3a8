// The build cloud with what the move actions need: the conductor's migrations, computes with the image service.
import { createServicesRepository } from '../../src/db/index.js'
import { createMovesRepository } from '../../src/db/repositories/migrations.js'
import { createComputeService, resourceTrackerSettings } from '../../src/services/compute/index.js'
import { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import type { ConductorBuildDeps } from '../../src/services/conductor/conductor-deps.js'
import { PlacementClient } from '../../src/services/placement/client.js'
import { startBuildCloud, type BuildCloud } from './build-harness.js'

export interface MoveCloudOptions {
  /** Fake computes (default cmp-1 and cmp-2). */
  readonly computes?: readonly string[]
  /** `[DEFAULT]` overrides (allow_resize_to_same_host, shelved_offload_time, …). */
  readonly defaults?: Readonly<Record<string, string>>
  /** Enforce quotas with these `[quota]` defaults (default: not enforced). */
  readonly quota?: Readonly<Record<string, number>>
  /** Serve the admin resources too (os-migrations, server migrations). */
  readonly admin?: boolean
  /** The cell database's URL (default: SQLite). */
  readonly mainUrl?: string
}

/** A build cloud whose conductor serves the moves and whose computes upload snapshots to its image service. */
export async function startMoveCloud(options: MoveCloudOptions = {}): Promise<BuildCloud> {
  const cloud = await startBuildCloud({
    computes: [],
    ...(options.admin === undefined ? {} : { admin: options.admin }),
    ...(options.mainUrl === undefined ? {} : { mainUrl: options.mainUrl }),
    config: { DEFAULT: { ...options.defaults } },
    servers: (c) => ({
      moves: createMovesRepository(c.mainDb),
      allowResizeToSameHost: c.config.DEFAULT.allow_resize_to_same_host,
      services: createServicesRepository(c.mainDb),
      serviceDownTimeS: 60,
      imageWriter: (token: string) => c.images(token),
      imageLinkBase: c.imageUrl,
      ...(options.quota === undefined ? {} : { quota: { mainDb: c.mainDb, defaults: options.quota } }),
    }),
  })
  // The harness's conductor reads its build dependencies on each call: give it the migrations.
  ;(cloud.conductorBuild as { moves?: ConductorBuildDeps['moves'] }).moves = createMovesRepository(
    cloud.mainDb,
  )
  for (const host of options.computes ?? ['cmp-1', 'cmp-2']) {
    const driver = new FakeDriver({ nodename: host, vcpus: 16, memoryMb: 16384, localGb: 400 })
    const compute = createComputeService({
      bus: cloud.bus,
      reportIntervalS: 60,
      serviceVersion: 1,
      logger: cloud.logger,
      host,
      conductor: cloud.conductorClient,
      driver,
      placement: new PlacementClient(cloud.placement!.transport),
      resources: {
        ...resourceTrackerSettings(cloud.config),
        reservedHostMemoryMb: 0,
        reservedHostDiskMb: 0,
      },
      updateResourcesIntervalS: -1,
      images: cloud.images('ADMIN'),
      shelvedOffloadTimeS: cloud.config.DEFAULT.shelved_offload_time,
    })
    cloud.drivers.set(host, driver)
    cloud.computes.set(host, compute)
    await compute.start()
  }
  return cloud
}
