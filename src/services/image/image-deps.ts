import type { FileImageStore } from './file-store.js'
import type { ImageRecords } from './store/image-records.js'

export interface ImageDeps {
  readonly images: ImageRecords
  readonly store: FileImageStore
  /** `[image] image_size_cap`-style limits. */
  readonly limits: {
    readonly maxImageBytes: number
    readonly imageCountPerProject: number
    readonly bytesPerProject: number
  }
}
