import type { FastifyRequest } from 'fastify'
import { ApiFault, badRequest } from '../faults.js'
import { QuotaEngine } from '../quota/engine.js'
import type { Caller } from '../request.js'
import type { Flavor } from '../store/flavors.js'
import type { ServerDeps } from './deps.js'

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

/** The security groups a server may name today: every project has `default` (networking brings the rest). */
const KNOWN_SECURITY_GROUPS = new Set(['default'])

/**
 * Checks of `POST /servers` beyond its schema, in Nova's words: a private flavor the project may not use is
 * unknown (400), networks and security groups must exist (400), and the metadata must fit the project's
 * `metadata_items` quota (403).
 */
export async function checkCreateRequest(
  request: FastifyRequest,
  caller: Caller,
  servers: ServerDeps,
  flavor: Flavor,
  flavorRef: string,
): Promise<void> {
  const body = (request.body as { server: Record<string, unknown> }).server
  if (!flavor.isPublic && !caller.isAdmin && !flavor.projects.includes(caller.projectId))
    throw badRequest(`Flavor ${flavorRef} could not be found.`)

  if (Array.isArray(body.networks))
    for (const network of body.networks as Record<string, unknown>[]) {
      if (typeof network !== 'object' || network === null) throw badRequest('Bad networks format')
      if (typeof network.port === 'string') throw badRequest(`Port id ${network.port} could not be found.`)
      const uuid = network.uuid
      if (typeof uuid !== 'string' || !UUID.test(uuid))
        throw badRequest(`Bad networks format: network uuid is not in proper format (${String(uuid)})`)
      throw badRequest(`Network ${uuid} could not be found.`)
    }
  else if (body.networks !== undefined && body.networks !== 'auto' && body.networks !== 'none')
    throw badRequest(`Bad networks format`)

  for (const group of (body.security_groups ?? []) as Record<string, unknown>[]) {
    const name = typeof group === 'object' && group !== null ? group.name : undefined
    if (typeof name !== 'string' || name === '') throw badRequest('Invalid security group name')
    if (!KNOWN_SECURITY_GROUPS.has(name)) throw badRequest(`Security group ${name} not found.`)
  }

  const items = Object.keys((body.metadata ?? {}) as Record<string, unknown>).length
  if (items > 0 && servers.quota !== undefined) {
    const engine = new QuotaEngine({ apiDb: servers.apiDb, ...servers.quota })
    const allowed = (await engine.limits(caller.projectId, caller.userId)).metadata_items ?? -1
    if (allowed >= 0 && items > allowed)
      throw new ApiFault(403, `Maximum number of metadata items exceeds ${allowed}`)
  }
}
