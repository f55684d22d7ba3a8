import type { FileImageStore } from './file-store.js'
import type { ImageRecords } from './store/image-records.js'

export interface ImageDeps {
  readonly images: ImageRecords
  readonly store: FileImageStore
  /** Data staged for `glance-direct` import, kept apart from active images' data. */
  readonly staging: FileImageStore
  /** `[image] image_size_cap`-style limits. */
  readonly limits: {
    readonly maxImageBytes: number
    readonly imageCountPerProject: number
    readonly bytesPerProject: number
  }
}
