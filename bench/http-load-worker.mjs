// The worker side of bench/http-load.ts, in plain JavaScript so the worker needs no TypeScript loader:
// `total` GETs of `url` with `clients` in flight; posts back [req/s, p50 ms, p99 ms].
import { performance } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'

const { url, headers, total, clients } = workerData
const samples = []
let next = 0
const start = performance.now()
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (next < total) {
      next++
      const t = performance.now()
      const res = await fetch(url, { headers })
      const body = await res.text()
      if (res.status !== 200) throw new Error(`${res.status} ${body.slice(0, 200)}`)
      samples.push(performance.now() - t)
    }
  }),
)
const seconds = (performance.now() - start) / 1000
samples.sort((a, b) => a - b)
const pct = (p) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]
parentPort.postMessage([total / seconds, pct(50), pct(99)])
