import type { ImageMember, ImageRecord } from './store/image-records.js'

/** Glance's timestamps: seconds, Z. */
export function glanceTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** An image as Glance v2 shows it: base attributes, custom properties at the top level, and its links. */
export function imageView(image: ImageRecord): Record<string, unknown> {
  return {
    ...image.properties,
    id: image.id,
    name: image.name,
    status: image.status,
    visibility: image.visibility,
    protected: image.protected,
    os_hidden: image.osHidden,
    owner: image.owner,
    disk_format: image.diskFormat,
    container_format: image.containerFormat,
    size: image.size,
    virtual_size: image.virtualSize,
    checksum: image.checksum,
    os_hash_algo: image.osHashAlgo,
    os_hash_value: image.osHashValue,
    min_disk: image.minDisk,
    min_ram: image.minRam,
    tags: image.tags,
    // The stores holding the data (one file store here), as Glance shows for images with data.
    ...(image.status === 'active' || image.status === 'deactivated' ? { stores: 'file' } : {}),
    created_at: glanceTime(image.createdAt),
    updated_at: glanceTime(image.updatedAt),
    self: `/v2/images/${image.id}`,
    file: `/v2/images/${image.id}/file`,
    schema: '/v2/schemas/image',
  }
}

export function memberView(m: ImageMember): Record<string, unknown> {
  return {
    image_id: m.imageId,
    member_id: m.member,
    status: m.status,
    created_at: glanceTime(m.createdAt),
    updated_at: glanceTime(m.updatedAt),
    schema: '/v2/schemas/member',
  }
}
