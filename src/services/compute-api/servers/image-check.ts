import { ImageNotFound } from '../../../common/errors/index.js'
import { imageProperties, type ImageInfo } from '../../image/client.js'
import { badRequest } from '../faults.js'

/** What the create needs of the image service: one image, seen with the caller's token. */
export interface ImageLookup {
  show(imageId: string): Promise<ImageInfo>
}

export interface CheckedImage {
  /** The request spec's image (the scheduler's image property filters read `properties`). */
  readonly spec: {
    readonly id: string
    readonly diskFormat?: string
    readonly properties: Record<string, string>
  }
  /** Nova's get_system_metadata_from_image: `image_<property>`, min_ram/min_disk/formats, base_image_ref. */
  readonly systemMetadata: Record<string, string>
}

const GIB = 1024 ** 3

/**
 * Nova's API side of the image at create (API._get_image + _check_requested_image): the image must exist for the
 * caller (400 "Image <id> could not be found."), be active (400 "Image <id> is not active."), and the flavor must
 * be big enough for it (min_ram; min_disk and the image size against root_gb unless root_gb is 0). Called once per
 * request, whatever min_count.
 */
export async function checkRequestedImage(
  images: ImageLookup,
  imageId: string,
  flavor: { readonly memoryMb: number; readonly rootGb: number },
): Promise<CheckedImage> {
  let image: ImageInfo
  try {
    image = await images.show(imageId)
  } catch (error) {
    if (error instanceof ImageNotFound) throw badRequest(`Image ${imageId} could not be found.`)
    throw error
  }
  if (image.status !== 'active') throw badRequest(`Image ${imageId} is not active.`)
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
  const minRam = num(image.min_ram)
  const minDisk = num(image.min_disk)
  const size = num(image.size)
  if (flavor.memoryMb < minRam) throw badRequest("Flavor's memory is too small for requested image.")
  if (flavor.rootGb > 0 && (size > flavor.rootGb * GIB || minDisk > flavor.rootGb))
    throw badRequest("Flavor's disk is too small for requested image.")
  const properties = imageProperties(image)
  const systemMetadata: Record<string, string> = { image_base_image_ref: image.id }
  for (const [key, value] of Object.entries(properties)) systemMetadata[`image_${key}`] = value
  systemMetadata.image_min_ram = String(minRam)
  systemMetadata.image_min_disk = String(Math.max(minDisk, flavor.rootGb))
  if (image.disk_format !== null) systemMetadata.image_disk_format = image.disk_format
  if (image.container_format !== null) systemMetadata.image_container_format = image.container_format
  return {
    spec: {
      id: image.id,
      ...(image.disk_format === null ? {} : { diskFormat: image.disk_format }),
      properties,
    },
    systemMetadata,
  }
}

/**
 * Whether block_device_mapping_v2 boots from a volume (boot_index 0 with destination volume): then imageRef may
 * be left out, as in Nova.
 */
export function bootsFromVolume(bdms: unknown): boolean {
  if (!Array.isArray(bdms)) return false
  return bdms.some((b: Record<string, unknown>) => {
    const index = b?.boot_index
    return (index === 0 || index === '0') && b.destination_type === 'volume'
  })
}
