import type { FastifyInstance, FastifyRequest } from 'fastify'
import { badRequest, notFound } from '../errors.js'
import type { PlacementDeps } from '../placement-deps.js'
import { atLeast, bodyObject, invalid, normaliseUuid, onlyKeys, requireVersion } from '../request-helpers.js'
import type { ConsumerAllocations } from '../store/allocations.js'

const CONSUMER_TYPE = /^[A-Z0-9_]+$/

function resourcesOf(value: unknown, where: string): Map<string, number> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    invalid(`'resources' of ${where} must be an object`)
  const out = new Map<string, number>()
  for (const [rc, amount] of Object.entries(value as Record<string, unknown>)) {
    if (!/^[A-Z0-9_]+$/.test(rc)) invalid(`'${rc}' is not a valid resource class name in ${where}`)
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1)
      invalid(`${JSON.stringify(amount)} is not a positive integer amount of ${rc} in ${where}`)
    out.set(rc, amount)
  }
  if (out.size === 0) invalid(`'resources' of ${where} does not have enough properties`)
  return out
}

/** The `allocations` member of a write, in its list (before 1.12) or dict form. */
function allocationsOf(
  request: FastifyRequest,
  value: unknown,
  allowEmpty: boolean,
): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>()
  if (!atLeast(request, 12)) {
    if (!Array.isArray(value) || value.length === 0) invalid(`'allocations' must be a non-empty array`)
    for (const item of value) {
      if (item === null || typeof item !== 'object') invalid(`allocation items must be objects`)
      const entry = item as Record<string, unknown>
      onlyKeys(entry, ['resource_provider', 'resources'], 'allocations')
      const rp = normaliseUuid((entry.resource_provider as Record<string, unknown> | undefined)?.uuid)
      if (rp === undefined) invalid(`'resource_provider' must have a 'uuid'`)
      out.set(rp, resourcesOf(entry.resources, rp))
    }
    return out
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    invalid(`'allocations' is a required property`)
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    const rp = normaliseUuid(key)
    if (rp === undefined) invalid(`'${key}' does not match any of the regexes: uuid`)
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      invalid(`allocation for ${key} must be an object`)
    const e = entry as Record<string, unknown>
    onlyKeys(e, ['resources', 'generation'], `allocations.${key}`)
    out.set(rp, resourcesOf(e.resources, key))
  }
  if (out.size === 0 && !allowEmpty) invalid(`'allocations' does not have enough properties`)
  return out
}

/** One consumer's write from a PUT or POST body, at the request's microversion. */
export function parseConsumerWrite(
  request: FastifyRequest,
  deps: PlacementDeps,
  consumer: string,
  body: Record<string, unknown>,
  inPost: boolean,
): ConsumerAllocations {
  const keys = ['allocations', 'project_id', 'user_id']
  if (atLeast(request, 28)) keys.push('consumer_generation')
  if (atLeast(request, 38)) keys.push('consumer_type')
  onlyKeys(body, keys, inPost ? consumer : 'body')
  const allocations = allocationsOf(request, body.allocations, atLeast(request, 28) || inPost)
  const owner = (key: 'project_id' | 'user_id'): string | undefined => {
    const v = body[key]
    if (v === undefined) {
      if (atLeast(request, 8)) invalid(`'${key}' is a required property`)
      return undefined
    }
    if (typeof v !== 'string' || v === '' || v.length > 255) invalid(`'${key}' must be a non-empty string`)
    return v
  }
  const projectId = owner('project_id') ?? deps.settings.incompleteConsumerProjectId
  const userId = owner('user_id') ?? deps.settings.incompleteConsumerUserId
  let consumerGeneration: number | null | undefined
  if (atLeast(request, 28)) {
    const g = body.consumer_generation
    if (g === undefined) invalid(`'consumer_generation' is a required property`)
    if (g !== null && (typeof g !== 'number' || !Number.isInteger(g) || g < 0))
      invalid(`${JSON.stringify(g)} is not valid under any of the given schemas ('consumer_generation')`)
    consumerGeneration = g as number | null
  }
  let consumerType: string | undefined
  if (atLeast(request, 38)) {
    const t = body.consumer_type
    if (t === undefined) invalid(`'consumer_type' is a required property`)
    if (typeof t !== 'string' || !CONSUMER_TYPE.test(t) || t.length > 255)
      invalid(`${JSON.stringify(t)} does not match '^[A-Z0-9_]+$' ('consumer_type')`)
    consumerType = t
  }
  return {
    consumer,
    allocations,
    projectId,
    userId,
    ...(consumerGeneration === undefined ? {} : { consumerGeneration }),
    ...(consumerType === undefined ? {} : { consumerType }),
  }
}

/** Every resource class named by the writes exists (400 otherwise). */
export async function requireKnownClasses(deps: PlacementDeps, writes: readonly ConsumerAllocations[]) {
  const classes = writes.flatMap((w) => [...w.allocations.values()].flatMap((r) => [...r.keys()]))
  const unknown = await deps.classes.unknown(classes)
  if (unknown.length > 0)
    throw badRequest(`Unable to allocate inventory: No such resource class ${unknown.join(', ')}.`)
}

/** `/allocations/{consumer}`, `POST /allocations` (1.13), `/resource_providers/{uuid}/allocations`. */
export function registerAllocationRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  type P = { Params: { consumer: string; uuid: string } }
  const consumerId = (raw: string): string => {
    const uuid = normaliseUuid(raw)
    if (uuid === undefined) throw badRequest(`Malformed consumer_uuid: ${raw}`)
    return uuid
  }

  app.get<P>('/allocations/:consumer', async (request) => {
    const view = await deps.allocations.ofConsumer(consumerId(request.params.consumer))
    const consumer = view.consumer
    return {
      allocations: Object.fromEntries(view.allocations),
      ...(atLeast(request, 12) && consumer !== undefined
        ? { project_id: consumer.projectId, user_id: consumer.userId }
        : {}),
      ...(atLeast(request, 28) && consumer !== undefined ? { consumer_generation: consumer.generation } : {}),
      ...(atLeast(request, 38) && consumer !== undefined
        ? { consumer_type: consumer.consumerType ?? 'unknown' }
        : {}),
    }
  })

  app.put<P>('/allocations/:consumer', async (request, reply) => {
    const write = parseConsumerWrite(
      request,
      deps,
      consumerId(request.params.consumer),
      bodyObject(request),
      false,
    )
    await requireKnownClasses(deps, [write])
    await deps.allocations.replace([write])
    return reply.status(204).send()
  })

  app.post('/allocations', async (request, reply) => {
    requireVersion(request, 13)
    const body = bodyObject(request)
    const writes = Object.entries(body).map(([key, value]) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        invalid(`consumer ${key} must be an object`)
      return parseConsumerWrite(request, deps, consumerId(key), value as Record<string, unknown>, true)
    })
    if (writes.length === 0) invalid('the body does not have enough properties')
    await requireKnownClasses(deps, writes)
    await deps.allocations.replace(writes)
    return reply.status(204).send()
  })

  app.delete<P>('/allocations/:consumer', async (request, reply) => {
    const uuid = consumerId(request.params.consumer)
    if (!(await deps.allocations.delete(uuid))) throw notFound(`No allocations for consumer '${uuid}'`)
    return reply.status(204).send()
  })

  app.get<P>('/resource_providers/:uuid/allocations', async (request) => {
    const rp = await deps.providers.get(request.params.uuid)
    const byConsumer = await deps.allocations.ofProvider(rp.id)
    return {
      allocations: Object.fromEntries([...byConsumer].map(([c, resources]) => [c, { resources }])),
      resource_provider_generation: rp.generation,
    }
  })
}
