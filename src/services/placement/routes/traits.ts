import type { FastifyInstance } from 'fastify'
import { badRequest, notFound } from '../errors.js'
import type { PlacementDeps } from '../placement-deps.js'
import {
  bodyObject,
  intField,
  invalid,
  onlyKeys,
  queryOf,
  requireVersion,
  single,
} from '../request-helpers.js'
import { CUSTOM_NAME } from '../standard-classes.js'

/** `/traits[/{name}]` (1.6) and `/resource_providers/{uuid}/traits`. */
export function registerTraitRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  type P = { Params: { name: string; uuid: string } }

  app.get('/traits', async (request) => {
    requireVersion(request, 6)
    const query = queryOf(request)
    const extra = Object.keys(query).filter((k) => k !== 'name' && k !== 'associated')
    if (extra.length > 0)
      throw badRequest(
        `Invalid query string parameters: Additional properties are not allowed (${extra.join(', ')})`,
      )
    const filter: { startsWith?: string; in?: string[]; associated?: boolean } = {}
    const name = single(query, 'name')
    if (name !== undefined) {
      if (name.startsWith('startswith:')) filter.startsWith = name.slice('startswith:'.length)
      else if (name.startsWith('in:'))
        filter.in = name
          .slice(3)
          .split(',')
          .map((n) => n.trim())
      else
        throw badRequest(
          `Badly formatted name parameter. Expected name query string parameter in form: ?name=[in|startswith]:[name1,name2|prefix]. Got: "${name}"`,
        )
    }
    const associated = single(query, 'associated')
    if (associated !== undefined) {
      if (associated !== 'true' && associated !== 'false')
        throw badRequest(`The query parameter "associated" only accepts "true" or "false"`)
      filter.associated = associated === 'true'
    }
    return { traits: await deps.traits.list(filter) }
  })

  app.get<P>('/traits/:name', async (request, reply) => {
    requireVersion(request, 6)
    if (!(await deps.traits.exists(request.params.name)))
      throw notFound(`No such trait(s): ${request.params.name}`)
    return reply.status(204).send()
  })

  app.put<P>('/traits/:name', async (request, reply) => {
    requireVersion(request, 6)
    const name = request.params.name
    if (!CUSTOM_NAME.test(name))
      throw badRequest(
        `The trait is invalid. A valid trait must be no longer than 255 characters, start with the prefix "CUSTOM_" and use following characters: "A"-"Z", "0"-"9" and "_"`,
      )
    const created = await deps.traits.create(name)
    return reply
      .status(created ? 201 : 204)
      .header('location', `/traits/${name}`)
      .send()
  })

  app.delete<P>('/traits/:name', async (request, reply) => {
    requireVersion(request, 6)
    const name = request.params.name
    if (!CUSTOM_NAME.test(name)) throw badRequest(`Cannot delete standard trait ${name}.`)
    if (!(await deps.traits.delete(name))) throw notFound(`No such trait(s): ${name}`)
    return reply.status(204).send()
  })

  const providerTraits = '/resource_providers/:uuid/traits'
  const view = async (uuid: string) => {
    const rp = await deps.providers.get(uuid)
    return { traits: await deps.traits.ofProvider(rp.id), resource_provider_generation: rp.generation }
  }
  app.get<P>(providerTraits, async (request) => {
    requireVersion(request, 6)
    return view(request.params.uuid)
  })
  app.put<P>(providerTraits, async (request) => {
    requireVersion(request, 6)
    const body = bodyObject(request)
    onlyKeys(body, ['traits', 'resource_provider_generation'])
    const generation = intField(body, 'resource_provider_generation', { required: true, min: 0 })!
    const traits = body.traits
    if (!Array.isArray(traits) || traits.some((t) => typeof t !== 'string' || t === ''))
      invalid(`'traits' must be an array of trait names`)
    if (new Set(traits).size !== traits.length) invalid(`'traits' has non-unique elements`)
    const rp = await deps.providers.get(request.params.uuid)
    await deps.traits.setForProvider(rp, generation, traits as string[])
    return view(rp.uuid)
  })
  app.delete<P>(providerTraits, async (request, reply) => {
    requireVersion(request, 6)
    const rp = await deps.providers.get(request.params.uuid)
    await deps.traits.setForProvider(rp, undefined, [])
    return reply.status(204).send()
  })
}
