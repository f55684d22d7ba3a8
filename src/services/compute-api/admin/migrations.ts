import type { FastifyInstance, FastifyRequest } from 'fastify'
import { InstanceNotFound } from '../../../common/errors/index.js'
import type { UntypedKysely } from '../../../db/index.js'
import { ApiFault, badRequest } from '../faults.js'
import { atLeast, requireVersion } from '../microversion.js'
import { authorize, collectionLinks, pageOf, param, resourceLinks } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import { isoTime, paramOf } from './common.js'
import type { AdminDeps } from './deps.js'

/** Statuses of a live migration still under way (Nova's in-progress list of the migrations APIs). */
const LIVE_IN_PROGRESS = ['queued', 'preparing', 'running', 'post-migrating']

type Row = Record<string, unknown>

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

/**
 * os-migrations (GET /os-migrations: filters host, status, instance_uuid, source_compute, migration_type; 2.23
 * migration_type and links of in-progress live migrations; 2.59 uuid, limit/marker/changes-since, newest first;
 * 2.66 changes-before; 2.80 user_id/project_id) and the in-progress live migrations of one server (2.23+), over
 * the cell database's `migrations` table (hidden rows never shown).
 */
export function registerMigrationRoutes(app: FastifyInstance, deps: ComputeApiDeps, admin: AdminDeps): void {
  const { settings } = deps
  const k = admin.mainDb.kysely as UntypedKysely
  const d = admin.mainDb.differences
  const time = (v: unknown) => isoTime(d.fromDbDate(v) ?? null)
  const dateParam = (request: FastifyRequest, name: string): Date | undefined => {
    const raw = param(request, name)
    if (raw === undefined) return undefined
    const at = new Date(raw)
    if (Number.isNaN(at.getTime()))
      throw badRequest(`Invalid input for query parameters ${name}. Value: ${raw}.`)
    return at
  }

  const listView = (request: FastifyRequest, m: Row) => {
    const instanceUuid = String(m.instance_uuid)
    const type = str(m.migration_type)
    const status = str(m.status)
    const view: Record<string, unknown> = {
      created_at: time(m.created_at),
      dest_compute: str(m.dest_compute),
      dest_host: str(m.dest_host),
      dest_node: str(m.dest_node),
      id: Number(m.id),
      instance_uuid: instanceUuid,
      new_instance_type_id: num(m.new_instance_type_id),
      old_instance_type_id: num(m.old_instance_type_id),
      source_compute: str(m.source_compute),
      source_node: str(m.source_node),
      status,
      updated_at: time(m.updated_at),
    }
    if (atLeast(request, 23)) {
      view.migration_type = type
      if (type === 'live-migration' && status !== null && LIVE_IN_PROGRESS.includes(status))
        view.links = resourceLinks(request, settings, `servers/${instanceUuid}/migrations`, String(m.id))
    }
    if (atLeast(request, 59)) view.uuid = str(m.uuid)
    if (atLeast(request, 80)) {
      view.user_id = str(m.user_id)
      view.project_id = str(m.project_id)
    }
    return view
  }

  route(app, 'GET', '/os-migrations', async (request) => {
    authorize(request, settings, 'os_compute_api:os-migrations:index')
    const paged = atLeast(request, 59)
    let q = k
      .selectFrom('migrations')
      .selectAll()
      .where('deleted', '=', 0)
      .where((eb) => eb.or([eb('hidden', '=', 0), eb('hidden', 'is', null)]))
    const status = param(request, 'status')
    if (status !== undefined) q = q.where('status', '=', status)
    const host = param(request, 'host')
    if (host !== undefined)
      q = q.where((eb) => eb.or([eb('source_compute', '=', host), eb('dest_compute', '=', host)]))
    for (const key of ['instance_uuid', 'source_compute', 'migration_type'] as const) {
      const value = param(request, key)
      if (value !== undefined) q = q.where(key, '=', value)
    }
    if (atLeast(request, 80))
      for (const key of ['user_id', 'project_id'] as const) {
        const value = param(request, key)
        if (value !== undefined) q = q.where(key, '=', value)
      }
    if (paged) {
      const since = dateParam(request, 'changes-since')
      const before = atLeast(request, 66) ? dateParam(request, 'changes-before') : undefined
      if (since !== undefined && before !== undefined && since > before)
        throw badRequest('The value of changes-since must be less than or equal to changes-before.')
      if (since !== undefined) q = q.where('updated_at', '>=', d.toDbDate(since))
      if (before !== undefined) q = q.where('updated_at', '<=', d.toDbDate(before))
      q = q.orderBy('created_at', 'desc').orderBy('id', 'desc')
    } else q = q.orderBy('id', 'asc')
    let rows = (await q.execute()) as Row[]
    if (!paged) return { migrations: rows.map((m) => listView(request, m)) }
    const page = pageOf(request, settings)
    if (page.marker !== undefined) {
      const at = rows.findIndex((m) => m.uuid === page.marker)
      if (at < 0) throw badRequest(`Marker ${page.marker} could not be found.`)
      rows = rows.slice(at + 1)
    }
    rows = rows.slice(0, page.limit)
    const links = collectionLinks(
      request,
      settings,
      rows,
      page,
      'os-migrations',
      str(rows.at(-1)?.uuid) ?? undefined,
    )
    return {
      migrations: rows.map((m) => listView(request, m)),
      ...(links === undefined ? {} : { migrations_links: links }),
    }
  })

  // ---- /servers/{id}/migrations --------------------------------------------------------------------------

  const serverView = (request: FastifyRequest, m: Row) => ({
    created_at: time(m.created_at),
    dest_compute: str(m.dest_compute),
    dest_host: str(m.dest_host),
    dest_node: str(m.dest_node),
    disk_processed_bytes: num(m.disk_processed),
    disk_remaining_bytes: num(m.disk_remaining),
    disk_total_bytes: num(m.disk_total),
    id: Number(m.id),
    memory_processed_bytes: num(m.memory_processed),
    memory_remaining_bytes: num(m.memory_remaining),
    memory_total_bytes: num(m.memory_total),
    server_uuid: String(m.instance_uuid),
    source_compute: str(m.source_compute),
    source_node: str(m.source_node),
    status: str(m.status),
    updated_at: time(m.updated_at),
    ...(atLeast(request, 59) ? { uuid: str(m.uuid) } : {}),
    ...(atLeast(request, 80) ? { user_id: str(m.user_id), project_id: str(m.project_id) } : {}),
  })

  /** The server (404 InstanceNotFound), then the policy with its project as target. */
  const serverFor = async (request: FastifyRequest, rule: string): Promise<string> => {
    requireVersion(request, 23)
    const id = paramOf(request, 'server_id')
    const row = (await k
      .selectFrom('instances')
      .select(['uuid', 'project_id', 'user_id'])
      .where('uuid', '=', id)
      .where('deleted', '=', 0)
      .executeTakeFirst()) as Row | undefined
    if (row === undefined) throw new InstanceNotFound({ instanceId: id })
    authorize(request, settings, rule, {
      project_id: str(row.project_id) ?? '',
      user_id: str(row.user_id) ?? '',
    })
    return id
  }

  route(app, 'GET', '/servers/:server_id/migrations', async (request) => {
    const id = await serverFor(request, 'os_compute_api:servers:migrations:index')
    const rows = (await k
      .selectFrom('migrations')
      .selectAll()
      .where('instance_uuid', '=', id)
      .where('deleted', '=', 0)
      .where('migration_type', '=', 'live-migration')
      .where('status', 'in', LIVE_IN_PROGRESS)
      .orderBy('id', 'asc')
      .execute()) as Row[]
    return { migrations: rows.map((m) => serverView(request, m)) }
  })

  route(app, 'GET', '/servers/:server_id/migrations/:migration_id', async (request) => {
    const id = await serverFor(request, 'os_compute_api:servers:migrations:show')
    const migrationId = paramOf(request, 'migration_id')
    const m = /^\d+$/.test(migrationId)
      ? ((await k
          .selectFrom('migrations')
          .selectAll()
          .where('id', '=', Number(migrationId))
          .where('instance_uuid', '=', id)
          .where('deleted', '=', 0)
          .executeTakeFirst()) as Row | undefined)
      : undefined
    if (m === undefined) throw new ApiFault(404, `Migration ${migrationId} not found for instance ${id}`)
    if (m.migration_type !== 'live-migration')
      throw new ApiFault(404, `Migration ${migrationId} for server ${id} is not live-migration.`)
    if (!LIVE_IN_PROGRESS.includes(String(m.status)))
      throw new ApiFault(404, `Live migration ${migrationId} for server ${id} is not in progress.`)
    return { migration: serverView(request, m) }
  })
}
