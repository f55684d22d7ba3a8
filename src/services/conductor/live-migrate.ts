import type { RpcEndpoints } from '../../bus/index.js'
import type { RequestContext } from '../../common/context.js'
import {
  ComputeHostNotFound,
  ComputeServiceUnavailable,
  Invalid,
  MessagingTimeout,
  MigrationPreCheckError,
  NovaError,
  RowNotFound,
  UnableToMigrateToSelf,
} from '../../common/errors/index.js'
import { isServiceUp } from '../../db/index.js'
import type { MigrationRecord } from '../../db/repositories/migrations.js'
import type { RequestSpec, Selection } from '../scheduler/client.js'
import type { LiveMigrateRequest, MigrationView } from './client.js'
import type { ConductorDeps } from './conductor-deps.js'
import { migrationView, moveDeps, withEvent, type MoveDeps } from './moves.js'

/** What the destination's check settled (compute check_can_live_migrate_destination's answer). */
interface DestinationChecks {
  readonly check: Record<string, unknown>
  readonly plan: { readonly blockMigration: boolean; readonly sharedInstancePath: boolean }
}

/** How many scheduler picks are tried when a destination's checks refuse (Nova's migrate_max_retries, bounded). */
const MAX_DESTINATION_TRIES = 3

/** Errors that leave the instance as it was (Nova's expected precheck errors): only the task is cleared. */
const expected = (error: unknown): boolean =>
  error instanceof NovaError && (error.status < 500 || error.code === 'NoValidHost')

type LiveDeps = MoveDeps & Pick<ConductorDeps, 'services' | 'clock' | 'serviceDownTimeS'>

/** Nova's _check_host_is_up: the host's nova-compute exists (ComputeHostNotFound) and is up. */
async function checkHostUp(deps: LiveDeps, host: string): Promise<void> {
  const service = await deps.services.getByHostAndBinary(host, 'nova-compute')
  if (service === undefined) throw new ComputeHostNotFound({ host })
  if (!isServiceUp(service, deps.clock.now(), deps.serviceDownTimeS ?? 60))
    throw new ComputeServiceUnavailable({ host })
}

/**
 * Nova's LiveMigrationTask (ComputeTaskManager.live_migrate_instance): a `live-migration` migration (`accepted`),
 * the source checked up, the instance's allocations moved to the migration's uuid, a destination (the host given,
 * checked by the scheduler unless forced; else the scheduler's pick other than the source, which claims it for the
 * instance), the destination's and source's checks (compute check_can_live_migrate_destination; a refused pick is
 * given back and the next one tried), then live_migration cast to the source. A failure before that cast: the
 * allocations go back to the instance, migration `error` (instance task cleared, state kept) or `failed` (an
 * unexpected error: instance ERROR), and the error reaches the caller (a call before API 2.34).
 */
export async function liveMigrateInstance(
  deps: LiveDeps,
  ctx: RequestContext,
  request: LiveMigrateRequest,
): Promise<MigrationView> {
  const uuid = request.instance_uuid
  return await withEvent(deps, ctx, uuid, 'conductor_live_migrate_instance', async () => {
    const instance = await deps.instances.get(uuid)
    if (instance === undefined) throw new RowNotFound({ table: 'instances', id: uuid })
    const source = instance.host ?? ''
    const migration = await deps.moves.create({
      instance_uuid: uuid,
      migration_type: 'live-migration',
      status: 'accepted',
      source_compute: instance.host,
      source_node: instance.node,
      ...(request.host === undefined ? {} : { dest_compute: request.host }),
      old_instance_type_id: instance.instance_type_id,
      new_instance_type_id: instance.instance_type_id,
      user_id: ctx.userId ?? instance.user_id,
      project_id: ctx.projectId ?? instance.project_id,
    })
    let moved = false
    try {
      await checkHostUp(deps, source)
      if (request.host !== undefined) {
        if (request.host === source) throw new UnableToMigrateToSelf({ instanceId: uuid, host: source })
        await checkHostUp(deps, request.host)
      }
      moved = (await deps.placement?.moveAllocations(uuid, migration.uuid, 'MIGRATION')) ?? false
      const { selection, checks } = await findDestination(deps, ctx, request, migration, source)
      const updated = await deps.moves.update(migration.id, {
        dest_compute: selection.host,
        dest_node: selection.nodename,
        dest_host: selection.host,
      })
      await deps.compute.liveMigrationCast(ctx, source, 'live_migration', {
        instance_uuid: uuid,
        migration_id: migration.id,
        dest: selection.host,
        plan: checks.plan,
      })
      return migrationView(updated)
    } catch (error) {
      deps.logger.warn({ err: error, instance: uuid }, 'live migration refused')
      if (moved) await deps.placement?.moveAllocations(migration.uuid, uuid).catch(() => false)
      const ok = expected(error)
      await deps.moves.update(migration.id, { status: ok ? 'error' : 'failed' }).catch(() => undefined)
      await deps.instances
        .update(uuid, ok ? { task_state: null } : { vm_state: 'error', task_state: null })
        .catch(() => undefined)
      throw error
    }
  })
}

/**
 * The destination (Nova's _find_destination / _check_requested_destination): the scheduler claims it for the
 * instance (the source and refused hosts ignored; a requested host forced into the spec), then the hosts check.
 * A scheduler pick the checks refuse gives its claim back and the next one is tried; a requested one fails.
 */
async function findDestination(
  deps: LiveDeps,
  ctx: RequestContext,
  request: LiveMigrateRequest,
  migration: MigrationRecord,
  source: string,
): Promise<{ selection: Selection; checks: DestinationChecks }> {
  const uuid = request.instance_uuid
  const refused: string[] = []
  for (let attempt = 1; ; attempt++) {
    const hints = (request.request_spec.schedulerHints ?? {}) as Record<string, readonly string[]>
    const spec = {
      ...request.request_spec,
      instanceUuid: uuid,
      numInstances: 1,
      ignoreHosts: [source, ...refused],
      forceHosts: request.host === undefined ? [] : [request.host],
      // A requested host is checked by the filters (2.30+ without force); a forced one is only claimed.
      schedulerHints:
        request.host !== undefined && request.force !== true
          ? { ...hints, _nova_check_type: ['live_migrate'] }
          : hints,
    } as unknown as RequestSpec
    const [selection] = await deps.scheduler.selectDestinations(ctx, spec, [uuid], false)
    if (selection === undefined) throw new Invalid('the scheduler chose no host')
    try {
      const checks = await deps.compute
        .liveMigrationCall<DestinationChecks>(ctx, selection.host, 'check_can_live_migrate_destination', {
          instance_uuid: uuid,
          migration_id: migration.id,
          source,
          block_migration: request.block_migration,
          disk_over_commit: request.disk_over_commit,
        })
        .catch((error: unknown) => {
          // Nova: a destination that does not answer is a pre-check error, not a failure of the instance.
          if (error instanceof MessagingTimeout)
            throw new MigrationPreCheckError({
              reason: `Timeout while checking if we can live migrate to host: ${selection.host}`,
            })
          throw error
        })
      return { selection, checks }
    } catch (error) {
      // The pick's claim goes (the instance holds only what the scheduler claimed there).
      await deps.placement?.deleteAllocations(uuid).catch(() => false)
      if (request.host !== undefined || attempt >= MAX_DESTINATION_TRIES) throw error
      deps.logger.info({ err: error, instance: uuid, host: selection.host }, 'destination refused, next')
      refused.push(selection.host)
    }
  }
}

/** Migration statuses after which a migration is over (nothing runs, nothing is held for it). */
const FINISHED = new Set(['confirmed', 'reverted', 'error', 'completed', 'failed', 'done', 'cancelled'])

/** The conductor's RPC methods of live migration (1.7; 1.8 migrations_in_progress). */
export function liveMigrateEndpoints(deps: ConductorDeps): RpcEndpoints {
  return {
    migrations_in_progress: async (_ctx, args) => {
      if (typeof args.instance_uuid !== 'string')
        throw new Invalid('migrations_in_progress needs an instance_uuid')
      const all = await moveDeps(deps).moves.ofInstance(args.instance_uuid)
      return all
        .filter((m) => !FINISHED.has(m.status))
        .reverse()
        .map(migrationView)
    },
    live_migrate_instance: async (ctx, args) => {
      const block = args.block_migration
      if (
        typeof args.instance_uuid !== 'string' ||
        (typeof block !== 'boolean' && block !== 'auto') ||
        typeof args.disk_over_commit !== 'boolean' ||
        typeof args.request_spec !== 'object' ||
        args.request_spec === null ||
        (args.host !== undefined && typeof args.host !== 'string')
      )
        throw new Invalid(
          'live_migrate_instance needs an instance_uuid, a request_spec, block_migration and disk_over_commit',
        )
      const live: LiveDeps = {
        ...moveDeps(deps),
        services: deps.services,
        clock: deps.clock,
        ...(deps.serviceDownTimeS === undefined ? {} : { serviceDownTimeS: deps.serviceDownTimeS }),
      }
      return await liveMigrateInstance(live, ctx, args as unknown as LiveMigrateRequest)
    },
  }
}
