// HTTP load from a worker thread, so the client runs on the other core and the server's own capacity shows.
import { performance } from 'node:perf_hooks'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { percentile } from './table.js'

interface Job {
  readonly url: string
  readonly headers: Record<string, string>
  readonly total: number
  readonly clients: number
}

async function run(job: Job): Promise<[number, number, number]> {
  const samples: number[] = []
  let next = 0
  const start = performance.now()
  await Promise.all(
    Array.from({ length: job.clients }, async () => {
      while (next < job.total) {
        next++
        const t = performance.now()
        const res = await fetch(job.url, { headers: job.headers })
        const body = await res.text()
        if (res.status !== 200) throw new Error(`${res.status} ${body.slice(0, 200)}`)
        samples.push(performance.now() - t)
      }
    }),
  )
  const seconds = (performance.now() - start) / 1000
  samples.sort((a, b) => a - b)
  return [job.total / seconds, percentile(samples, 50), percentile(samples, 99)]
}

if (!isMainThread) parentPort!.postMessage(await run(workerData as Job))

/** `total` GETs of `url` with `clients` in flight, from a worker thread: [req/s, p50 ms, p99 ms]. */
export async function loadFromWorker(job: Job): Promise<[number, number, number]> {
  const worker = new Worker(new URL(import.meta.url), { workerData: job })
  return await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
}
