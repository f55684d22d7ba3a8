import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { silentLogger } from '../../src/common/logger.js'
import { openDatabase, syncSchema, type Database } from '../../src/db/index.js'
import type { TokenPayload } from '../../src/services/identity/client.js'
import { createImageApp } from '../../src/services/image/app.js'
import { FileImageStore } from '../../src/services/image/file-store.js'
import { createImageRecords, type ImageRecords } from '../../src/services/image/store/image-records.js'

export const OWNER: TokenPayload = {
  userId: 'owner-user',
  methods: ['password'],
  projectId: 'owner-project',
  roles: [{ id: 'member', name: 'member' }],
  issuedAt: new Date(),
  expiresAt: new Date(Date.now() + 3600_000),
  auditIds: ['bench'],
}

/** The image service on a real port over a temporary SQLite database and file store; token `T` is OWNER. */
export async function startImageServer(): Promise<{
  url: string
  dir: string
  records: ImageRecords
  db: Database<unknown>
  close(): Promise<void>
}> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-image-srv-'))
  const db = await openDatabase(`sqlite:///${path.join(dir, 'api.sqlite')}`)
  await syncSchema(db, 'api')
  const records = createImageRecords(db)
  const app = createImageApp(
    {
      images: records,
      store: new FileImageStore(path.join(dir, 'images')),
      staging: new FileImageStore(path.join(dir, 'images', 'staging')),
      limits: { maxImageBytes: 8 * 2 ** 30, imageCountPerProject: 1_000_000, bytesPerProject: 2 ** 40 },
    },
    {
      logger: silentLogger(),
      publicUrl: 'http://127.0.0.1',
      auth: {
        checker: { verify: (t) => (t === 'T' ? OWNER : 'malformed') },
        identityUri: 'http://identity.test/v3',
      },
    },
  )
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url,
    dir,
    records,
    db,
    async close() {
      await app.close()
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** PUTs a stream as image data; resolves with the status code. */
export async function putStream(url: string, body: Readable): Promise<number> {
  return await new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'PUT', headers: { 'x-auth-token': 'T', 'content-type': 'application/octet-stream' } },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    body.pipe(req)
  })
}

/** GETs a URL and hands each chunk to `onChunk`; resolves with the byte count. */
export async function getStream(url: string, onChunk: (chunk: Buffer) => void): Promise<number> {
  return await new Promise((resolve, reject) => {
    request(url, { headers: { 'x-auth-token': 'T' } }, (res) => {
      let bytes = 0
      res.on('data', (c: Buffer) => {
        bytes += c.length
        onChunk(c)
      })
      res.on('end', () => resolve(bytes))
      res.on('error', reject)
    })
      .on('error', reject)
      .end()
  })
}
