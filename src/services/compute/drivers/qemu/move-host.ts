import type { ImageCache } from './image-cache.js'
import type { QemuGuests } from './guests.js'

/** What the QEMU driver's snapshot, resize and rescue modules act with: the driver's guests, cache and paths. */
export interface QemuMoveHost {
  readonly guests: QemuGuests
  readonly cache: ImageCache
  readonly qemuImg: string
  /** `[DEFAULT] instances_path` of this host. */
  readonly instancesPath: string
  /** This host's node name (written into the records of the guests it takes over). */
  readonly host: () => string | undefined
}
