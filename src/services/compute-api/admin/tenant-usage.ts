import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { UntypedKysely } from '../../../db/index.js'
import { ApiFault, badRequest } from '../faults.js'
import { atLeast } from '../microversion.js'
import { authorize, collectionLinks, pageOf, param } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import { isoTime, paramOf } from './common.js'
import type { AdminDeps } from './deps.js'

type Row = Record<string, unknown>

interface ServerUsage {
  instance_id: string
  name: string | null
  hours: number
  memory_mb: number
  local_gb: number
  vcpus: number
  tenant_id: string
  flavor: string
  started_at: string | null
  ended_at: string | null
  state: string | null
  uptime: number
}

interface TenantUsage {
  tenant_id: string
  server_usages?: ServerUsage[]
  total_local_gb_usage: number
  total_vcpus_usage: number
  total_memory_mb_usage: number
  total_hours: number
  start: string | null
  stop: string | null
}

/** `start`/`end`: `%Y-%m-%dT%H:%M:%S[.%f]` or `%Y-%m-%d %H:%M:%S.%f`, UTC; absent → now. */
function parseTime(raw: string | undefined, now: Date): Date {
  if (raw === undefined || raw === '') return now
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d{1,6})?$/.exec(raw)
  const at = m === null ? undefined : new Date(`${m[1]}T${m[2]}${m[3] ?? ''}Z`)
  if (at === undefined || Number.isNaN(at.getTime()) || (m?.[3] === undefined && raw.includes(' ')))
    throw badRequest('Invalid datetime string: Datetime is in invalid format')
  return at
}

/** Nova's `_hours_for`: the hours of the window the instance ran (0 if never launched). */
function hoursFor(launched: Date | undefined, terminated: Date | undefined, start: Date, stop: Date): number {
  if (terminated !== undefined && terminated < start) return 0
  if (launched === undefined || launched > stop) return 0
  const from = Math.max(launched.getTime(), start.getTime())
  const to = terminated === undefined ? stop.getTime() : Math.min(stop.getTime(), terminated.getTime())
  return (to - from) / 3_600_000
}

/**
 * os-simple-tenant-usage: usage of every project (admin) or of one, over `start`..`end` (end capped at now),
 * from the instances that ran in the window (deleted ones included) and the flavor each carries in
 * `instance_extra` — one query; `detailed=1` adds the servers; 2.40 pages by instance (marker = instance uuid).
 */
export function registerTenantUsageRoutes(
  app: FastifyInstance,
  deps: ComputeApiDeps,
  admin: AdminDeps,
): void {
  const { settings } = deps
  const k = admin.mainDb.kysely as UntypedKysely
  const d = admin.mainDb.differences

  async function usages(
    request: FastifyRequest,
    collection: string,
    projectId: string | undefined,
    detailed: boolean,
  ) {
    const now = admin.clock.now()
    const start = parseTime(param(request, 'start'), now)
    let stop = parseTime(param(request, 'end'), now)
    if (!(start < stop))
      throw badRequest('Invalid start time. The start time cannot occur after the end time.')
    if (stop > now) stop = now
    const paged = atLeast(request, 40)
    const page = paged ? pageOf(request, settings) : undefined
    let q = k
      .selectFrom('instances')
      .leftJoin('instance_extra', 'instance_extra.instance_uuid', 'instances.uuid')
      .select([
        'instances.uuid as uuid',
        'instances.display_name as display_name',
        'instances.project_id as project_id',
        'instances.vm_state as vm_state',
        'instances.launched_at as launched_at',
        'instances.terminated_at as terminated_at',
        'instances.memory_mb as memory_mb',
        'instances.vcpus as vcpus',
        'instances.root_gb as root_gb',
        'instances.ephemeral_gb as ephemeral_gb',
        'instance_extra.flavor as flavor',
      ])
      .where((eb) =>
        eb.or([
          eb('instances.terminated_at', 'is', null),
          eb('instances.terminated_at', '>', d.toDbDate(start)),
        ]),
      )
      .where('instances.launched_at', '<', d.toDbDate(stop))
      .orderBy('instances.project_id')
      .orderBy('instances.uuid')
    if (projectId !== undefined) q = q.where('instances.project_id', '=', projectId)
    if (page?.marker !== undefined) {
      const marker = (await k
        .selectFrom('instances')
        .select(['project_id', 'uuid'])
        .where('uuid', '=', page.marker)
        .executeTakeFirst()) as Row | undefined
      if (marker === undefined) throw badRequest(`Marker ${page.marker} could not be found.`)
      const mp = String(marker.project_id ?? '')
      q = q.where((eb) =>
        eb.or([
          eb('instances.project_id', '>', mp),
          eb.and([eb('instances.project_id', '=', mp), eb('instances.uuid', '>', page.marker!)]),
        ]),
      )
    }
    if (page !== undefined) q = q.limit(page.limit)
    const rows = (await q.execute()) as Row[]
    const byTenant = new Map<string, TenantUsage>()
    const servers: ServerUsage[] = []
    for (const r of rows) {
      const launched = d.fromDbDate(r.launched_at)
      const terminated = d.fromDbDate(r.terminated_at)
      let flavor: Record<string, unknown> | undefined
      try {
        const parsed = typeof r.flavor === 'string' ? (JSON.parse(r.flavor) as { cur?: Row }) : undefined
        flavor = parsed?.cur ?? undefined
      } catch {
        flavor = undefined
      }
      const n = (v: unknown, fallback: unknown) => Number(v ?? fallback ?? 0)
      const hours = hoursFor(launched, terminated, start, stop)
      const ended = terminated === undefined ? null : isoTime(terminated)
      const info: ServerUsage = {
        instance_id: String(r.uuid),
        name: r.display_name === null ? null : String(r.display_name),
        hours,
        memory_mb: n(flavor?.memory_mb, r.memory_mb),
        local_gb: n(flavor?.root_gb, r.root_gb) + n(flavor?.ephemeral_gb, r.ephemeral_gb),
        vcpus: n(flavor?.vcpus, r.vcpus),
        tenant_id: String(r.project_id ?? ''),
        flavor: typeof flavor?.name === 'string' ? flavor.name : '',
        started_at: isoTime(launched),
        ended_at: ended,
        state: ended === null ? (r.vm_state === null ? null : String(r.vm_state)) : 'terminated',
        uptime: Math.trunc(((terminated ?? now).getTime() - (launched ?? now).getTime()) / 1000),
      }
      let summary = byTenant.get(info.tenant_id)
      if (summary === undefined) {
        summary = {
          tenant_id: info.tenant_id,
          ...(detailed ? { server_usages: [] } : {}),
          total_local_gb_usage: 0,
          total_vcpus_usage: 0,
          total_memory_mb_usage: 0,
          total_hours: 0,
          start: isoTime(start),
          stop: isoTime(stop),
        }
        byTenant.set(info.tenant_id, summary)
      }
      summary.total_local_gb_usage += info.local_gb * hours
      summary.total_vcpus_usage += info.vcpus * hours
      summary.total_memory_mb_usage += info.memory_mb * hours
      summary.total_hours += hours
      summary.server_usages?.push(info)
      servers.push(info)
    }
    const links =
      page === undefined
        ? undefined
        : collectionLinks(request, settings, servers, page, collection, servers.at(-1)?.instance_id)
    return { usages: [...byTenant.values()], links }
  }

  route(app, 'GET', '/os-simple-tenant-usage', async (request) => {
    authorize(request, settings, 'os_compute_api:os-simple-tenant-usage:list', {})
    const { usages: list, links } = await usages(
      request,
      'os-simple-tenant-usage',
      undefined,
      param(request, 'detailed') === '1',
    )
    return { tenant_usages: list, ...(links === undefined ? {} : { tenant_usages_links: links }) }
  })

  route(app, 'GET', '/os-simple-tenant-usage/:tenant_id', async (request) => {
    const tenant = paramOf(request, 'tenant_id')
    // `/os-simple-tenant-usage/` (an empty id) is no route of Nova's.
    if (tenant === '') throw new ApiFault(404, 'The resource could not be found.')
    authorize(request, settings, 'os_compute_api:os-simple-tenant-usage:show', { project_id: tenant })
    const { usages: list, links } = await usages(request, `os-simple-tenant-usage/${tenant}`, tenant, true)
    return { tenant_usage: list[0] ?? {}, ...(links === undefined ? {} : { tenant_usage_links: links }) }
  })
}
