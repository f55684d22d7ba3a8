import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { UntypedKysely } from '../../../db/index.js'
import { ApiFault } from '../faults.js'
import { requireVersion } from '../microversion.js'
import { authorize, param } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import { validate, type Schema } from '../validation.js'
import { API_BINARIES, hostZones, notFound, paramOf, zoneOf } from './common.js'
import type { AdminDeps } from './deps.js'

const POLICY = 'os_compute_api:os-hosts'
/** os-hosts was removed by microversion 2.43. */
const LAST = 42

const toggle: Schema = {
  type: 'string',
  enum: ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE'],
}
const UPDATE: Schema = {
  type: 'object',
  properties: { status: toggle, maintenance_mode: toggle },
  minProperties: 1,
  additionalProperties: false,
}

/** The `service` os-hosts names for a binary: its topic (`nova-compute` → `compute`). */
const serviceOf = (binary: string): string => binary.replace(/^nova-/, '')

interface Usage {
  project: string
  cpu: number
  memory_mb: number
  disk_gb: number
}

/**
 * os-hosts (deprecated, 2.1–2.42): the hosts of the services, a compute host's resources (total, used now, used
 * at most by instances, and per project), enabling/disabling a compute host, and the power actions Nova's
 * drivers do not implement (501).
 */
export function registerHostRoutes(app: FastifyInstance, deps: ComputeApiDeps, admin: AdminDeps): void {
  const { settings } = deps

  /** The live nova-compute service of `host`, or 404 as Nova's ComputeHostNotFound. */
  const computeService = async (host: string) => {
    const service = await admin.services.getByHostAndBinary(host, 'nova-compute')
    if (service === undefined) throw notFound(`Compute host ${host} could not be found.`)
    return service
  }

  const guard = (request: FastifyRequest, rule: string): void => {
    requireVersion(request, 1, LAST)
    authorize(request, settings, `${POLICY}:${rule}`)
  }

  route(app, 'GET', '/os-hosts', async (request) => {
    guard(request, 'list')
    const zone = param(request, 'zone')
    const zones = await hostZones(admin)
    const hosts = (await admin.services.list())
      .filter((s) => !API_BINARIES.has(s.binary))
      .map((s) => ({ host_name: s.host, service: serviceOf(s.binary), zone: zoneOf(admin, zones, s) }))
      .filter((h) => zone === undefined || zone === '' || h.zone === zone)
    return { hosts }
  })

  route(app, 'GET', '/os-hosts/:host', async (request) => {
    guard(request, 'show')
    const host = paramOf(request, 'host')
    await computeService(host)
    const nodes = await admin.computeNodes.list({ host })
    if (nodes.length === 0) throw notFound(`Compute host ${host} could not be found.`)
    const k = admin.mainDb.kysely as UntypedKysely
    const rows = (await k
      .selectFrom('instances')
      .select(['project_id', 'vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb'])
      .where('host', '=', host)
      .where('deleted', '=', 0)
      .execute()) as {
      project_id: string
      vcpus: number | null
      memory_mb: number | null
      root_gb: number | null
      ephemeral_gb: number | null
    }[]
    const sum = (pick: (n: (typeof nodes)[number]) => number | null): number =>
      nodes.reduce((total, n) => total + Number(pick(n) ?? 0), 0)
    const byProject = new Map<string, Usage>()
    const usedMax: Usage = { project: '(used_max)', cpu: 0, memory_mb: 0, disk_gb: 0 }
    for (const r of rows) {
      const usage = byProject.get(r.project_id) ?? { project: r.project_id, cpu: 0, memory_mb: 0, disk_gb: 0 }
      for (const u of [usage, usedMax]) {
        u.cpu += Number(r.vcpus ?? 0)
        u.memory_mb += Number(r.memory_mb ?? 0)
        u.disk_gb += Number(r.root_gb ?? 0) + Number(r.ephemeral_gb ?? 0)
      }
      byProject.set(r.project_id, usage)
    }
    const resources: Usage[] = [
      {
        project: '(total)',
        cpu: sum((n) => n.vcpus),
        memory_mb: sum((n) => n.memory_mb),
        disk_gb: sum((n) => n.local_gb),
      },
      {
        project: '(used_now)',
        cpu: sum((n) => n.vcpus_used),
        memory_mb: sum((n) => n.memory_mb_used),
        disk_gb: sum((n) => n.local_gb_used),
      },
      usedMax,
      ...[...byProject.values()].sort((a, b) => a.project.localeCompare(b.project)),
    ]
    return { host: resources.map((r) => ({ resource: { host, ...r } })) }
  })

  route(app, 'PUT', '/os-hosts/:host', async (request) => {
    guard(request, 'update')
    validate(UPDATE, request.body)
    const body = request.body as { status?: string; maintenance_mode?: string }
    const host = paramOf(request, 'host')
    const service = await computeService(host)
    if (body.maintenance_mode !== undefined)
      throw new ApiFault(501, 'Virt driver does not implement host maintenance mode.')
    const enable = body.status!.toLowerCase() === 'enable'
    await admin.services.update(service.id, { disabled: !enable, disabledReason: null })
    return { host, status: enable ? 'enabled' : 'disabled' }
  })

  for (const action of ['startup', 'shutdown', 'reboot'] as const)
    route(app, 'GET', `/os-hosts/:host/${action}`, async (request) => {
      guard(request, action === 'startup' ? 'start' : action)
      await computeService(paramOf(request, 'host'))
      throw new ApiFault(501, 'Virt driver does not implement host power management.')
    })
}
