import type { RpcEndpoints } from '../../bus/index.js'
import { Invalid, RowNotFound } from '../../common/errors/index.js'
import type { InstanceFields } from '../../db/repositories/instances.js'
import {
  COMPUTE_NODE_NUMBER_FIELDS,
  COMPUTE_NODE_TEXT_FIELDS,
  type ComputeNodeFields,
  type ComputeNodeRecord,
} from '../../db/index.js'
import type { ServiceIdentity } from '../../service/service-registry.js'
import type { BuildRequest, ComputeNodeView, RescheduleRequest } from './client.js'
import type { ConductorBuildDeps, ConductorDeps } from './conductor-deps.js'
import { instanceView, scheduleAndBuildInstances, startEvent } from './build.js'
import { notifyEventFinish, notifyEventStart } from './notifications.js'
import { rescheduleBuild } from './reschedule.js'
import { registerService } from '../../service/database-service-registry.js'
import { finishMovesOfDeleted, moveEndpoints } from './moves.js'
import { liveMigrateEndpoints } from './live-migrate.js'
import { evacuateEndpoints } from './evacuate.js'

/** Maps the conductor's RPC methods to what they do; no logic beyond argument checks lives here. */
export function conductorEndpoints(deps: ConductorDeps): RpcEndpoints {
  return {
    ...moveEndpoints(deps),
    ...liveMigrateEndpoints(deps),
    ...evacuateEndpoints(deps),
    service_register: async (_ctx, args) => await registerService(deps.services, identityArg(args.identity)),
    service_heartbeat: async (_ctx, args) => {
      if (typeof args.service_id !== 'number')
        throw new Invalid('service_heartbeat needs a numeric service_id')
      await deps.services.heartbeat(args.service_id, deps.clock.now())
      return null
    },
    compute_node_update: async (_ctx, args) => {
      if (
        typeof args.host !== 'string' ||
        args.host === '' ||
        typeof args.nodename !== 'string' ||
        args.nodename === ''
      )
        throw new Invalid('compute_node_update needs a host and a nodename')
      const service = await deps.services.getByHostAndBinary(args.host, 'nova-compute')
      const record = await deps.computeNodes.update(
        args.host,
        args.nodename,
        fieldsArg(args.fields, 'fields'),
        {
          defaults: fieldsArg(args.defaults ?? {}, 'defaults'),
          ...(service === undefined ? {} : { serviceId: service.id }),
        },
      )
      return nodeView(record, service?.disabled ?? false)
    },
    schedule_and_build_instances: async (ctx, args) => {
      const uuids = args.instance_uuids
      if (
        !Array.isArray(uuids) ||
        uuids.length === 0 ||
        !uuids.every((u) => typeof u === 'string') ||
        typeof args.request_spec !== 'object' ||
        args.request_spec === null
      )
        throw new Invalid('schedule_and_build_instances needs a request_spec and instance_uuids')
      await scheduleAndBuildInstances(buildDeps(deps), ctx, args as unknown as BuildRequest)
      return null
    },
    build_instances: async (ctx, args) => {
      if (
        typeof args.instance_uuid !== 'string' ||
        !Array.isArray(args.host_list) ||
        typeof args.retry !== 'object' ||
        args.retry === null ||
        typeof args.request_spec !== 'object' ||
        args.request_spec === null
      )
        throw new Invalid('build_instances needs an instance_uuid, a request_spec, a host_list and a retry')
      await rescheduleBuild(buildDeps(deps), ctx, args as unknown as RescheduleRequest)
      return null
    },
    instance_get: async (_ctx, args) => {
      const uuid = uuidArg(args, 'instance_get')
      const record = await buildDeps(deps).instances.get(uuid)
      if (record === undefined) throw new RowNotFound({ table: 'instances', id: uuid })
      return instanceView(record)
    },
    instances_on_host: async (_ctx, args) => {
      if (typeof args.host !== 'string' || args.host === '')
        throw new Invalid('instances_on_host needs a host')
      const records = await buildDeps(deps).instances.list(
        { host: args.host },
        { sortKeys: ['created_at', 'id'], sortDirs: ['asc', 'asc'] },
      )
      return records.map(instanceView)
    },
    instance_update: async (_ctx, args) => {
      const uuid = uuidArg(args, 'instance_update')
      const expected = args.expected_task_state
      const expectedVm = args.expected_vm_state
      if (
        (expected !== undefined && !Array.isArray(expected)) ||
        (expectedVm !== undefined && !Array.isArray(expectedVm))
      )
        throw new Invalid('instance_update: expected_task_state and expected_vm_state must be lists')
      const record = await buildDeps(deps).instances.update(uuid, changesArg(args.changes), {
        ...(expected === undefined ? {} : { task_state: expected as (string | null)[] }),
        ...(expectedVm === undefined ? {} : { vm_state: expectedVm as string[] }),
      })
      return instanceView(record)
    },
    instance_fault_create: async (_ctx, args) => {
      const uuid = uuidArg(args, 'instance_fault_create')
      const f = (args.fault ?? {}) as Record<string, unknown>
      if (typeof f.code !== 'number' || typeof f.message !== 'string')
        throw new Invalid('instance_fault_create needs a fault {code, message}')
      await buildDeps(deps).instances.addFault(uuid, {
        code: f.code,
        message: f.message,
        ...(typeof f.details === 'string' ? { details: f.details } : {}),
        ...(typeof f.host === 'string' ? { host: f.host } : {}),
      })
      return null
    },
    instance_destroy: async (ctx, args) => {
      const uuid = uuidArg(args, 'instance_destroy')
      const build = buildDeps(deps)
      const instance = await build.instances.update(uuid, { vm_state: 'deleted', task_state: null })
      await build.instances.softDelete(uuid)
      await build.placement?.deleteAllocations(uuid)
      await finishMovesOfDeleted(deps, ctx, uuid, instance.id)
      return null
    },
    action_event_start: async (ctx, args) => {
      const uuid = uuidArg(args, 'action_event_start')
      if (typeof args.event !== 'string') throw new Invalid('action_event_start needs an event')
      const build = buildDeps(deps)
      const host = typeof args.host === 'string' ? args.host : null
      const id = await startEvent(build, ctx, uuid, args.event, host)
      await notifyEventStart(build.notifications, ctx, uuid, args.event, host)
      return id
    },
    action_event_finish: async (ctx, args) => {
      if (typeof args.event_id !== 'number' || (args.result !== 'Success' && args.result !== 'Error'))
        throw new Invalid('action_event_finish needs an event_id and a result')
      const build = buildDeps(deps)
      const traceback = typeof args.traceback === 'string' ? args.traceback : undefined
      await build.actions.finishEvent(args.event_id, args.result, traceback)
      await notifyEventFinish(build.notifications, ctx, args.event_id, args.result, traceback)
      return null
    },
  }
}

function buildDeps(deps: ConductorDeps): ConductorBuildDeps {
  if (deps.build === undefined) throw new Invalid('this conductor was started without the build flow')
  return deps.build
}

function uuidArg(args: Record<string, unknown>, method: string): string {
  if (typeof args.uuid !== 'string' || args.uuid === '') throw new Invalid(`${method} needs an instance uuid`)
  return args.uuid
}

const INSTANCE_DATES = new Set(['launched_at', 'terminated_at', 'scheduled_at'])
const INSTANCE_CHANGES = new Set([
  'display_name',
  'display_description',
  'host',
  'node',
  'launched_on',
  'vm_state',
  'task_state',
  'power_state',
  'launched_at',
  'terminated_at',
  'scheduled_at',
  'progress',
  'root_device_name',
  'availability_zone',
  // A config drive the compute added (force_config_drive, img_config_drive=mandatory), as Nova records it.
  'config_drive',
])

/** The columns a compute may change, times parsed from ISO strings. */
function changesArg(value: unknown): InstanceFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Invalid('instance_update needs changes as an object')
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    if (!INSTANCE_CHANGES.has(key)) throw new Invalid(`instance_update: ${key} cannot be changed here`)
    out[key] = INSTANCE_DATES.has(key) && typeof v === 'string' ? new Date(v) : v
  }
  return out as InstanceFields
}

function nodeView(record: ComputeNodeRecord, serviceDisabled: boolean): ComputeNodeView {
  return {
    ...record,
    created_at: record.created_at?.toISOString() ?? null,
    updated_at: record.updated_at?.toISOString() ?? null,
    service_disabled: serviceDisabled,
  }
}

const NUMBER_FIELDS: ReadonlySet<string> = new Set(COMPUTE_NODE_NUMBER_FIELDS)
const TEXT_FIELDS: ReadonlySet<string> = new Set(COMPUTE_NODE_TEXT_FIELDS)

/** Only the columns a compute node reports, each of its type (or null): never uuid, host, ids or deleted. */
function fieldsArg(value: unknown, name: string): ComputeNodeFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Invalid(`compute_node_update needs ${name} as an object`)
  for (const [key, v] of Object.entries(value)) {
    if (NUMBER_FIELDS.has(key)) {
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v)))
        throw new Invalid(`compute_node_update: ${key} must be a number`)
    } else if (TEXT_FIELDS.has(key)) {
      if (v !== null && typeof v !== 'string')
        throw new Invalid(`compute_node_update: ${key} must be a string`)
    } else throw new Invalid(`compute_node_update: ${key} is not a field a compute node reports`)
  }
  return value as ComputeNodeFields
}

function identityArg(value: unknown): ServiceIdentity {
  const v = (value ?? {}) as Record<string, unknown>
  if (typeof v.host !== 'string' || typeof v.binary !== 'string' || typeof v.version !== 'number') {
    throw new Invalid('service_register needs identity {host, binary, topic, version}')
  }
  return {
    host: v.host,
    binary: v.binary,
    topic: typeof v.topic === 'string' ? v.topic : undefined,
    version: v.version,
  }
}
