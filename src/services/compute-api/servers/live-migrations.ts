import type { FastifyInstance, FastifyRequest } from 'fastify'
import { makeContext, type RequestContext } from '../../../common/context.js'
import { InstanceIsLocked, InvalidMigrationState } from '../../../common/errors/index.js'
import type { InstanceRecord } from '../../../db/repositories/instances.js'
import type { MigrationRecord } from '../../../db/repositories/migrations.js'
import { ApiFault } from '../faults.js'
import { atLeast, requireVersion } from '../microversion.js'
import { authorize, type Caller } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import { validate } from '../validation.js'
import { stateConflict } from './actions/guards.js'
import { movesOf } from './actions/move-support.js'
import type { StateGuard } from './actions/types.js'
import type { ServerDeps } from './deps.js'

type Loader = (request: FastifyRequest, id: string) => Promise<InstanceRecord>

const contextOf = (request: FastifyRequest, caller: Caller): RequestContext =>
  makeContext({
    requestId: request.id,
    userId: caller.userId,
    projectId: caller.projectId,
    roles: caller.credentials.roles ?? [],
    isAdmin: caller.isAdmin,
  })

/**
 * The operator's handles on a running live migration (Nova's ServerMigrationsController): force_complete
 * (POST …/migrations/{id}/action, 2.22) and abort (DELETE …/migrations/{id}, 2.24; 2.65 also while queued or
 * preparing). Each is recorded as an instance action and cast to the source's nova-compute. The GETs of the same
 * resource are in admin/migrations.ts.
 */
export function registerLiveMigrationRoutes(
  app: FastifyInstance,
  deps: ComputeApiDeps,
  servers: ServerDeps,
  load: Loader,
): void {
  const { settings } = deps

  /** The server (404), the policy (403), the lock (409, admins pass), the states (409), in Nova's order. */
  const prepare = async (request: FastifyRequest, rule: string, name: string, guard: StateGuard) => {
    const params = request.params as { server_id: string; migration_id: string }
    const instance = await load(request, params.server_id)
    const caller = authorize(request, settings, rule, { project_id: instance.project_id ?? '' })
    if (instance.locked === true && !caller.isAdmin)
      throw new InstanceIsLocked({ instanceUuid: instance.uuid })
    const conflict = stateConflict(name, instance, guard)
    if (conflict !== undefined) throw conflict
    const id = params.migration_id
    const migration = /^\d+$/.test(id)
      ? (await movesOf(servers).ofInstance(instance.uuid)).find((m) => m.id === Number(id))
      : undefined
    return { instance, caller, migration, id }
  }

  const notFoundText = (id: string, uuid: string) => `Migration ${id} not found for instance ${uuid}`

  const record = async (
    request: FastifyRequest,
    caller: Caller,
    instance: InstanceRecord,
    action: string,
  ) => {
    await servers.actions.startAction(instance.uuid, {
      action,
      requestId: request.id,
      userId: caller.userId,
      projectId: caller.projectId,
    })
  }

  const invalid = (migration: MigrationRecord, uuid: string, method: string) =>
    new InvalidMigrationState({
      migrationId: migration.id,
      instanceUuid: uuid,
      state: migration.status,
      method,
    })

  route(app, 'POST', '/servers/:server_id/migrations/:migration_id/action', async (request, reply) => {
    requireVersion(request, 22)
    validate(
      {
        type: 'object',
        properties: { force_complete: { type: 'null' } },
        required: ['force_complete'],
        additionalProperties: false,
      },
      request.body,
    )
    const { instance, caller, migration, id } = await prepare(
      request,
      'os_compute_api:servers:migrations:force_complete',
      'force_complete',
      { vmStates: ['active'], taskStates: ['migrating'] },
    )
    if (migration === undefined) throw new ApiFault(400, notFoundText(id, instance.uuid))
    if (migration.status !== 'running') throw invalid(migration, instance.uuid, 'force complete')
    await record(request, caller, instance, 'live_migration_force_complete')
    await servers.compute.liveMigrationCast(
      contextOf(request, caller),
      migration.source_compute ?? '',
      'live_migration_force_complete',
      { instance_uuid: instance.uuid, migration_id: migration.id },
    )
    reply.code(202)
    return ''
  })

  route(app, 'DELETE', '/servers/:server_id/migrations/:migration_id', async (request, reply) => {
    requireVersion(request, 24)
    const { instance, caller, migration, id } = await prepare(
      request,
      'os_compute_api:servers:migrations:delete',
      'abort live migration',
      { taskStates: ['migrating'] },
    )
    if (migration === undefined) throw new ApiFault(404, notFoundText(id, instance.uuid))
    const allowed = atLeast(request, 65) ? ['running', 'queued', 'preparing'] : ['running']
    if (migration.migration_type !== 'live-migration' || !allowed.includes(migration.status))
      throw invalid(migration, instance.uuid, 'abort live migration')
    await record(request, caller, instance, 'live_migration_cancel')
    await servers.compute.liveMigrationCast(
      contextOf(request, caller),
      migration.source_compute ?? '',
      'live_migration_abort',
      { instance_uuid: instance.uuid, migration_id: migration.id },
    )
    reply.code(202)
    return ''
  })
}
