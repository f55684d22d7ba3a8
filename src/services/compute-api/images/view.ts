import type { FastifyRequest } from 'fastify'
import { imageProperties, type ImageInfo } from '../../image/client.js'
import { resourceLinks, type RequestSettings } from '../request.js'

/** The custom properties of a Glance v2 image (Nova's `image['properties']`), as strings. */
export function propertiesOf(image: ImageInfo): Record<string, string> {
  return imageProperties(image)
}

/** Nova's image status from Glance's (views/images.py `_get_status`). */
export function imageStatus(status: string): string {
  const map: Record<string, string> = {
    active: 'ACTIVE',
    queued: 'SAVING',
    saving: 'SAVING',
    deleted: 'DELETED',
    pending_delete: 'DELETED',
    killed: 'ERROR',
  }
  return map[status] ?? 'UNKNOWN'
}

const PROGRESS: Readonly<Record<string, number>> = { queued: 25, saving: 50, active: 100 }

/** `%Y-%m-%dT%H:%M:%SZ`. */
const formatDate = (value: unknown): string | null => {
  if (typeof value !== 'string' || value === '') return null
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export interface ImageViewSettings extends RequestSettings {
  /** Base of the `alternate` link: `[api] glance_link_prefix`, else the image service's endpoint. */
  readonly glanceBase: string
}

/** self, bookmark and the image service's `alternate` link. */
function imageLinks(request: FastifyRequest, settings: ImageViewSettings, id: string) {
  return [
    ...resourceLinks(request, settings, 'images', id),
    {
      rel: 'alternate',
      type: 'application/vnd.openstack.image',
      href: `${settings.glanceBase.replace(/\/+$/, '')}/images/${id}`,
    },
  ]
}

/** `{id, name, links}`: the items of GET /images. */
export const basicImageView = (request: FastifyRequest, settings: ImageViewSettings, image: ImageInfo) => ({
  id: image.id,
  name: image.name,
  links: imageLinks(request, settings, image.id),
})

/** The full image view of GET /images/detail and GET /images/{id} (Nova's views/images.py `show`). */
export function imageView(
  request: FastifyRequest,
  settings: ImageViewSettings,
  image: ImageInfo,
): Record<string, unknown> {
  const metadata = propertiesOf(image)
  const view: Record<string, unknown> = {
    id: image.id,
    name: image.name,
    minRam: Number(image.min_ram ?? 0) || 0,
    minDisk: Number(image.min_disk ?? 0) || 0,
    metadata,
    created: formatDate(image.created_at),
    updated: formatDate(image.updated_at),
    status: imageStatus(image.status),
    progress: PROGRESS[image.status] ?? 0,
    'OS-EXT-IMG-SIZE:size': image.size,
    links: imageLinks(request, settings, image.id),
  }
  const server = metadata.instance_uuid
  if (server !== undefined)
    view.server = { id: server, links: resourceLinks(request, settings, 'servers', server) }
  const autoDiskConfig = metadata.auto_disk_config
  if (autoDiskConfig !== undefined)
    view['OS-DCF:diskConfig'] = /^(1|t|true|on|y|yes)$/i.test(autoDiskConfig) ? 'AUTO' : 'MANUAL'
  return view
}
