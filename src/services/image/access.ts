import { Forbidden, NotFound } from '../../common/errors/index.js'
import type { FastifyRequest } from 'fastify'
import type { TokenPayload } from '../identity/client.js'
import type { ImageRecord, ImageRecords } from './store/image-records.js'

export const isAdmin = (caller: TokenPayload): boolean => caller.roles.some((r) => r.name === 'admin')

/**
 * Glance's visibility rules: admins see everything; public and community images are visible to all; a private
 * image only to its owner; a shared one to its owner and its members. Anything else is 404, never 403, so that
 * other projects' private images cannot be probed.
 */
export async function visibleImage(
  images: ImageRecords,
  id: string,
  caller: TokenPayload,
): Promise<ImageRecord> {
  const image = await images.find(id)
  const notFound = new NotFound(`No image found with ID ${id}`)
  if (image === undefined) throw notFound
  if (
    isAdmin(caller) ||
    image.owner === caller.projectId ||
    image.visibility === 'public' ||
    image.visibility === 'community'
  )
    return image
  if (image.visibility === 'shared' && caller.projectId !== undefined) {
    const members = await images.members(id)
    if (members.some((m) => m.member === caller.projectId)) return image
  }
  throw notFound
}

/** Changing an image is for its owner (or an admin); others who can see it get 403. */
export async function ownedImage(
  images: ImageRecords,
  id: string,
  caller: TokenPayload,
  action: string,
): Promise<ImageRecord> {
  const image = await visibleImage(images, id, caller)
  if (!isAdmin(caller) && image.owner !== caller.projectId)
    throw new Forbidden(`You are not authorized to ${action} this image.`)
  return image
}

/** The caller of an image route (set by the token gate; routes are only reachable with a valid token). */
export function callerOf(request: FastifyRequest): TokenPayload {
  if (request.token === undefined) throw new Forbidden('No token.')
  return request.token
}
