import { Conflict, Forbidden, Invalid } from '../../common/errors/index.js'
import type { ImageChanges, ImageRecord, ImageRecords, Visibility } from './store/image-records.js'

export const DISK_FORMATS = [
  'ami',
  'ari',
  'aki',
  'vhd',
  'vhdx',
  'vmdk',
  'raw',
  'qcow2',
  'vdi',
  'iso',
  'ploop',
] as const
export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'] as const
const VISIBILITIES = ['public', 'private', 'shared', 'community']
/** Attributes only the service sets. */
const READ_ONLY = new Set([
  'id',
  'status',
  'size',
  'virtual_size',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'created_at',
  'updated_at',
  'self',
  'file',
  'schema',
  'direct_url',
  'locations',
  'deleted',
  'deleted_at',
])
const BASE = new Set([
  'name',
  'visibility',
  'protected',
  'os_hidden',
  'disk_format',
  'container_format',
  'min_disk',
  'min_ram',
  'tags',
  'owner',
])

type Fields = ImageChanges & {
  id?: string
  owner?: string
  tags?: string[]
  properties?: Record<string, string>
}

/** One base attribute's value, checked; returns the record change it makes. */
function baseChange(key: string, value: unknown, admin: boolean): ImageChanges {
  const fail = (msg: string): never => {
    throw new Invalid(msg)
  }
  switch (key) {
    case 'name':
      if (value !== null && (typeof value !== 'string' || value.length > 255))
        fail('name must be a string of at most 255 characters')
      return { name: value as string | null }
    case 'visibility':
      if (typeof value !== 'string' || !VISIBILITIES.includes(value))
        fail(`Invalid visibility value: ${String(value)}`)
      if (value === 'public' && !admin) throw new Forbidden('You are not authorized to publicize images.')
      return { visibility: value as Visibility }
    case 'protected':
    case 'os_hidden':
      if (typeof value !== 'boolean') fail(`${key} must be a boolean`)
      return key === 'protected' ? { protected: value as boolean } : { osHidden: value as boolean }
    case 'min_disk':
    case 'min_ram':
      if (!Number.isInteger(value) || (value as number) < 0) fail(`${key} must be a non-negative integer`)
      return key === 'min_disk' ? { minDisk: value as number } : { minRam: value as number }
    case 'disk_format':
      if (value !== null && !DISK_FORMATS.includes(value as never))
        fail(`Invalid disk format '${String(value)}'`)
      return { diskFormat: value as string | null }
    case 'container_format':
      if (value !== null && !CONTAINER_FORMATS.includes(value as never))
        fail(`Invalid container format '${String(value)}'`)
      return { containerFormat: value as string | null }
    default:
      return fail(`unknown attribute ${key}`)
  }
}

function checkTags(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'string' || t.length > 255))
    throw new Invalid('tags must be a list of strings of at most 255 characters')
  return value as string[]
}

function checkProperty(key: string, value: unknown): string {
  if (key.length > 255) throw new Invalid('a property name is at most 255 characters')
  if (typeof value !== 'string') throw new Invalid(`Property ${key} must be a string`)
  return value
}

/** `POST /v2/images`: the body checked and split into columns, tags and custom properties. */
export function createFields(body: unknown, admin: boolean): Fields {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Invalid('The request body must be a JSON object.')
  const fields: Fields = {}
  const properties: Record<string, string> = {}
  for (const [key, value] of Object.entries(body)) {
    if (key === 'id') {
      if (
        typeof value !== 'string' ||
        !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)
      )
        throw new Invalid('id must be a UUID')
      fields.id = value
    } else if (READ_ONLY.has(key)) throw new Forbidden(`Attribute '${key}' is read-only.`)
    else if (key === 'owner') {
      if (!admin) throw new Forbidden("Attribute 'owner' is reserved for admins.")
      if (typeof value !== 'string' || value.length > 255) throw new Invalid('owner must be a project id')
      fields.owner = value
    } else if (key === 'tags') fields.tags = checkTags(value)
    else if (BASE.has(key)) Object.assign(fields, baseChange(key, value, admin))
    else properties[key] = checkProperty(key, value)
  }
  return { ...fields, properties }
}

interface PatchOp {
  readonly op: 'add' | 'replace' | 'remove'
  readonly path: string
  readonly value?: unknown
}

function ops(body: unknown): PatchOp[] {
  if (!Array.isArray(body)) throw new Invalid('A JSON-patch body is a list of operations.')
  return body.map((raw: Record<string, unknown>) => {
    // The v2.0 media type writes an operation as {"replace": "/path", "value": …}; v2.1 as {"op", "path", "value"}.
    const legacy =
      typeof raw === 'object' && raw !== null && raw.op === undefined
        ? ['add', 'replace', 'remove'].find((k) => k in raw)
        : undefined
    const o: Record<string, unknown> =
      legacy === undefined
        ? raw
        : { op: legacy, path: raw[legacy], ...('value' in raw ? { value: raw.value } : {}) }
    if (
      typeof o !== 'object' ||
      o === null ||
      !['add', 'replace', 'remove'].includes(String(o.op)) ||
      typeof o.path !== 'string' ||
      !o.path.startsWith('/')
    ) {
      throw new Invalid(`Invalid JSON-patch operation: ${JSON.stringify(o)}`)
    }
    if (o.op !== 'remove' && !('value' in o))
      throw new Invalid(`Operation ${String(o.op)} ${o.path} needs a value.`)
    return o as unknown as PatchOp
  })
}

/**
 * Applies a Glance JSON patch (add/replace/remove on base attributes, tags and custom properties). Read-only
 * attributes are 403; a disk or container format can only change while the image has no data (409).
 */
export async function applyPatch(
  images: ImageRecords,
  image: ImageRecord,
  body: unknown,
  admin: boolean,
): Promise<void> {
  const changes: ImageChanges = {}
  const properties: Record<string, string | null> = {}
  let tags: string[] | undefined
  for (const op of ops(body)) {
    const key = op.path.slice(1).replace(/~1/g, '/').replace(/~0/g, '~')
    if (READ_ONLY.has(key)) throw new Forbidden(`Attribute '${key}' is read-only.`)
    if (key === 'owner' && !admin) throw new Forbidden("Attribute 'owner' is reserved for admins.")
    if (key === 'tags' || key.startsWith('tags/')) {
      if (op.op === 'remove') tags = []
      else tags = key === 'tags' ? checkTags(op.value) : [...(tags ?? image.tags), ...checkTags([op.value])]
    } else if (BASE.has(key)) {
      if (op.op === 'remove') throw new Forbidden(`Attribute '${key}' cannot be removed.`)
      if ((key === 'disk_format' || key === 'container_format') && image.status !== 'queued') {
        throw new Conflict(`Attribute ${key} can be only replaced for a queued image.`)
      }
      if (key === 'owner') {
        if (typeof op.value !== 'string' || op.value.length > 255)
          throw new Invalid('owner must be a project id')
        Object.assign(changes, { owner: op.value })
      } else Object.assign(changes, baseChange(key, op.value, admin))
    } else if (op.op === 'remove') {
      if (!(key in image.properties) && !(key in properties))
        throw new Conflict(`Property ${key} does not exist.`)
      properties[key] = null
    } else {
      if (op.op === 'replace' && !(key in image.properties) && !(key in properties))
        throw new Conflict(`Property ${key} does not exist.`)
      properties[key] = checkProperty(key, op.value)
    }
  }
  if (Object.keys(changes).length > 0) await images.update(image.id, changes)
  if (Object.keys(properties).length > 0) await images.setProperties(image.id, properties)
  if (tags !== undefined) await images.setTags(image.id, tags)
}
