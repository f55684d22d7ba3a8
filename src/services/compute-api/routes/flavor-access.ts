import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiFault, badRequest } from '../faults.js'
import { atLeast } from '../microversion.js'
import { authorize } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import type { Flavor } from '../store/flavors.js'
import { validate, type Schema } from '../validation.js'
import { visibleFlavor } from './flavors.js'

const POLICY = 'os_compute_api:os-flavor-access'

const actionSchema = (action: string): Schema => ({
  type: 'object',
  properties: {
    [action]: {
      type: 'object',
      properties: { tenant: { type: 'string', minLength: 1, maxLength: 255 } },
      required: ['tenant'],
      additionalProperties: false,
    },
  },
  required: [action],
  additionalProperties: false,
})

const accessList = (flavor: Flavor) => ({
  flavor_access: flavor.projects.map((tenant) => ({ flavor_id: flavor.flavorid, tenant_id: tenant })),
})

/** `GET /flavors/{id}/os-flavor-access` and the `addTenantAccess` / `removeTenantAccess` actions. */
export function registerFlavorAccessRoutes(app: FastifyInstance, deps: ComputeApiDeps): void {
  const { settings } = deps
  const flavorIdOf = (request: FastifyRequest) => (request.params as { flavor_id: string }).flavor_id

  route(app, 'GET', '/flavors/:flavor_id/os-flavor-access', async (request) => {
    authorize(request, settings, POLICY)
    const flavor = await visibleFlavor(deps, request, flavorIdOf(request))
    if (flavor.isPublic) throw new ApiFault(404, 'Access list not available for public flavors.')
    return accessList(flavor)
  })

  route(app, 'POST', '/flavors/:flavor_id/action', async (request) => {
    const body = request.body
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length !== 1)
      throw badRequest('Malformed request body')
    const action = Object.keys(body)[0]!
    if (action !== 'addTenantAccess' && action !== 'removeTenantAccess')
      throw badRequest(`There is no such action: ${action}`)
    const add = action === 'addTenantAccess'
    validate(actionSchema(action), body)
    authorize(request, settings, `${POLICY}:${add ? 'add' : 'remove'}_tenant_access`)
    const tenant = (body as Record<string, { tenant: string }>)[action]!.tenant
    const flavor = await visibleFlavor(deps, request, flavorIdOf(request))
    if (add) {
      if (atLeast(request, 7) && flavor.isPublic)
        throw new ApiFault(409, 'Can not add access to a public flavor.')
      await deps.flavors.addAccess(flavor, tenant)
    } else await deps.flavors.removeAccess(flavor, tenant)
    return accessList(await deps.flavors.get(flavor.flavorid))
  })
}
