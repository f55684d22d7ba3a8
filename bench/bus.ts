import { makeContext } from '../src/common/context.js'
import { silentLogger } from '../src/common/logger.js'
import { RpcClient, RpcServer } from '../src/bus/index.js'
import { busBackends } from '../test/support/backends.js'
import { openTestBus, uniqueName } from '../test/support/test-bus.js'
import { percentile, printTable } from './table.js'

const CALLS = 1000
const CASTS = 5000

/** RPC call round trip (1000 sequential calls) and cast throughput on each reachable transport. */
export async function benchBus(): Promise<void> {
  const rows: (string | number)[][] = []
  for (const backend of await busBackends()) {
    if (backend.skip !== undefined) {
      rows.push([backend.name, 'skipped', '', '', '', ''])
      continue
    }
    const bus = await openTestBus(backend)
    const topic = uniqueName('bench')
    let handled = 0
    let allHandled: () => void = () => undefined
    const server = new RpcServer({
      bus,
      topic,
      server: 'h',
      version: '1.0',
      logger: silentLogger(),
      endpoints: {
        ping: async (_c, args) => args.n,
        count: async () => {
          if (++handled === CASTS) allHandled()
          return null
        },
      },
    })
    await server.start()
    const client = new RpcClient({ bus, topic, version: '1.0', timeoutMs: 10_000 })
    const ctx = makeContext()
    for (let i = 0; i < 100; i++) await client.call(ctx, 'ping', { n: i })
    const samples: number[] = []
    for (let i = 0; i < CALLS; i++) {
      const t = process.hrtime.bigint()
      await client.call(ctx, 'ping', { n: i })
      samples.push(Number(process.hrtime.bigint() - t) / 1e6)
    }
    samples.sort((a, b) => a - b)
    const done = new Promise<void>((resolve) => (allHandled = resolve))
    const start = process.hrtime.bigint()
    for (let i = 0; i < CASTS; i++) await client.cast(ctx, 'count', {})
    await done
    const castSeconds = Number(process.hrtime.bigint() - start) / 1e9
    rows.push([
      backend.name,
      percentile(samples, 50),
      percentile(samples, 99),
      samples.reduce((a, b) => a + b, 0) / samples.length,
      CALLS / (samples.reduce((a, b) => a + b, 0) / 1000),
      CASTS / castSeconds,
    ])
    await server.stop()
    await bus.close()
  }
  printTable(
    ['transport', 'call p50 ms', 'call p99 ms', 'call mean ms', 'calls/s', 'casts/s (handled)'],
    rows,
  )
}
