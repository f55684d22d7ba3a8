import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { silentLogger } from '../../src/common/logger.js'
import { loadConfig } from '../../src/config/index.js'
import {
  createServicesRepository,
  databaseUrls,
  isServiceUp,
  openDatabase,
  type ServiceRecord,
} from '../../src/db/index.js'
import { buildProcess } from '../../src/process/build-process.js'
import type { Daemon } from '../../src/process/binaries.js'
import { busBackends } from '../support/backends.js'
import { uniqueName } from '../support/test-bus.js'

const dir = mkdtempSync(path.join(tmpdir(), 'nova-life-'))
after(() => rmSync(dir, { recursive: true, force: true }))

for (const backend of await busBackends()) {
  describe(
    `[lifecycle:${backend.name}] services register, heartbeat and stop`,
    { skip: backend.skip },
    () => {
      const statePath = path.join(dir, backend.name)
      const exchange = uniqueName('life')
      const configFor = (host: string) =>
        loadConfig({
          overrides: {
            DEFAULT: {
              host,
              state_path: statePath,
              transport_url: backend.url,
              control_exchange: exchange,
              report_interval: '1',
              rpc_response_timeout: '1',
            },
          },
        }).config
      const build = (host: string, daemons: readonly Daemon[]) =>
        buildProcess({
          config: configFor(host),
          daemons,
          logger: silentLogger(),
          autoSyncSchema: true,
          queueExpiresMs: 60_000,
        })

      async function servicesTable(): Promise<ServiceRecord[]> {
        const db = await openDatabase(databaseUrls(configFor('x')).main)
        try {
          return await createServicesRepository(db).list()
        } finally {
          await db.close()
        }
      }

      async function waitFor(
        what: string,
        check: (rows: ServiceRecord[]) => boolean,
      ): Promise<ServiceRecord[]> {
        const deadline = Date.now() + 10_000
        for (;;) {
          const rows = await servicesTable()
          if (check(rows)) return rows
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(rows)}`)
          await sleep(100)
        }
      }

      it('conductor, scheduler and compute register; compute heartbeats through the conductor; all are up', async () => {
        const parts = await build('node-a', ['nova-conductor', 'nova-scheduler', 'nova-compute'])
        await parts.start()
        try {
          const rows = await waitFor(
            'a compute heartbeat',
            (r) => (r.find((s) => s.binary === 'nova-compute')?.reportCount ?? 0) >= 1,
          )
          assert.deepEqual(rows.map((s) => [s.binary, s.host, s.topic]).sort(), [
            ['nova-compute', 'node-a', 'compute'],
            ['nova-conductor', 'node-a', 'conductor'],
            ['nova-scheduler', 'node-a', 'scheduler'],
          ])
          for (const s of rows) assert.ok(isServiceUp(s, new Date(), 60), `${s.binary} is up`)
          for (const s of rows)
            assert.ok(
              !isServiceUp(s, new Date(Date.now() + 120_000), 60),
              `${s.binary} is down without heartbeats`,
            )
        } finally {
          await parts.stop(1000)
        }
        const before = (await servicesTable()).find((s) => s.binary === 'nova-compute')!.reportCount
        await sleep(1500)
        assert.equal(
          (await servicesTable()).find((s) => s.binary === 'nova-compute')!.reportCount,
          before,
          'no heartbeat after stop',
        )
      })

      if (backend.name === 'rabbit') {
        it('a compute on another host with no database waits for the conductor, then registers through it', async () => {
          const compute = await build('node-b', ['nova-compute'])
          const computeStarted = compute.start()
          await sleep(300)
          const controller = await build('node-a', ['nova-conductor'])
          await controller.start()
          try {
            await computeStarted
            await waitFor('node-b registered', (r) =>
              r.some((s) => s.host === 'node-b' && s.binary === 'nova-compute' && s.reportCount >= 1),
            )
          } finally {
            await compute.stop(1000)
            await controller.stop(1000)
          }
        })
      }
    },
  )
}
