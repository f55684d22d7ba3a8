import { randomBytes, randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { makeContext, type RequestContext } from '../../../common/context.js'
import { FlavorNotFound, InstanceIsLocked, InstanceNotFound } from '../../../common/errors/index.js'
import type { InstanceFields, InstanceFilter, InstanceRecord } from '../../../db/repositories/instances.js'
import { MarkerNotFound, UnknownSortKey } from '../../../db/repositories/instances.js'
import type { RequestSpec } from '../../scheduler/client.js'
import { ApiFault, badRequest } from '../faults.js'
import { atLeast } from '../microversion.js'
import { callerOf, collectionLinks, pageOf, param, queryOf, resourceLinks, type Caller } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import {
  booleanType,
  DESCRIPTION_PATTERN,
  nameType,
  normalizeIp,
  toBool,
  validate,
  type Schema,
} from '../validation.js'
import { QuotaEngine } from '../quota/engine.js'
import { checkNumInstancesQuota, withProjectQuotaLock } from '../quota/instances.js'
import { checkCreateRequest } from './create-checks.js'
import {
  buildRequestPage,
  buildRequestRecord,
  buildRequestsOf,
  deleteBuildRequest,
  isBuildRequest,
  refuseBuildRequestChanges,
  updateBuildRequest,
} from './build-requests.js'
import type { ServerDeps } from './deps.js'
import { bootsFromVolume, checkRequestedImage } from './image-check.js'
import { addListFilters, isoFilterTime } from './list-filters.js'
import { LISTED_VM_STATES, softDeleteServer } from './actions/deferred-delete.js'
import { registerServerActionRoutes } from './actions/index.js'
import { registerLiveMigrationRoutes } from './live-migrations.js'
import { deleteShelvedImage } from './actions/move-support.js'
import { registerMetadataAndTagRoutes } from './metadata-and-tags.js'
import {
  addGroupMembers,
  groupForScheduling,
  groupsOfInstance,
  registerServerGroupRoutes,
  removeGroupMember,
} from './server-groups.js'
import { actionView, basicView, detailView, isoSeconds, statesOf } from './view.js'

const countType: Schema = { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1 }
const descriptionType: Schema = {
  type: ['string', 'null'],
  minLength: 0,
  maxLength: 255,
  pattern: DESCRIPTION_PATTERN,
}
const metadataType: Schema = {
  type: 'object',
  patternProperties: { '^[a-zA-Z0-9-_:. ]{1,255}$': { type: 'string', maxLength: 255 } },
  additionalProperties: false,
}

function createSchema(request: FastifyRequest): Schema {
  return {
    type: 'object',
    properties: {
      server: {
        type: 'object',
        properties: {
          name: nameType,
          imageRef: { type: 'string' },
          flavorRef: { type: ['string', 'integer'], minLength: 1 },
          adminPass: { type: 'string' },
          metadata: metadataType,
          networks: {},
          min_count: countType,
          max_count: countType,
          return_reservation_id: {},
          key_name: { type: 'string', minLength: 1, maxLength: 255 },
          availability_zone: { type: 'string', minLength: 1, maxLength: 255 },
          user_data: { type: 'string', maxLength: 65535 },
          config_drive: booleanType,
          security_groups: { type: 'array' },
          accessIPv4: { type: 'string', format: 'ipv4' },
          accessIPv6: { type: 'string', format: 'ipv6' },
          'OS-DCF:diskConfig': { type: 'string', enum: ['AUTO', 'MANUAL'] },
          block_device_mapping_v2: { type: 'array' },
          ...(atLeast(request, 19) ? { description: descriptionType } : {}),
          ...(atLeast(request, 52) ? { tags: { type: 'array' } } : {}),
          ...(atLeast(request, 90) ? { hostname: { type: 'string', minLength: 1, maxLength: 255 } } : {}),
        },
        required: ['name', 'flavorRef', ...(atLeast(request, 37) ? ['networks'] : [])],
        additionalProperties: false,
      },
      'os:scheduler_hints': { type: 'object' },
    },
    required: ['server'],
    additionalProperties: false,
  }
}

/** The caller's context for RPC, carrying the API request's id (instance actions are keyed by it). */
const contextOf = (request: FastifyRequest, caller: Caller): RequestContext =>
  makeContext({
    requestId: request.id,
    userId: caller.userId,
    projectId: caller.projectId,
    roles: caller.credentials.roles ?? [],
    isAdmin: caller.isAdmin,
  })

/** Nova's hostname sanitisation of a display name (utils.sanitize_hostname). */
function sanitizeHostname(name: string): string {
  const h = name
    .toLowerCase()
    .replace(/[ _]/g, '-')
    .replace(/[^a-z0-9.-]/g, '')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 63)
  return h === '' ? 'server' : h
}

/** A random admin password (Nova's generate_password: 12 characters, no ambiguous ones). */
function generatePassword(): string {
  const symbols = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'
  return [...randomBytes(12)].map((b) => symbols[b % symbols.length]).join('')
}

/** Registers the servers resource's routes. */
export function registerServerRoutes(app: FastifyInstance, deps: ComputeApiDeps, servers: ServerDeps): void {
  const { settings } = deps
  const quotaEngine = (): QuotaEngine | undefined =>
    servers.quota === undefined ? undefined : new QuotaEngine({ apiDb: servers.apiDb, ...servers.quota })

  /** The instance, visible to the caller (404 otherwise: Nova never tells other projects it exists). */
  async function load(request: FastifyRequest, id: string, withDeleted = false): Promise<InstanceRecord> {
    const caller = callerOf(request)
    const instance =
      (await servers.instances.get(id, { withDeleted })) ?? (await buildRequestRecord(servers, id))
    if (instance === undefined || (!caller.isAdmin && instance.project_id !== caller.projectId))
      throw new InstanceNotFound({ instanceId: id })
    return instance
  }

  route(app, 'POST', '/servers', async (request, reply) => {
    const caller = callerOf(request)
    validate(createSchema(request), request.body)
    const body = (request.body as { server: Record<string, unknown> }).server
    const flavorRef = String(body.flavorRef)
    const flavor = await deps.flavors.get(flavorRef.replace(/^.*\/flavors\//, '')).catch((error: unknown) => {
      if (error instanceof FlavorNotFound) throw badRequest(`Flavor ${flavorRef} could not be found.`)
      throw error
    })
    if (flavor.disabled) throw badRequest('Flavor is disabled.')
    await checkCreateRequest(request, caller, servers, flavor, flavorRef)
    const imageRef = typeof body.imageRef === 'string' ? body.imageRef.replace(/^.*\/images\//, '') : ''
    // imageRef may be left out only when booting from a volume; the image is checked once per request.
    const bfv = bootsFromVolume(body.block_device_mapping_v2)
    if (imageRef === '' && !bfv) throw badRequest('Missing imageRef attribute')
    const token = request.headers['x-auth-token']
    const image =
      imageRef === '' || servers.images === undefined
        ? undefined
        : await checkRequestedImage(servers.images(typeof token === 'string' ? token : ''), imageRef, flavor)
    let keyData: string | null = null
    if (typeof body.key_name === 'string') {
      const key = await deps.keypairs.get(caller.userId, body.key_name).catch(() => undefined)
      if (key === undefined) throw badRequest(`Invalid key_name provided.`)
      keyData = key.publicKey
    }
    const minCount = Number(body.min_count ?? 1)
    const maxCount = Number(body.max_count ?? minCount)
    if (minCount > maxCount) throw badRequest('min_count must be <= max_count')
    const name = String(body.name)
    const adminPass =
      typeof body.adminPass === 'string'
        ? body.adminPass
        : servers.enableInstancePassword
          ? generatePassword()
          : ''
    const reservationId = `r-${randomBytes(4).toString('hex').slice(0, 8)}`
    const ctx = contextOf(request, caller)
    const uuids = Array.from({ length: maxCount }, () => randomUUID())
    const flavorRecord = {
      flavorid: flavor.flavorid,
      name: flavor.name,
      vcpus: flavor.vcpus,
      memory_mb: flavor.memoryMb,
      root_gb: flavor.rootGb,
      ephemeral_gb: flavor.ephemeralGb,
      swap: flavor.swap,
      extra_specs: flavor.extraSpecs,
    }
    // Scheduler hints: Nova keeps every value as a list of strings; `group` names a server group.
    const rawHints = ((request.body as Record<string, unknown>)['os:scheduler_hints'] ?? {}) as Record<
      string,
      unknown
    >
    const hints: Record<string, string[]> = {}
    for (const [key, value] of Object.entries(rawHints))
      hints[key] = (Array.isArray(value) ? value : [value]).map((v) => String(v))
    const groupHint = hints.group?.[0]
    const group = groupHint === undefined ? undefined : await groupForScheduling(servers, groupHint, caller)
    const spec: RequestSpec = {
      instanceUuid: uuids[0]!,
      projectId: caller.projectId,
      userId: caller.userId,
      numInstances: maxCount,
      flavor: {
        name: flavor.name,
        flavorid: flavor.flavorid,
        vcpus: flavor.vcpus,
        memoryMb: flavor.memoryMb,
        rootGb: flavor.rootGb,
        ephemeralGb: flavor.ephemeralGb,
        swap: flavor.swap,
        extraSpecs: flavor.extraSpecs,
      },
      image: image?.spec ?? (imageRef === '' ? { properties: {} } : { id: imageRef, properties: {} }),
      ...(bfv ? { isBfv: true } : {}),
      ...(typeof body.availability_zone === 'string' ? { availabilityZone: body.availability_zone } : {}),
      schedulerHints: hints,
      ...(group === undefined ? {} : { instanceGroup: group.spec }),
      ignoreHosts: [],
      forceHosts: [],
      forceNodes: [],
    }
    // Quota: count and record the new instances under the project's lock, so concurrent creates never
    // overshoot (the cell rows are written while the lock is held; the mappings commit with it).
    const engine = quotaEngine()
    const created: string[] = []
    let count = maxCount
    try {
      count = await withProjectQuotaLock(servers.apiDb, caller.projectId, async (trx) => {
        const n =
          engine === undefined
            ? maxCount
            : await checkNumInstancesQuota(
                engine,
                trx,
                flavor,
                minCount,
                maxCount,
                caller.projectId,
                caller.userId,
              )
        try {
          for (const [index, uuid] of uuids.slice(0, n).entries()) {
            const displayName = n > 1 ? `${name}-${index + 1}` : name
            // Nova's build request: the conductor creates the instance in the cell once it is scheduled.
            await buildRequestsOf(servers).create(trx, {
              uuid,
              user_id: caller.userId,
              project_id: caller.projectId,
              display_name: displayName,
              display_description: typeof body.description === 'string' ? body.description : null,
              hostname:
                typeof body.hostname === 'string' && n === 1 ? body.hostname : sanitizeHostname(displayName),
              vm_state: 'building',
              task_state: 'scheduling',
              power_state: 0,
              memory_mb: flavor.memoryMb,
              vcpus: flavor.vcpus,
              root_gb: flavor.rootGb,
              ephemeral_gb: flavor.ephemeralGb,
              instance_type_id: flavor.id,
              image_ref: imageRef,
              system_metadata: image?.systemMetadata ?? {},
              key_name: typeof body.key_name === 'string' ? body.key_name : null,
              key_data: keyData,
              user_data: typeof body.user_data === 'string' ? body.user_data : null,
              reservation_id: reservationId,
              launch_index: index,
              availability_zone: typeof body.availability_zone === 'string' ? body.availability_zone : null,
              // Nova's _check_config_drive: the column holds "True" or "".
              config_drive: toBool(body.config_drive) ? 'True' : '',
              access_ip_v4: typeof body.accessIPv4 === 'string' ? normalizeIp(body.accessIPv4) : null,
              access_ip_v6: typeof body.accessIPv6 === 'string' ? normalizeIp(body.accessIPv6) : null,
              auto_disk_config: body['OS-DCF:diskConfig'] === 'AUTO',
              progress: 0,
              locked: false,
              metadata: (body.metadata ?? {}) as Record<string, string>,
              tags: (body.tags ?? []) as string[],
              flavor: { cur: flavorRecord, old: null, new: null },
            })
            created.push(uuid)
            await trx
              .insertInto('instance_mappings')
              .values({
                instance_uuid: uuid,
                project_id: caller.projectId,
                user_id: caller.userId,
                queued_for_delete: 0,
              })
              .execute()
            await trx
              .insertInto('request_specs')
              .values({
                instance_uuid: uuid,
                spec: JSON.stringify({ ...spec, numInstances: n, instanceUuid: uuid }),
              })
              .execute()
          }
        } catch (error) {
          await undo()
          throw error
        }
        return n
      })
    } catch (error) {
      await undo()
      throw error
    }
    async function undo(): Promise<void> {
      for (const uuid of created.splice(0)) await servers.instances.softDelete(uuid).catch(() => false)
    }
    uuids.splice(count)
    if (group !== undefined) {
      await addGroupMembers(servers, group.id, uuids)
      ;(group.spec.members as string[]).push(...uuids)
    }
    // The create action is recorded by the conductor once the instance is in the cell (as in Nova).
    await servers.conductor.scheduleAndBuildInstances(ctx, {
      request_spec: { ...spec, numInstances: count } as unknown as Record<string, unknown>,
      instance_uuids: uuids,
      ...(adminPass === '' ? {} : { admin_password: adminPass }),
    })
    reply.code(202)
    if (body.return_reservation_id === true || body.return_reservation_id === 'True')
      return { reservation_id: reservationId }
    return {
      server: {
        id: uuids[0],
        links: resourceLinks(request, settings, 'servers', uuids[0]!),
        'OS-DCF:diskConfig': body['OS-DCF:diskConfig'] === 'AUTO' ? 'AUTO' : 'MANUAL',
        security_groups: [{ name: 'default' }],
        ...(adminPass === '' ? {} : { adminPass }),
      },
    }
  })

  async function list(request: FastifyRequest, detail: boolean) {
    const caller = callerOf(request)
    const query = queryOf(request)
    const page = pageOf(request, settings)
    const allTenants = param(request, 'all_tenants')
    const filter: { -readonly [K in keyof InstanceFilter]: InstanceFilter[K] } = {}
    if (!(caller.isAdmin && allTenants !== undefined)) filter.projectId = caller.projectId
    // `limit=0` asks for no servers at all (Nova's instance list returns [] for a zero limit).
    if (param(request, 'limit')?.trim() === '0') return { servers: [] }
    if (!(await addListFilters(request, caller, filter, deps.flavors))) return { servers: [] }
    const statuses = query.status === undefined ? [] : [query.status].flat()
    if (statuses.length > 0) {
      const vm = new Set<string>()
      const tasks = new Set<string | null>()
      let anyTask = false
      for (const s of statuses) {
        const states = statesOf(s)
        if (states.vmStates.length === 0) {
          if (atLeast(request, 38)) throw badRequest(`Invalid status value`)
          return detail ? { servers: [] } : { servers: [] }
        }
        for (const v of states.vmStates) vm.add(v)
        if (states.taskStates === undefined) anyTask = true
        else for (const t of states.taskStates) tasks.add(t)
      }
      filter.vmStates = [...vm]
      if (!anyTask) filter.taskStates = [...tasks]
    }
    const host = param(request, 'host')
    if (host !== undefined && caller.isAdmin) filter.host = host
    const changesSince = param(request, 'changes-since')
    if (changesSince !== undefined) {
      filter.changesSince = isoFilterTime('changes-since', changesSince)
      filter.withDeleted = true
    }
    // Nova lists no SOFT_DELETED server unless the status filter asks for them (or changes-since).
    if (filter.vmStates === undefined && filter.withDeleted !== true) filter.vmStates = LISTED_VM_STATES
    for (const [key, field] of [
      ['reservation_id', 'reservationId'],
      ['image', 'imageRef'],
      ['availability_zone', 'availabilityZone'],
    ] as const) {
      const value = param(request, key)
      if (value !== undefined) filter[field] = value
    }
    const sortKeys = query.sort_key === undefined ? [] : [query.sort_key].flat()
    const sortDirs = query.sort_dir === undefined ? [] : [query.sort_dir].flat()
    for (const d of sortDirs)
      if (d !== 'asc' && d !== 'desc') throw badRequest(`Invalid sort direction: ${d}`)
    // Build requests first (BUILD servers not in the cell yet), then the cell's instances.
    const pending = await buildRequestPage(servers, filter, page)
    let instances: InstanceRecord[]
    try {
      instances = await servers.instances.list(filter, {
        ...(sortKeys.length === 0
          ? {}
          : {
              sortKeys: sortKeys.filter((k) => caller.isAdmin || (k !== 'host' && k !== 'node')),
              sortDirs: sortDirs as ('asc' | 'desc')[],
            }),
        limit: pending.cellLimit,
        ...(pending.cellMarker === undefined ? {} : { marker: pending.cellMarker }),
      })
      instances = [...pending.records, ...instances]
    } catch (error) {
      if (error instanceof MarkerNotFound) throw badRequest(`marker [${page.marker}] not found`)
      if (error instanceof UnknownSortKey) throw badRequest(error.message)
      throw error
    }
    const items = instances.map((i) =>
      detail ? detailView(request, settings, caller, i) : basicView(request, settings, i),
    )
    const links = collectionLinks(
      request,
      settings,
      items,
      page,
      detail ? 'servers/detail' : 'servers',
      instances.at(-1)?.uuid,
    )
    return { servers: items, ...(links === undefined ? {} : { servers_links: links }) }
  }

  route(app, 'GET', '/servers', (request) => list(request, false))
  route(app, 'GET', '/servers/detail', (request) => list(request, true))

  route(app, 'GET', '/servers/:server_id', async (request) => {
    const id = (request.params as { server_id: string }).server_id
    const server = detailView(request, settings, callerOf(request), await load(request, id))
    if (atLeast(request, 71)) server.server_groups = await groupsOfInstance(servers.apiDb, id)
    return { server }
  })

  route(app, 'PUT', '/servers/:server_id', async (request) => {
    const caller = callerOf(request)
    const id = (request.params as { server_id: string }).server_id
    validate(
      {
        type: 'object',
        properties: {
          server: {
            type: 'object',
            properties: {
              name: nameType,
              accessIPv4: { type: 'string', format: 'ipv4' },
              accessIPv6: { type: 'string', format: 'ipv6' },
              'OS-DCF:diskConfig': { type: 'string', enum: ['AUTO', 'MANUAL'] },
              ...(atLeast(request, 19) ? { description: descriptionType } : {}),
              ...(atLeast(request, 90) ? { hostname: { type: 'string', minLength: 1, maxLength: 255 } } : {}),
            },
            additionalProperties: false,
          },
        },
        required: ['server'],
        additionalProperties: false,
      },
      request.body,
    )
    const body = (request.body as { server: Record<string, unknown> }).server
    const current = await load(request, id)
    // A server still a build request is changed there (as Nova updates the build request).
    const save = isBuildRequest(current)
      ? (uuid: string, changes: InstanceFields) => updateBuildRequest(servers, uuid, changes)
      : servers.instances.update
    const updated = await save(id, {
      ...(typeof body.name === 'string' ? { display_name: body.name } : {}),
      ...('description' in body ? { display_description: (body.description as string | null) ?? null } : {}),
      ...(typeof body.hostname === 'string' ? { hostname: body.hostname } : {}),
      ...(typeof body.accessIPv4 === 'string' ? { access_ip_v4: normalizeIp(body.accessIPv4) } : {}),
      ...(typeof body.accessIPv6 === 'string' ? { access_ip_v6: normalizeIp(body.accessIPv6) } : {}),
      ...(typeof body['OS-DCF:diskConfig'] === 'string'
        ? { auto_disk_config: body['OS-DCF:diskConfig'] === 'AUTO' }
        : {}),
    })
    const groups = atLeast(request, 75) ? await groupsOfInstance(servers.apiDb, id) : []
    return { server: actionView(request, settings, caller, updated, groups) }
  })

  route(app, 'DELETE', '/servers/:server_id', async (request, reply) => {
    const caller = callerOf(request)
    const id = (request.params as { server_id: string }).server_id
    let instance = await load(request, id)
    if (isBuildRequest(instance)) {
      // Not in the cell yet (Nova's _delete_while_booting): once its build request is gone it is never built.
      if (await deleteBuildRequest(servers, id)) {
        await removeGroupMember(servers.apiDb, id)
        reply.code(204)
        return ''
      }
      // The conductor created it in the cell meanwhile: it is deleted there.
      instance = await load(request, id)
    }
    if (instance.locked === true && !caller.isAdmin) throw new InstanceIsLocked({ instanceUuid: id })
    // A deleted server leaves its server group at once (the group no longer lists or counts it).
    await removeGroupMember(servers.apiDb, id)
    await servers.actions.startAction(id, {
      action: 'delete',
      requestId: request.id,
      userId: caller.userId,
      projectId: caller.projectId,
    })
    await deleteShelvedImage(servers, String(request.headers['x-auth-token'] ?? ''), instance)
    if (await softDeleteServer(servers, contextOf(request, caller), instance)) {
      // [DEFAULT] reclaim_instance_interval > 0: SOFT_DELETED until reclaimed, restored or force-deleted.
    } else if (instance.host === null) {
      // Not on a host yet (or never scheduled): the API deletes it itself (Nova's local delete).
      await servers.instances.update(id, { vm_state: 'deleted', task_state: null, terminated_at: new Date() })
      await servers.instances.softDelete(id)
      await servers.placement?.deleteAllocations(id).catch(() => false)
    } else if (instance.task_state !== 'deleting') {
      await servers.instances.update(
        id,
        { task_state: 'deleting', progress: 0 },
        { task_state: [instance.task_state] },
      )
      await servers.compute.terminateInstance(contextOf(request, caller), instance.host, id)
    }
    reply.code(204)
    return ''
  })

  refuseBuildRequestChanges(app, servers)
  registerMetadataAndTagRoutes(app, servers, load)
  registerServerActionRoutes(app, deps, servers, load)
  registerLiveMigrationRoutes(app, deps, servers, load)
  registerServerGroupRoutes(app, settings, servers)

  route(app, 'GET', '/servers/:server_id/os-instance-actions', async (request) => {
    const id = (request.params as { server_id: string }).server_id
    // From 2.21 the actions of deleted servers are shown too.
    await load(request, id, atLeast(request, 21))
    const actions = await servers.actions.actions(id)
    return {
      instanceActions: actions.map((a) => ({
        action: a.action,
        instance_uuid: id,
        request_id: a.request_id,
        user_id: a.user_id,
        project_id: a.project_id,
        start_time: a.start_time?.toISOString().replace(/Z$/, '') ?? null,
        message: a.message,
        ...(atLeast(request, 58) ? { updated_at: isoSeconds(a.finish_time ?? a.start_time) } : {}),
      })),
    }
  })

  route(app, 'GET', '/servers/:server_id/os-instance-actions/:request_id', async (request) => {
    const caller = callerOf(request)
    const { server_id: id, request_id: requestId } = request.params as {
      server_id: string
      request_id: string
    }
    await load(request, id, atLeast(request, 21))
    const action = (await servers.actions.actions(id)).find((a) => a.request_id === requestId)
    if (action === undefined)
      throw new ApiFault(404, `Action ${requestId} on instance ${id} could not be found.`)
    return {
      instanceAction: {
        action: action.action,
        instance_uuid: id,
        request_id: action.request_id,
        user_id: action.user_id,
        project_id: action.project_id,
        start_time: action.start_time?.toISOString().replace(/Z$/, '') ?? null,
        message: action.message,
        events: action.events.map((e) => ({
          event: e.event,
          start_time: e.start_time?.toISOString().replace(/Z$/, '') ?? null,
          finish_time: e.finish_time?.toISOString().replace(/Z$/, '') ?? null,
          result: e.result,
          ...(caller.isAdmin ? { traceback: e.traceback } : {}),
          ...(atLeast(request, 62) && caller.isAdmin ? { host: e.host } : {}),
        })),
      },
    }
  })
}
