/** Glance v2's core and reserved image fields: everything else on an image record is a custom property. */
export const IMAGE_CORE_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'name',
  'status',
  'visibility',
  'protected',
  'os_hidden',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'owner',
  'size',
  'virtual_size',
  'min_ram',
  'min_disk',
  'disk_format',
  'container_format',
  'created_at',
  'updated_at',
  'deleted',
  'deleted_at',
  'tags',
  'self',
  'file',
  'schema',
  'direct_url',
  'locations',
  'stores',
])

/** An image record's custom properties (kernel_id, hw_disk_bus, …) as strings; other values as JSON. */
export function imageProperties(image: Readonly<Record<string, unknown>>): Record<string, string> {
  const properties: Record<string, string> = {}
  for (const [key, value] of Object.entries(image))
    if (!IMAGE_CORE_FIELDS.has(key) && value !== null && value !== undefined)
      properties[key] = typeof value === 'string' ? value : JSON.stringify(value)
  return properties
}

/** The `image_*` system metadata keys that hold image fields or the image's id, not properties. */
const SYSTEM_METADATA_FIELDS = new Set([
  'base_image_ref',
  'min_ram',
  'min_disk',
  'disk_format',
  'container_format',
])

/**
 * The properties of the image an instance was built from, as it keeps them in its system metadata
 * (`image_<property>`, Nova's get_image_from_system_metadata).
 */
export function imagePropertiesOfInstance(
  systemMetadata: Readonly<Record<string, string | null | undefined>>,
): Record<string, string> {
  const properties: Record<string, string> = {}
  for (const [key, value] of Object.entries(systemMetadata)) {
    if (!key.startsWith('image_') || value === null || value === undefined) continue
    const name = key.slice('image_'.length)
    if (!SYSTEM_METADATA_FIELDS.has(name)) properties[name] = value
  }
  return properties
}

/** Properties a snapshot never inherits (Nova's non_inheritable_image_properties default and image signatures). */
const NOT_INHERITED = new Set([
  'cache_in_nova',
  'bittorrent',
  'img_signature',
  'img_signature_hash_method',
  'img_signature_key_type',
  'img_signature_certificate_uuid',
])

/**
 * What a snapshot (createImage, createBackup, shelve) of an instance inherits from the instance's image, so that
 * it boots as the instance did (Nova's _initialize_instance_snapshot_metadata): the image's properties from the
 * system metadata (kernel_id, ramdisk_id, os_command_line, hw_*, …) without the non-inheritable ones and Glance's
 * own `os_glance_*`, and min_ram / min_disk. The caller adds instance_uuid, image_type, base_image_ref, user_id.
 */
export function snapshotImageFields(
  systemMetadata: Readonly<Record<string, string | null | undefined>>,
): Record<string, string | number> {
  const fields: Record<string, string | number> = {}
  for (const [key, value] of Object.entries(imagePropertiesOfInstance(systemMetadata)))
    if (!NOT_INHERITED.has(key) && !key.startsWith('os_glance')) fields[key] = value
  for (const key of ['min_ram', 'min_disk']) {
    const value = Number(systemMetadata[`image_${key}`])
    if (Number.isInteger(value) && value > 0) fields[key] = value
  }
  return fields
}
