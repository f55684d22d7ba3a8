import type { FastifyInstance } from 'fastify'
import { IdentityValidationError } from '../../../common/errors/index.js'
import type { IdentityDeps } from '../identity-deps.js'
import { bodyObject, optionalBool, optionalString, authorize, requiredString } from '../request-auth.js'
import type { EndpointInterface } from '../store/catalog.js'
import { collection, endpointView, regionView, serviceView } from '../views.js'

const INTERFACES = new Set(['public', 'internal', 'admin'])

export function registerCatalogRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = deps.settings.publicUrl
  const { catalog } = deps
  const q = (request: { query: unknown }) => request.query as Record<string, string | undefined>

  app.get('/v3/services', async (request) => {
    authorize(request, 'identity:list_services')
    const { type, name } = q(request)
    const list = await catalog.listServices({
      ...(type === undefined ? {} : { type }),
      ...(name === undefined ? {} : { name }),
    })
    return collection(
      base,
      '/v3/services',
      'services',
      list.map((s) => serviceView(base, s)),
    )
  })
  app.get('/v3/services/:id', async (request) => {
    authorize(request, 'identity:get_service')
    return { service: serviceView(base, await catalog.getService((request.params as { id: string }).id)) }
  })
  app.post('/v3/services', async (request, reply) => {
    authorize(request, 'identity:create_service')
    const s = bodyObject(request.body, 'service')
    const service = await catalog.createService({
      type: requiredString(s, 'type'),
      name: optionalString(s, 'name') ?? '',
      description: optionalString(s, 'description') ?? '',
      enabled: optionalBool(s, 'enabled') ?? true,
    })
    return reply.status(201).send({ service: serviceView(base, service) })
  })
  app.delete('/v3/services/:id', async (request, reply) => {
    authorize(request, 'identity:delete_service')
    await catalog.deleteService((request.params as { id: string }).id)
    return reply.status(204).send()
  })

  app.get('/v3/endpoints', async (request) => {
    authorize(request, 'identity:list_endpoints')
    const { service_id: serviceId, interface: iface, region_id: regionId } = q(request)
    const list = await catalog.listEndpoints({
      ...(serviceId === undefined ? {} : { serviceId }),
      ...(iface === undefined ? {} : { interface: iface }),
      ...(regionId === undefined ? {} : { regionId }),
    })
    return collection(
      base,
      '/v3/endpoints',
      'endpoints',
      list.map((e) => endpointView(base, e)),
    )
  })
  app.get('/v3/endpoints/:id', async (request) => {
    authorize(request, 'identity:get_endpoint')
    return { endpoint: endpointView(base, await catalog.getEndpoint((request.params as { id: string }).id)) }
  })
  app.post('/v3/endpoints', async (request, reply) => {
    authorize(request, 'identity:create_endpoint')
    const e = bodyObject(request.body, 'endpoint')
    const iface = requiredString(e, 'interface')
    if (!INTERFACES.has(iface))
      throw new IdentityValidationError({ detail: 'interface must be public, internal or admin' })
    const url = requiredString(e, 'url', 2048)
    if (!/^https?:\/\//.test(url)) throw new IdentityValidationError({ detail: 'url must be an http(s) URL' })
    const regionId = optionalString(e, 'region_id') ?? optionalString(e, 'region')
    const endpoint = await catalog.createEndpoint({
      serviceId: requiredString(e, 'service_id'),
      interface: iface as EndpointInterface,
      url,
      enabled: optionalBool(e, 'enabled') ?? true,
      ...(regionId === undefined ? {} : { regionId }),
    })
    return reply.status(201).send({ endpoint: endpointView(base, endpoint) })
  })
  app.delete('/v3/endpoints/:id', async (request, reply) => {
    authorize(request, 'identity:delete_endpoint')
    await catalog.deleteEndpoint((request.params as { id: string }).id)
    return reply.status(204).send()
  })

  app.get('/v3/regions', async (request) => {
    authorize(request, 'identity:list_regions')
    const parent = (request.query as { parent_region_id?: string }).parent_region_id
    return collection(
      base,
      '/v3/regions',
      'regions',
      (await catalog.listRegions())
        .filter((r) => parent === undefined || r.parentRegionId === parent)
        .map((r) => regionView(base, r)),
    )
  })
  app.get('/v3/regions/:id', async (request) => {
    authorize(request, 'identity:get_region')
    return { region: regionView(base, await catalog.getRegion((request.params as { id: string }).id)) }
  })
}
