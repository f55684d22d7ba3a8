import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { badRequest } from '../errors.js'
import type { PlacementDeps } from '../placement-deps.js'
import {
  atLeast,
  bodyObject,
  invalid,
  normaliseUuid,
  onlyKeys,
  queryOf,
  single,
  stringField,
} from '../request-helpers.js'
import { parseMemberOfParams, parseResourcesParam, parseTraitsParam } from '../query-params.js'
import type { ProviderFilter } from '../store/providers.js'
import { providerView } from '../views.js'

/** `/resource_providers` and `/resource_providers/{uuid}`. */
export function registerProviderRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  app.get('/resource_providers', async (request) => {
    const query = queryOf(request)
    const allowed = ['name', 'uuid']
    if (atLeast(request, 3)) allowed.push('member_of')
    if (atLeast(request, 4)) allowed.push('resources')
    if (atLeast(request, 14)) allowed.push('in_tree')
    if (atLeast(request, 18)) allowed.push('required')
    const extra = Object.keys(query).filter((key) => !allowed.includes(key))
    if (extra.length > 0)
      throw badRequest(
        `Invalid query string parameters: Additional properties are not allowed (${extra.join(', ')})`,
      )
    const filter: { -readonly [K in keyof ProviderFilter]: ProviderFilter[K] } = {}
    const name = single(query, 'name')
    if (name !== undefined) filter.name = name
    const uuid = single(query, 'uuid')
    if (uuid !== undefined) {
      const normal = normaliseUuid(uuid)
      if (normal === undefined) throw badRequest(`Invalid query string parameters: '${uuid}' is not a 'uuid'`)
      filter.uuid = normal
    }
    if (query.member_of !== undefined) {
      const parsed = parseMemberOfParams(query.member_of, request)
      filter.memberOf = parsed.anyOf
      filter.notMemberOf = parsed.forbidden
    }
    const resources = single(query, 'resources')
    if (resources !== undefined) {
      const wanted = parseResourcesParam(resources, 'resources')
      const unknown = await deps.classes.unknown(wanted.keys())
      if (unknown.length > 0)
        throw badRequest(`Invalid resource class in resources parameter: ${unknown.join(', ')}`)
      filter.resources = wanted
    }
    const inTree = single(query, 'in_tree')
    if (inTree !== undefined) {
      const rp = await deps.providers.find(normaliseUuid(inTree) ?? inTree)
      if (rp === undefined) return { resource_providers: [] }
      filter.inTreeRootId = rp.rootId
    }
    const required = single(query, 'required')
    if (required !== undefined) {
      const expr = parseTraitsParam(required, request, 'required')
      const ids = await deps.traits.idsOf([...expr.allOf, ...expr.forbidden, ...expr.anyOf.flat()])
      const missing = [...expr.allOf, ...expr.forbidden, ...expr.anyOf.flat()].filter((t) => !ids.has(t))
      if (missing.length > 0)
        throw badRequest(
          `Invalid trait(s) in 'required' parameter: ${[...new Set(missing)].sort().join(', ')}`,
        )
      filter.traits = expr.allOf.map((t) => ids.get(t)!)
      filter.forbiddenTraits = expr.forbidden.map((t) => ids.get(t)!)
      filter.anyTraits = expr.anyOf.map((set) => set.map((t) => ids.get(t)!))
    }
    const rows = await deps.providers.list(filter)
    return { resource_providers: rows.map((rp) => providerView(request, rp)) }
  })

  app.post('/resource_providers', async (request, reply) => {
    const body = bodyObject(request)
    onlyKeys(body, atLeast(request, 14) ? ['name', 'uuid', 'parent_provider_uuid'] : ['name', 'uuid'])
    const name = stringField(body, 'name', { required: true, maxLength: 200 })!
    let uuid: string = randomUUID()
    if (body.uuid !== undefined) {
      const normal = normaliseUuid(body.uuid)
      if (normal === undefined) invalid(`${JSON.stringify(body.uuid)} is not a 'uuid' ('uuid')`)
      uuid = normal
    }
    const parent = parentField(body)
    const rp = await deps.providers.create({
      uuid,
      name,
      ...(parent === undefined ? {} : { parentUuid: parent }),
    })
    reply.status(201).header('location', `/resource_providers/${rp.uuid}`)
    if (atLeast(request, 20)) return providerView(request, rp)
    return reply.send()
  })

  app.get<{ Params: { uuid: string } }>('/resource_providers/:uuid', async (request) => {
    return providerView(request, await deps.providers.get(request.params.uuid))
  })

  app.put<{ Params: { uuid: string } }>('/resource_providers/:uuid', async (request) => {
    const body = bodyObject(request)
    onlyKeys(body, atLeast(request, 14) ? ['name', 'parent_provider_uuid'] : ['name'])
    const name = stringField(body, 'name', { required: true, maxLength: 200 })!
    const parent = parentField(body)
    const rp = await deps.providers.update(
      request.params.uuid,
      { name, ...(parent === undefined ? {} : { parentUuid: parent }) },
      atLeast(request, 37),
    )
    return providerView(request, rp)
  })

  app.delete<{ Params: { uuid: string } }>('/resource_providers/:uuid', async (request, reply) => {
    await deps.providers.delete(request.params.uuid)
    return reply.status(204).send()
  })
}

function parentField(body: Record<string, unknown>): string | null | undefined {
  const value = body.parent_provider_uuid
  if (value === undefined || value === null) return value
  const normal = normaliseUuid(value)
  if (normal === undefined) invalid(`${JSON.stringify(value)} is not a 'uuid' ('parent_provider_uuid')`)
  return normal
}
