import { systemClock } from '../../src/common/clock.js'
import { silentLogger } from '../../src/common/logger.js'
import type { MessageBus } from '../../src/bus/index.js'
import {
  createComputeNodesRepository,
  createServicesRepository,
  openDatabase,
  syncSchema,
  type Database,
  type ServicesRepository,
} from '../../src/db/index.js'
import { DatabaseServiceRegistry } from '../../src/service/database-service-registry.js'
import type { Service } from '../../src/service/service.js'
import { ConductorClient } from '../../src/services/conductor/client.js'
import { createConductorService } from '../../src/services/conductor/index.js'
import type { Backend } from '../support/backends.js'
import { openTestBus } from '../support/test-bus.js'
import { withTestDatabase } from '../support/test-database.js'

export interface ConductorHarness {
  readonly db: Database<unknown>
  readonly bus: MessageBus
  readonly services: ServicesRepository
  /** A client as nova-compute holds it. */
  readonly client: ConductorClient
  close(): Promise<void>
}

/**
 * A real nova-conductor on a fresh main database of `database` and a bus of `bus` (its own exchange), with the
 * client a nova-compute uses. close() stops it and drops the database.
 */
export async function conductorHarness(database: Backend, bus: Backend): Promise<ConductorHarness> {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let ready!: (h: Omit<ConductorHarness, 'close'>) => void
  const readyP = new Promise<Omit<ConductorHarness, 'close'>>((resolve) => (ready = resolve))
  const running = withTestDatabase(database, async (url) => {
    const db = await openDatabase<unknown>(url)
    let messageBus: MessageBus | undefined
    let conductor: Service | undefined
    try {
      await syncSchema(db, 'main')
      messageBus = await openTestBus(bus)
      const services = createServicesRepository(db)
      conductor = createConductorService({
        host: 'conductor-host',
        bus: messageBus,
        services,
        computeNodes: createComputeNodesRepository(db),
        clock: systemClock,
        registry: new DatabaseServiceRegistry(services, systemClock),
        reportIntervalS: 60,
        serviceVersion: 1,
        logger: silentLogger(),
      })
      await conductor.start()
      ready({
        db,
        bus: messageBus,
        services,
        client: new ConductorClient({ bus: messageBus, timeoutMs: 10_000 }),
      })
      await released
    } finally {
      await conductor?.stop(1000)
      await messageBus?.close()
      await db.close()
    }
  })
  const harness = await Promise.race([
    readyP,
    running.then(() => Promise.reject(new Error('harness ended early'))),
  ])
  return {
    ...harness,
    async close() {
      release()
      await running
    },
  }
}
