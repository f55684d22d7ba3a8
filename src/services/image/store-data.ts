import type { Readable } from 'node:stream'
import { Conflict } from '../../common/errors/index.js'
import type { ImageDeps } from './image-deps.js'
import { inspectFormat } from './inspect-format.js'
import type { ImageRecord, ImageStatus } from './store/image-records.js'

/**
 * Streams data into the store for an image that is in `from` (saving, importing), checks it against the declared
 * disk format, and makes the image active with its size and hashes in the same step. On any failure the image
 * goes back to `queued` with no data (the store removes its temporary file) and the error is rethrown.
 */
export async function storeImageData(
  deps: ImageDeps,
  image: ImageRecord,
  data: Readable,
  from: ImageStatus,
  maxBytes: number,
): Promise<void> {
  try {
    await deps.store.write(image.id, data, {
      maxBytes,
      accept: async (stored) => {
        const virtualSize = inspectFormat(image.diskFormat, stored.head, stored.size)
        const ok = await deps.images.update(
          image.id,
          {
            status: 'active',
            size: stored.size,
            virtualSize,
            checksum: stored.md5,
            osHashAlgo: 'sha512',
            osHashValue: stored.sha512,
          },
          [from],
        )
        if (!ok) throw new Conflict(`Image ${image.id} was deleted or changed while its data arrived.`)
      },
    })
  } catch (error) {
    await deps.images.update(image.id, { status: 'queued' }, [from]).catch(() => undefined)
    throw error
  }
}
