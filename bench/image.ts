import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { Readable } from 'node:stream'
import { getStream, OWNER, putStream, startImageServer } from '../test/support/image-server.js'
import { percentile, printTable } from './table.js'

const MiB = 2 ** 20
const SIZE = 1024 * MiB

/**
 * Upload and download throughput of a 1 GiB image through the API, next to `cp` of the same bytes on the same disk
 * (the physical limit), and the latency of listing images when 10,000 exist.
 */
export async function benchImage(): Promise<void> {
  const server = await startImageServer()
  try {
    const chunk = Buffer.alloc(MiB, 0x42)
    const source = path.join(server.dir, 'source.raw')
    writeFileSync(source, Buffer.alloc(0))
    for (let i = 0; i < SIZE / MiB; i++) writeFileSync(source, chunk, { flag: 'a' })
    let start = performance.now()
    execFileSync('cp', [source, path.join(server.dir, 'copy.raw')])
    const cpMiBs = SIZE / MiB / ((performance.now() - start) / 1000)

    const created = await fetch(`${server.url}/v2/images`, {
      method: 'POST',
      headers: { 'x-auth-token': 'T', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', disk_format: 'raw', container_format: 'bare' }),
    })
    const { id } = (await created.json()) as { id: string }
    let sent = 0
    const body = new Readable({
      read() {
        if (sent >= SIZE) this.push(null)
        else {
          sent += MiB
          this.push(chunk)
        }
      },
    })
    start = performance.now()
    await putStream(`${server.url}/v2/images/${id}/file`, body)
    const upMiBs = SIZE / MiB / ((performance.now() - start) / 1000)
    start = performance.now()
    await getStream(`${server.url}/v2/images/${id}/file`, () => undefined)
    const downMiBs = SIZE / MiB / ((performance.now() - start) / 1000)
    printTable(
      ['1 GiB image', 'MiB/s'],
      [
        ['cp on the same disk', cpMiBs],
        ['upload (PUT /file)', upMiBs],
        ['download (GET /file)', downMiBs],
      ],
    )

    for (let i = 0; i < 10_000; i++)
      await server.records.create({
        owner: OWNER.projectId!,
        name: `img-${i}`,
        diskFormat: 'raw',
        containerFormat: 'bare',
      })
    const samples: Record<string, number[]> = { 'limit=25': [], 'limit=1000': [], 'name=img-5000': [] }
    for (let round = 0; round < 20; round++) {
      for (const query of Object.keys(samples)) {
        const t = performance.now()
        await (await fetch(`${server.url}/v2/images?${query}`, { headers: { 'x-auth-token': 'T' } })).json()
        samples[query]!.push(performance.now() - t)
      }
    }
    printTable(
      ['GET /v2/images with 10,000 images', 'p50 ms', 'p99 ms'],
      Object.entries(samples).map(([q, s]) => {
        s.sort((a, b) => a - b)
        return [q, percentile(s, 50), percentile(s, 99)]
      }),
    )
  } finally {
    await server.close()
  }
}
