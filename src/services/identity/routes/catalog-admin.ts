import type { FastifyInstance } from 'fastify'
import { IdentityForbidden, IdentityValidationError } from '../../../common/errors/index.js'
import type { IdentityDeps } from '../identity-deps.js'
import { authorize, bodyObject, optionalBool, optionalString } from '../request-auth.js'
import type { EndpointInterface } from '../store/catalog.js'
import { domainView, endpointView, regionView, serviceView } from '../views.js'

/** The update and delete side of domains, services, endpoints and regions. */
export function registerCatalogAdminRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = deps.settings.publicUrl
  const { catalog, projects } = deps
  type P = { id: string }

  app.patch('/v3/domains/:id', async (request) => {
    const { id } = request.params as P
    authorize(request, 'identity:update_domain', { target: { domain: { id } } })
    const d = bodyObject(request.body, 'domain')
    const name = optionalString(d, 'name')
    const description = optionalString(d, 'description')
    const enabled = optionalBool(d, 'enabled')
    const domain = await projects.updateDomain(id, {
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
      ...(enabled === undefined ? {} : { enabled }),
    })
    if (enabled === false) {
      const now = new Date()
      for (const p of await projects.listProjects({ domainId: id }))
        await deps.revocationCache.revoke({ projectId: p.id, issuedBefore: now })
      for (const u of await deps.users.list({ domainId: id }))
        await deps.revocationCache.revoke({ userId: u.id, issuedBefore: now })
    }
    return { domain: domainView(base, domain) }
  })
  app.delete('/v3/domains/:id', async (request, reply) => {
    const { id } = request.params as P
    authorize(request, 'identity:delete_domain', { target: { domain: { id } } })
    const domain = await projects.getDomain(id)
    if (domain.enabled) throw new IdentityForbidden({ action: 'delete an enabled domain; disable it first' })
    const now = new Date()
    for (const u of await deps.users.list({ domainId: id }))
      await deps.revocationCache.revoke({ userId: u.id, issuedBefore: now })
    await projects.deleteDomain(id)
    return reply.status(204).send()
  })

  app.patch('/v3/services/:id', async (request) => {
    authorize(request, 'identity:update_service')
    const s = bodyObject(request.body, 'service')
    const type = optionalString(s, 'type')
    const name = optionalString(s, 'name')
    const description = optionalString(s, 'description')
    const enabled = optionalBool(s, 'enabled')
    const service = await catalog.updateService((request.params as P).id, {
      ...(type === undefined ? {} : { type }),
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
      ...(enabled === undefined ? {} : { enabled }),
    })
    return { service: serviceView(base, service) }
  })

  app.patch('/v3/endpoints/:id', async (request) => {
    authorize(request, 'identity:update_endpoint')
    const e = bodyObject(request.body, 'endpoint')
    const iface = optionalString(e, 'interface')
    if (iface !== undefined && !['public', 'internal', 'admin'].includes(iface))
      throw new IdentityValidationError({ detail: 'interface must be public, internal or admin' })
    const url = optionalString(e, 'url')
    if (url !== undefined && !/^https?:\/\//.test(url))
      throw new IdentityValidationError({ detail: 'url must be an http(s) URL' })
    const serviceId = optionalString(e, 'service_id')
    const regionId = optionalString(e, 'region_id') ?? optionalString(e, 'region')
    const enabled = optionalBool(e, 'enabled')
    const endpoint = await catalog.updateEndpoint((request.params as P).id, {
      ...(serviceId === undefined ? {} : { serviceId }),
      ...(iface === undefined ? {} : { interface: iface as EndpointInterface }),
      ...(regionId === undefined ? {} : { regionId }),
      ...(url === undefined ? {} : { url }),
      ...(enabled === undefined ? {} : { enabled }),
    })
    return { endpoint: endpointView(base, endpoint) }
  })

  app.post('/v3/regions', async (request, reply) => {
    authorize(request, 'identity:create_region')
    const r = bodyObject(request.body, 'region')
    const id = optionalString(r, 'id')
    const parent = optionalString(r, 'parent_region_id')
    const region = await catalog.createRegion({
      ...(id === undefined ? {} : { id }),
      description: optionalString(r, 'description') ?? '',
      ...(parent === undefined ? {} : { parentRegionId: parent }),
    })
    return reply.status(201).send({ region: regionView(base, region) })
  })
  app.put('/v3/regions/:id', async (request, reply) => {
    authorize(request, 'identity:create_region')
    const r = (request.body as { region?: Record<string, unknown> } | undefined)?.region ?? {}
    const parent = optionalString(r, 'parent_region_id')
    const region = await catalog.createRegion({
      id: (request.params as P).id,
      description: optionalString(r, 'description') ?? '',
      ...(parent === undefined ? {} : { parentRegionId: parent }),
    })
    return reply.status(201).send({ region: regionView(base, region) })
  })
  app.patch('/v3/regions/:id', async (request) => {
    authorize(request, 'identity:update_region')
    const r = bodyObject(request.body, 'region')
    const description = optionalString(r, 'description')
    const parent = optionalString(r, 'parent_region_id')
    const region = await catalog.updateRegion((request.params as P).id, {
      ...(description === undefined ? {} : { description }),
      ...(parent === undefined ? {} : { parentRegionId: parent }),
    })
    return { region: regionView(base, region) }
  })
  app.delete('/v3/regions/:id', async (request, reply) => {
    authorize(request, 'identity:delete_region')
    await catalog.deleteRegion((request.params as P).id)
    return reply.status(204).send()
  })
}
