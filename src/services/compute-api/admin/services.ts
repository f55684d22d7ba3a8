import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ServiceRecord, UntypedKysely } from '../../../db/index.js'
import { ApiFault, badRequest } from '../faults.js'
import { atLeast } from '../microversion.js'
import { authorize, param } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import { booleanType, toBool, validate, type Schema } from '../validation.js'
import {
  API_BINARIES,
  hostZones,
  isoTime,
  notFound,
  paramOf,
  serviceUp,
  tryPlacement,
  UUID_PATTERN,
  zoneOf,
} from './common.js'
import type { AdminDeps } from './deps.js'
import { refuseForceUpWithDoneEvacuations } from './evacuation-fence.js'

const POLICY = 'os_compute_api:os-services'
const DISABLED_TRAIT = 'COMPUTE_STATUS_DISABLED'

const reason: Schema = { type: 'string', minLength: 1, maxLength: 255 }
const hostAndBinary = (extra: Record<string, Schema>): Schema => ({
  type: 'object',
  properties: {
    host: { type: 'string', minLength: 1, maxLength: 255 },
    binary: { type: 'string', minLength: 1, maxLength: 255 },
    ...extra,
  },
  required: ['host', 'binary'],
  additionalProperties: false,
})
const UPDATE_V253: Schema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['enabled', 'disabled'] },
    disabled_reason: reason,
    forced_down: booleanType,
  },
  additionalProperties: false,
}

/**
 * Sets or clears COMPUTE_STATUS_DISABLED on the compute node providers of a nova-compute service. Nova's compute
 * does this when told of the change; nova-ts does it from the API, through placement, logging when unreachable.
 */
async function mirrorDisabled(deps: AdminDeps, service: ServiceRecord): Promise<void> {
  if (service.binary !== 'nova-compute') return
  const nodes = await deps.computeNodes.list({ host: service.host })
  await tryPlacement(deps, `setting ${DISABLED_TRAIT} on ${service.host}`, async (client) => {
    for (const node of nodes) {
      const traits = (await client.traitsOf(node.uuid)).filter((t) => t !== DISABLED_TRAIT)
      await client.setTraits(node.uuid, service.disabled ? [...traits, DISABLED_TRAIT] : traits)
    }
  })
}

export function registerServiceRoutes(app: FastifyInstance, deps: ComputeApiDeps, admin: AdminDeps): void {
  const { settings } = deps

  const view = (request: FastifyRequest, s: ServiceRecord, zones: Map<string, string>) => ({
    id: atLeast(request, 53) ? s.uuid : s.id,
    binary: s.binary,
    host: s.host,
    zone: zoneOf(admin, zones, s),
    status: s.disabled ? 'disabled' : 'enabled',
    state: serviceUp(admin, s) ? 'up' : 'down',
    updated_at: isoTime(s.updatedAt ?? s.lastSeenUp),
    disabled_reason: s.disabledReason ?? null,
    ...(atLeast(request, 11) ? { forced_down: s.forcedDown } : {}),
  })

  route(app, 'GET', '/os-services', async (request) => {
    authorize(request, settings, `${POLICY}:list`)
    const host = param(request, 'host')
    const binary = param(request, 'binary')
    const services = (
      await admin.services.list({
        ...(host === undefined ? {} : { host }),
        ...(binary === undefined ? {} : { binary }),
      })
    ).filter((s) => !API_BINARIES.has(s.binary))
    const zones = await hostZones(admin)
    return { services: services.map((s) => view(request, s, zones)) }
  })

  /** The service a legacy action names by host and binary. */
  const byHostAndBinary = async (host: string, binary: string): Promise<ServiceRecord> => {
    const service = await admin.services.getByHostAndBinary(host, binary)
    if (service === undefined) throw notFound(`Could not find binary ${binary} on host ${host}.`)
    return service
  }

  const legacyUpdate = async (request: FastifyRequest) => {
    const action = paramOf(request, 'id')
    const body = request.body as Record<string, unknown>
    switch (action) {
      case 'enable':
      case 'disable': {
        validate(hostAndBinary({}), body)
        const { host, binary } = body as { host: string; binary: string }
        const service = await byHostAndBinary(host, binary)
        const updated = await admin.services.update(service.id, {
          disabled: action === 'disable',
          ...(action === 'enable' ? { disabledReason: null } : {}),
        })
        await mirrorDisabled(admin, updated)
        return { service: { host, binary, status: `${action}d` } }
      }
      case 'disable-log-reason': {
        validate(hostAndBinary({ disabled_reason: reason }), body)
        const { host, binary, disabled_reason } = body as Record<string, string | undefined>
        if (disabled_reason === undefined) throw badRequest('Missing disabled reason field')
        const service = await byHostAndBinary(host!, binary!)
        const updated = await admin.services.update(service.id, {
          disabled: true,
          disabledReason: disabled_reason,
        })
        await mirrorDisabled(admin, updated)
        return { service: { host, binary, status: 'disabled', disabled_reason } }
      }
      case 'force-down': {
        if (!atLeast(request, 11)) throw notFound('Unknown action')
        validate(hostAndBinary({ forced_down: booleanType }), body)
        const { host, binary, forced_down } = body as { host: string; binary: string; forced_down?: unknown }
        if (forced_down === undefined) throw badRequest('Missing forced_down field')
        const service = await byHostAndBinary(host, binary)
        if (!toBool(forced_down)) await refuseForceUpWithDoneEvacuations(admin, service)
        await admin.services.update(service.id, { forcedDown: toBool(forced_down) })
        return { service: { host, binary, forced_down: toBool(forced_down) } }
      }
      default:
        throw notFound('Unknown action')
    }
  }

  route(app, 'PUT', '/os-services/:id', async (request) => {
    authorize(request, settings, `${POLICY}:update`)
    if (!atLeast(request, 53)) return await legacyUpdate(request)
    const id = paramOf(request, 'id')
    if (!UUID_PATTERN.test(id)) throw badRequest(`Invalid uuid ${id}`)
    validate(UPDATE_V253, request.body ?? {})
    const body = (request.body ?? {}) as { status?: string; disabled_reason?: string; forced_down?: unknown }
    const service = (await admin.services.list()).find((s) => s.uuid === id)
    if (service === undefined) throw notFound(`Service ${id} could not be found.`)
    if (service.binary !== 'nova-compute')
      throw badRequest(
        `Updating a ${service.binary} service is not supported. Only nova-compute services can be updated.`,
      )
    if (body.status === undefined && body.forced_down === undefined)
      throw badRequest("No updates were requested. Fields 'status' or 'forced_down' should be specified.")
    if (body.disabled_reason !== undefined && body.status !== 'disabled')
      throw badRequest("Specifying 'disabled_reason' with status other than 'disabled' is invalid.")
    const changes: { disabled?: boolean; disabledReason?: string | null; forcedDown?: boolean } = {}
    if (body.status !== undefined) {
      changes.disabled = body.status === 'disabled'
      changes.disabledReason = changes.disabled ? (body.disabled_reason ?? null) : null
    }
    if (body.forced_down !== undefined) changes.forcedDown = toBool(body.forced_down)
    if (changes.forcedDown === false) await refuseForceUpWithDoneEvacuations(admin, service)
    const updated = await admin.services.update(service.id, changes)
    if (changes.disabled !== undefined) await mirrorDisabled(admin, updated)
    return { service: view(request, updated, await hostZones(admin)) }
  })

  route(app, 'DELETE', '/os-services/:id', async (request, reply) => {
    authorize(request, settings, `${POLICY}:delete`)
    const id = paramOf(request, 'id')
    const all = await admin.services.list()
    let service: ServiceRecord | undefined
    if (atLeast(request, 53)) {
      if (!UUID_PATTERN.test(id)) throw badRequest(`Invalid uuid ${id}`)
      service = all.find((s) => s.uuid === id)
    } else {
      if (!/^\d+$/.test(id)) throw badRequest(`Invalid ID ${id}`)
      service = all.find((s) => s.id === Number(id))
    }
    if (service === undefined) throw notFound(`Service ${id} could not be found.`)
    if (service.binary === 'nova-compute') await deleteCompute(admin, service)
    await admin.services.softDelete(service.id)
    return reply.status(204).send()
  })
}

/**
 * Deleting a nova-compute service: refused (409) while instances live on its host; else its compute nodes go
 * (and their placement providers), and the host leaves its aggregates.
 */
async function deleteCompute(admin: AdminDeps, service: ServiceRecord): Promise<void> {
  const main = admin.mainDb.kysely as UntypedKysely
  const hosted = (await main
    .selectFrom('instances')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('host', '=', service.host)
    .where('deleted', '=', 0)
    .executeTakeFirst()) as { n: unknown } | undefined
  if (Number(hosted?.n ?? 0) > 0)
    throw new ApiFault(
      409,
      'Unable to delete compute service that is hosting instances. Migrate or delete the instances first.',
    )
  const nodes = await admin.computeNodes.list({ host: service.host })
  const d = admin.mainDb.differences
  for (const node of nodes)
    await main
      .updateTable('compute_nodes')
      .set({ deleted: node.id, deleted_at: d.toDbDate(admin.clock.now()) })
      .where('id', '=', node.id)
      .execute()
  const api = admin.apiDb.kysely as UntypedKysely
  await api.deleteFrom('aggregate_hosts').where('host', '=', service.host).execute()
  await tryPlacement(admin, `deleting the providers of ${service.host}`, async (client) => {
    for (const node of nodes) await client.deleteProvider(node.uuid)
  })
}
