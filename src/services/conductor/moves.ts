import type { RpcEndpoints } from '../../bus/index.js'
import { adminContext, type RequestContext } from '../../common/context.js'
import { Invalid, RowNotFound } from '../../common/errors/index.js'
import type { InstanceFields } from '../../db/repositories/instances.js'
import {
  MIGRATION_PROGRESS_FIELDS,
  type MigrationFields,
  type MigrationRecord,
  type MovesRepository,
} from '../../db/repositories/migrations.js'
import type { RequestSpec } from '../scheduler/client.js'
import { instanceView, startEvent } from './build.js'
import type { InstanceSave, MigrateServerRequest, MigrationView } from './client.js'
import type { ConductorBuildDeps, ConductorDeps } from './conductor-deps.js'

/** A migration row as it crosses the bus. */
export function migrationView(record: MigrationRecord): MigrationView {
  return {
    id: record.id,
    uuid: record.uuid,
    instance_uuid: record.instance_uuid,
    source_compute: record.source_compute,
    dest_compute: record.dest_compute,
    source_node: record.source_node,
    dest_node: record.dest_node,
    dest_host: record.dest_host,
    old_instance_type_id: record.old_instance_type_id,
    new_instance_type_id: record.new_instance_type_id,
    status: record.status,
    migration_type: record.migration_type,
    created_at: record.created_at?.toISOString() ?? null,
    updated_at: record.updated_at?.toISOString() ?? null,
  }
}

export type MoveDeps = ConductorBuildDeps & { readonly moves: MovesRepository }

export function moveDeps(deps: Pick<ConductorDeps, 'build'>): MoveDeps {
  const build = deps.build
  if (build?.moves === undefined) throw new Invalid('this conductor was started without the move operations')
  return build as MoveDeps
}

const errorText = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? error.message) : String(error)

/** Runs `fn` as the conductor event `event` of the request's instance action. */
export async function withEvent<T>(
  deps: MoveDeps,
  ctx: RequestContext,
  uuid: string,
  event: string,
  fn: () => Promise<T>,
): Promise<T> {
  const id = await startEvent(deps, ctx, uuid, event, null).catch(() => null)
  try {
    const value = await fn()
    if (id !== null) await deps.actions.finishEvent(id, 'Success')
    return value
  } catch (error) {
    if (id !== null) await deps.actions.finishEvent(id, 'Error', errorText(error)).catch(() => undefined)
    throw error
  }
}

/**
 * Nova's MigrationTask (ComputeTaskManager.migrate_server, cold): the migration record (pre-migrating), the
 * instance's source allocations moved to the migration's uuid, the scheduler's pick (it claims the new flavor
 * for the instance), prep_resize cast to the destination. NoValidHost: allocations moved back, migration
 * `error`, task_state none (the vm_state stays), and the error goes back to the API (400 there).
 */
export async function migrateServer(
  deps: MoveDeps,
  ctx: RequestContext,
  request: MigrateServerRequest,
): Promise<MigrationView> {
  const uuid = request.instance_uuid
  return await withEvent(deps, ctx, uuid, 'conductor_migrate_server', async () => {
    const instance = await deps.instances.get(uuid)
    if (instance === undefined) throw new RowNotFound({ table: 'instances', id: uuid })
    let migration = await deps.moves.create({
      instance_uuid: uuid,
      migration_type: request.migration_type,
      status: 'pre-migrating',
      source_compute: instance.host,
      source_node: instance.node,
      old_instance_type_id: instance.instance_type_id,
      new_instance_type_id: request.flavor_id,
      user_id: ctx.userId ?? instance.user_id,
      project_id: ctx.projectId ?? instance.project_id,
    })
    const moved = (await deps.placement?.moveAllocations(uuid, migration.uuid, 'MIGRATION')) ?? false
    const spec = { ...request.request_spec, instanceUuid: uuid, numInstances: 1 } as unknown as RequestSpec
    let selection
    try {
      ;[selection] = await deps.scheduler.selectDestinations(ctx, spec, [uuid], true)
      if (selection === undefined) throw new Invalid('the scheduler chose no host')
    } catch (error) {
      if (moved) await deps.placement?.moveAllocations(migration.uuid, uuid).catch(() => false)
      await deps.moves.update(migration.id, { status: 'error' }).catch(() => undefined)
      await deps.instances.update(uuid, { task_state: null }).catch(() => undefined)
      throw error
    }
    migration = await deps.moves.update(migration.id, {
      dest_compute: selection.host,
      dest_node: selection.nodename,
      dest_host: selection.host,
    })
    await deps.compute.move(ctx, selection.host, 'prep_resize', {
      instance_uuid: uuid,
      migration_id: migration.id,
      flavor: request.flavor,
      node: selection.nodename,
      clean_shutdown: request.clean_shutdown ?? true,
    })
    return migrationView(migration)
  })
}

/**
 * Nova's ComputeTaskManager.unshelve_instance: a SHELVED instance is started where it is (unshelve_instance on
 * its host); a SHELVED_OFFLOADED one is scheduled (availability zone / host of the request spec), its host
 * recorded and unshelve_instance cast there. No host: task cleared, still SHELVED_OFFLOADED.
 */
export async function unshelveInstance(
  deps: MoveDeps,
  ctx: RequestContext,
  uuid: string,
  requestSpec: Record<string, unknown>,
): Promise<void> {
  const instance = await deps.instances.get(uuid)
  if (instance === undefined) return
  if (instance.vm_state === 'shelved' && instance.host !== null) {
    await deps.compute.move(ctx, instance.host, 'unshelve_instance', { instance_uuid: uuid })
    return
  }
  await withEvent(deps, ctx, uuid, 'schedule_instances', async () => {
    const spec = { ...requestSpec, instanceUuid: uuid, numInstances: 1 } as unknown as RequestSpec
    let selection
    try {
      ;[selection] = await deps.scheduler.selectDestinations(ctx, spec, [uuid], true)
      if (selection === undefined) throw new Invalid('the scheduler chose no host')
    } catch (error) {
      // Nova: the task is cleared and the instance stays offloaded, with no fault.
      deps.logger.warn({ err: error, instance: uuid }, 'no host to unshelve the instance on')
      await deps.instances
        .update(uuid, { vm_state: 'shelved_offloaded', task_state: null })
        .catch(() => undefined)
      throw error
    }
    await deps.instances.update(uuid, { host: selection.host, node: selection.nodename })
    await deps.compute.move(ctx, selection.host, 'unshelve_instance', {
      instance_uuid: uuid,
      node: selection.nodename,
      allocations: selection.allocationRequest.allocations,
    })
  }).catch(() => undefined)
}

const INSTANCE_DATES = new Set(['launched_at', 'terminated_at', 'scheduled_at'])
/** What nova-compute may save on an instance during a move (instance_update's columns and a move's). */
const SAVE_FIELDS = new Set([
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
  'progress',
  'availability_zone',
  'image_ref',
  'memory_mb',
  'vcpus',
  'root_gb',
  'ephemeral_gb',
  'instance_type_id',
  'key_name',
  'key_data',
  'user_data',
  'hostname',
])
const MIGRATION_FIELDS = new Set([
  'status',
  'dest_compute',
  'dest_node',
  'dest_host',
  'source_compute',
  'source_node',
  ...MIGRATION_PROGRESS_FIELDS,
])

function objectArg(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Invalid(`${what} must be an object`)
  return value as Record<string, unknown>
}

/** The conductor's RPC methods of the move operations (1.5). */
export function moveEndpoints(deps: ConductorDeps): RpcEndpoints {
  return {
    migrate_server: async (ctx, args) => {
      if (
        typeof args.instance_uuid !== 'string' ||
        typeof args.flavor_id !== 'number' ||
        (args.migration_type !== 'resize' && args.migration_type !== 'migration')
      )
        throw new Invalid('migrate_server needs an instance_uuid, a flavor_id and a migration_type')
      objectArg(args.request_spec, 'migrate_server: request_spec')
      objectArg(args.flavor, 'migrate_server: flavor')
      return await migrateServer(moveDeps(deps), ctx, args as unknown as MigrateServerRequest)
    },
    unshelve_instance: async (ctx, args) => {
      if (typeof args.instance_uuid !== 'string')
        throw new Invalid('unshelve_instance needs an instance_uuid')
      await unshelveInstance(
        moveDeps(deps),
        ctx,
        args.instance_uuid,
        objectArg(args.request_spec ?? {}, 'request_spec'),
      )
      return null
    },
    migration_get: async (_ctx, args) => {
      if (typeof args.migration_id !== 'number') throw new Invalid('migration_get needs a migration_id')
      const record = await moveDeps(deps).moves.get(args.migration_id)
      if (record === undefined) throw new RowNotFound({ table: 'migrations', id: String(args.migration_id) })
      return migrationView(record)
    },
    migration_update: async (_ctx, args) => {
      if (typeof args.migration_id !== 'number') throw new Invalid('migration_update needs a migration_id')
      const changes = objectArg(args.changes, 'migration_update: changes')
      for (const key of Object.keys(changes))
        if (!MIGRATION_FIELDS.has(key)) throw new Invalid(`migration_update: ${key} cannot be changed here`)
      const record = await moveDeps(deps).moves.update(args.migration_id, changes as MigrationFields)
      return migrationView(record)
    },
    instance_save: async (_ctx, args) => {
      if (typeof args.uuid !== 'string' || args.uuid === '') throw new Invalid('instance_save needs a uuid')
      const d = moveDeps(deps)
      const save = args as unknown as InstanceSave
      const changes: Record<string, unknown> = {}
      for (const [key, v] of Object.entries(objectArg(save.changes ?? {}, 'instance_save: changes'))) {
        if (!SAVE_FIELDS.has(key)) throw new Invalid(`instance_save: ${key} cannot be changed here`)
        changes[key] = INSTANCE_DATES.has(key) && typeof v === 'string' ? new Date(v) : v
      }
      if (save.expected_task_state !== undefined && !Array.isArray(save.expected_task_state))
        throw new Invalid('instance_save: expected_task_state must be a list')
      // The guarded row update first: a lost race changes nothing else.
      let record = await d.instances.update(
        args.uuid,
        changes as InstanceFields,
        save.expected_task_state === undefined ? {} : { task_state: save.expected_task_state },
      )
      if (save.flavor !== undefined) await d.moves.setFlavor(args.uuid, objectArg(save.flavor, 'flavor'))
      if (save.system_metadata !== undefined)
        await d.moves.setSystemMetadata(
          args.uuid,
          objectArg(save.system_metadata, 'system_metadata') as Record<string, string | null>,
        )
      if (save.flavor !== undefined || save.system_metadata !== undefined)
        record = (await d.instances.get(args.uuid)) ?? record
      return instanceView(record)
    },
  }
}

/**
 * Nova's _poll_unconfirmed_resizes with `[DEFAULT] resize_confirm_window` > 0, run by the conductor (it has the
 * database): each `finished` migration older than the window whose instance waits in VERIFY_RESIZE with no task
 * is confirmed as the API would (migration `confirming`, a confirmResize action, confirm_resize cast to the
 * source). Returns how many were confirmed.
 */
export async function confirmOverdueResizes(
  deps: Pick<ConductorDeps, 'build'>,
  windowS: number,
  now: Date,
): Promise<number> {
  const d = moveDeps(deps)
  let confirmed = 0
  for (const migration of await d.moves.withStatus(['finished'])) {
    const updated = migration.updated_at ?? migration.created_at
    if (updated === null || now.getTime() - updated.getTime() < windowS * 1000) continue
    const instance = await d.instances.get(migration.instance_uuid)
    if (instance === undefined) continue
    if (instance.vm_state !== 'resized') {
      // Nova: a finished migration of an instance that is not resized any more is in error.
      await d.moves.update(migration.id, { status: 'error' }).catch(() => undefined)
      continue
    }
    if (instance.task_state !== null || migration.source_compute === null) continue
    try {
      await d.moves.update(migration.id, { status: 'confirming' }, { status: ['finished'] })
    } catch {
      continue // confirmed or reverted meanwhile
    }
    const ctx = { ...adminContext(), ...(instance.user_id === null ? {} : { userId: instance.user_id }) }
    await d.actions.startAction(instance.uuid, {
      action: 'confirmResize',
      requestId: ctx.requestId,
      userId: instance.user_id,
      projectId: instance.project_id,
    })
    await d.compute.move(ctx, migration.source_compute, 'confirm_resize', {
      instance_uuid: instance.uuid,
      migration_id: migration.id,
    })
    confirmed++
  }
  return confirmed
}

/** Migration statuses after which nothing of the move is left to clean. */
const FINAL_MIGRATION_STATUSES = new Set(['confirmed', 'reverted', 'error', 'completed', 'failed', 'done'])

/**
 * A deleted instance's unfinished moves (Nova's _confirm_resize_on_deleting and the migration-based cleanup): a
 * `finished` resize is confirmed on its source (the driver drops the kept guest, the migration's allocations go,
 * migration `confirmed`), any other open migration gives its allocations back and ends in `error`.
 */
export async function finishMovesOfDeleted(
  deps: Pick<ConductorDeps, 'build'>,
  ctx: RequestContext,
  uuid: string,
  instanceId: number,
): Promise<void> {
  const d = deps.build
  if (d?.moves === undefined) return
  for (const migration of await d.moves.ofInstance(uuid)) {
    if (FINAL_MIGRATION_STATUSES.has(migration.status)) continue
    if (migration.status === 'finished' && migration.source_compute !== null) {
      await d.moves.update(migration.id, { status: 'confirming' })
      await d.compute.move(ctx, migration.source_compute, 'confirm_resize', {
        instance_uuid: uuid,
        migration_id: migration.id,
        deleted_instance_id: instanceId,
      })
      continue
    }
    await d.placement?.deleteAllocations(migration.uuid).catch(() => false)
    await d.moves.update(migration.id, { status: 'error' })
  }
}
