import {
  createBuildRequestsRepository,
  recordOf,
  type BuildRequestsRepository,
} from '../../../db/repositories/build-requests.js'
import type { FastifyInstance } from 'fastify'
import type { InstanceFields, InstanceFilter, InstanceRecord } from '../../../db/repositories/instances.js'
import type { UntypedKysely } from '../../../db/untyped.js'
import { ApiFault } from '../faults.js'
import { atLeast } from '../microversion.js'
import { callerOf } from '../request.js'
import type { ServerDeps } from './deps.js'

// Servers that are still Nova's build requests (API database): accepted, not yet created in the cell by the
// conductor. The API shows them (BUILD, no host) and deletes them itself; everything else waits for the cell.

const repositories = new WeakMap<ServerDeps, BuildRequestsRepository>()
const fromBuildRequests = new WeakSet<InstanceRecord>()

export function buildRequestsOf(servers: ServerDeps): BuildRequestsRepository {
  let repo = repositories.get(servers)
  if (repo === undefined) repositories.set(servers, (repo = createBuildRequestsRepository(servers.apiDb)))
  return repo
}

/** The server as its build request shows it, when it has not reached the cell yet. */
export async function buildRequestRecord(
  servers: ServerDeps,
  uuid: string,
): Promise<InstanceRecord | undefined> {
  const request = await buildRequestsOf(servers).get(uuid)
  if (request === undefined) return undefined
  const record = recordOf(request)
  fromBuildRequests.add(record)
  return record
}

/**
 * Changes a server that is still a build request (Nova updates the build request); when the conductor made the
 * cell instance meanwhile, the instance is changed instead.
 */
export async function updateBuildRequest(
  servers: ServerDeps,
  uuid: string,
  changes: InstanceFields,
): Promise<InstanceRecord> {
  const request = await buildRequestsOf(servers).update(uuid, changes)
  return request === undefined ? await servers.instances.update(uuid, changes) : recordOf(request)
}

/** Whether the record came from a build request (no cell instance behind it). */
export const isBuildRequest = (record: InstanceRecord): boolean => fromBuildRequests.has(record)

/**
 * Nova's _delete_while_booting: deletes the build request. True when this call deleted it: the server is never
 * built, its quota is free at once and whatever the scheduler already claimed is given back (the conductor, which
 * then finds no build request, gives back a claim it makes later). False: the conductor won the race and the
 * instance is in the cell now; the caller deletes it there.
 */
export async function deleteBuildRequest(servers: ServerDeps, uuid: string): Promise<boolean> {
  if (!(await buildRequestsOf(servers).destroy(uuid))) return false
  const api = servers.apiDb.kysely as UntypedKysely
  await api.deleteFrom('request_specs').where('instance_uuid', '=', uuid).execute()
  await api.deleteFrom('instance_mappings').where('instance_uuid', '=', uuid).execute()
  await servers.placement?.deleteAllocations(uuid).catch(() => false)
  return true
}

function matches(record: InstanceRecord, filter: InstanceFilter): boolean {
  const f = filter
  // changes-since/-before also list deleted instances; build requests are never deleted, but still listed.
  if (f.host !== undefined || f.node !== undefined) return false
  if (f.projectId !== undefined && record.project_id !== f.projectId) return false
  if (f.userId !== undefined && record.user_id !== f.userId) return false
  if (f.uuids !== undefined && !f.uuids.includes(record.uuid)) return false
  if (f.vmStates !== undefined && !f.vmStates.includes('building')) return false
  if (f.taskStates !== undefined && !f.taskStates.includes(record.task_state)) return false
  const name = record.display_name ?? ''
  if (f.nameRegexp !== undefined && !safeRegExp(f.nameRegexp).test(name)) return false
  if (f.name !== undefined) {
    if (f.nameLike === true) {
      const like = new RegExp(`^${f.name.split('%').map(escape).join('.*')}$`)
      if (!like.test(name)) return false
    } else if (name !== f.name) return false
  }
  if (f.imageRef !== undefined && record.image_ref !== f.imageRef) return false
  if (f.instanceTypeId !== undefined && record.instance_type_id !== f.instanceTypeId) return false
  if (f.availabilityZone !== undefined && record.availability_zone !== f.availabilityZone) return false
  if (f.reservationId !== undefined && record.reservation_id !== f.reservationId) return false
  const created = record.created_at?.getTime() ?? 0
  if (f.changesSince !== undefined && created < f.changesSince.getTime()) return false
  if (f.changesBefore !== undefined && created > f.changesBefore.getTime()) return false
  const tags = new Set(record.tags)
  if (f.tags !== undefined && !f.tags.every((t) => tags.has(t))) return false
  if (f.tagsAny !== undefined && !f.tagsAny.some((t) => tags.has(t))) return false
  if (f.notTags !== undefined && f.notTags.length > 0 && f.notTags.every((t) => tags.has(t))) return false
  if (f.notTagsAny !== undefined && f.notTagsAny.some((t) => tags.has(t))) return false
  return true
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function safeRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern)
  } catch {
    return new RegExp(escape(pattern))
  }
}

/**
 * The page of a server list that build requests fill (Nova lists them before the cell's instances): without a
 * marker, the matching build requests (newest first) up to `limit`; with a build request's uuid as marker, the
 * ones after it. `cellMarker` is the marker the cell list goes on with (none after a build request's), `cellLimit`
 * what is left of the page.
 */
export async function buildRequestPage(
  servers: ServerDeps,
  filter: InstanceFilter,
  page: { readonly limit: number; readonly marker: string | undefined },
): Promise<{ records: InstanceRecord[]; cellMarker: string | undefined; cellLimit: number }> {
  const all = (await buildRequestsOf(servers).list(filter.projectId)).map(recordOf)
  let start = 0
  let cellMarker = page.marker
  if (page.marker !== undefined) {
    const at = all.findIndex((r) => r.uuid === page.marker)
    if (at < 0) return { records: [], cellMarker, cellLimit: page.limit }
    start = at + 1
    cellMarker = undefined
  }
  const records = all
    .slice(start)
    .filter((r) => matches(r, filter))
    .slice(0, page.limit)
  for (const r of records) fromBuildRequests.add(r)
  return { records, cellMarker, cellLimit: page.limit - records.length }
}

/** The action named in Nova's 409 for a metadata or tag change of a server not in the cell yet. */
const GUARDED: Readonly<Record<string, string>> = {
  'POST metadata': 'update metadata',
  'PUT metadata': 'update metadata',
  'PUT metadata/:key': 'update metadata',
  'DELETE metadata/:key': 'delete metadata',
  'PUT tags': 'update tags',
  'DELETE tags': 'delete tags',
  'PUT tags/:tag': 'update tag',
  'DELETE tags/:tag': 'delete tag',
}

/**
 * Metadata and tags of a server that is still a build request cannot change (Nova checks vm_state: 409 "Cannot
 * 'update metadata' instance <uuid> while it is in vm_state building"); reads go on from the build request.
 */
export function refuseBuildRequestChanges(app: FastifyInstance, servers: ServerDeps): void {
  app.addHook('preHandler', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD') return
    const url = request.routeOptions.url ?? ''
    const at = url.indexOf('/servers/:server_id/')
    if (at < 0) return
    const action = GUARDED[`${request.method} ${url.slice(at + '/servers/:server_id/'.length)}`]
    if (action === undefined || (action.includes('tag') && !atLeast(request, 26))) return
    const id = (request.params as { server_id: string }).server_id
    const pending = await buildRequestsOf(servers).get(id)
    if (pending === undefined) return
    const caller = callerOf(request)
    if (!caller.isAdmin && pending.projectId !== caller.projectId) return
    throw new ApiFault(409, `Cannot '${action}' instance ${id} while it is in vm_state building`)
  })
}
