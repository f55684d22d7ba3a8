// HTTP load from a worker thread, so the client runs on the other core and the server's own capacity shows.
import { Worker } from 'node:worker_threads'

interface Job {
  readonly url: string
  readonly headers: Record<string, string>
  readonly total: number
  readonly clients: number
}

/** `total` GETs of `url` with `clients` in flight, from a worker thread: [req/s, p50 ms, p99 ms]. */
export async function loadFromWorker(job: Job): Promise<[number, number, number]> {
  const worker = new Worker(new URL('./http-load-worker.mjs', import.meta.url), { workerData: job })
  return await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
}
