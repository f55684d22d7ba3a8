import path from 'node:path'
import type { Logger } from '../../common/logger.js'
import type { Database } from '../../db/index.js'
import type { Service } from '../../service/service.js'
import type { TokenChecker } from '../identity/client.js'
import { createImageApp } from './app.js'
import { FileImageStore } from './file-store.js'
import type { ImageDeps } from './image-deps.js'
import { createImageRecords } from './store/image-records.js'
import { closeHttp } from '../../http/serve.js'

export interface ImageServiceOptions {
  readonly db: Database<unknown>
  readonly dataDir: string
  readonly listen: string
  readonly port: number
  readonly publicUrl: string
  readonly limits: ImageDeps['limits']
  readonly auth: {
    readonly checker: () => Promise<TokenChecker & { stop(): Promise<void> }>
    readonly identityUri: string
  }
  readonly logger: Logger
}

/** The image service (Glance v2 subset) with its file store. */
export function createImageService(options: ImageServiceOptions): Service {
  let app: ReturnType<typeof createImageApp> | undefined
  let checker: (TokenChecker & { stop(): Promise<void> }) | undefined
  return {
    binary: 'nova-image',
    async start() {
      checker = await options.auth.checker()
      const deps: ImageDeps = {
        images: createImageRecords(options.db),
        store: new FileImageStore(options.dataDir),
        staging: new FileImageStore(path.join(options.dataDir, 'staging')),
        limits: options.limits,
      }
      app = createImageApp(deps, {
        logger: options.logger,
        publicUrl: options.publicUrl,
        auth: { checker, identityUri: options.auth.identityUri },
      })
      await app.listen({ host: options.listen, port: options.port })
    },
    async stop(drainMs) {
      await closeHttp(app, drainMs)
      await checker?.stop()
    },
    endpoints: () => [`image (Glance v2)       ${options.publicUrl}`],
  }
}
