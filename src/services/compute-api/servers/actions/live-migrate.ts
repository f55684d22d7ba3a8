import { ComputeHostNotFound } from '../../../../common/errors/index.js'
import { badRequest } from '../../faults.js'
import { atLeast } from '../../microversion.js'
import { authorize } from '../../request.js'
import { booleanType, toBool, type Schema } from '../../validation.js'
import { badRequestOnNoValidHost, movesOf, requestSpecOf } from './move-support.js'
import { adminRule, type ServerAction } from './types.js'

/** Nova's parameter_types.fqdn, or null (the scheduler picks). */
const hostType: Schema = {
  type: ['string', 'null'],
  minLength: 1,
  maxLength: 255,
  pattern: '^[a-zA-Z0-9-._]*$',
}

/**
 * Nova's os-migrateLive schemas: 2.1 {host, block_migration, disk_over_commit} (all required, booleans);
 * 2.25 block_migration may be "auto" and disk_over_commit is gone; 2.30 adds `force`; 2.68 removes it again.
 */
function migrateLiveSchema(minor: (n: number) => boolean): Schema {
  const v225 = minor(25)
  return {
    type: 'object',
    properties: {
      host: hostType,
      block_migration: v225 ? { type: ['boolean', 'string'], enum: [true, false, 'auto'] } : booleanType,
      ...(v225 ? {} : { disk_over_commit: booleanType }),
      ...(minor(30) && !minor(68) ? { force: booleanType } : {}),
    },
    required: v225 ? ['block_migration', 'host'] : ['block_migration', 'disk_over_commit', 'host'],
    additionalProperties: false,
  }
}

interface MigrateLiveBody {
  readonly host: string | null
  readonly block_migration: unknown
  readonly disk_over_commit?: unknown
  readonly force?: unknown
}

/**
 * os-migrateLive (admin; Nova's MigrateServerController._migrate_live): an ACTIVE or PAUSED server with no task
 * moves to another host while it runs. The host, when given, must have a compute node (400); it is taken without
 * the scheduler's filters before 2.30 and with `force` (2.30–2.67), checked by them otherwise. Task migrating, the
 * `live-migration` action, then the conductor's live_migrate_instance: a call before 2.34 (its refusals answer 400
 * here: same host, host down, storage, pre-checks, no valid host), a cast from 2.34. 202.
 */
const hostRule = adminRule(
  'os-migrate-server:migrate_live:host',
  'Live migrate a server to a specified host without a reboot',
  'os-migrateLive',
)

const migrateLive: ServerAction = {
  key: 'os-migrateLive',
  name: 'os-migrateLive',
  policy: adminRule(
    'os-migrate-server:migrate_live',
    'Live migrate a server to a new host without a reboot',
    'os-migrateLive',
  ),
  morePolicies: [hostRule],
  schema: (request) => migrateLiveSchema((n) => atLeast(request, n)),
  states: { vmStates: ['active', 'paused'], taskStates: [null] },
  async run(call) {
    const { instance, servers, request } = call
    const moves = movesOf(servers)
    const body = call.body as MigrateLiveBody
    const host = body.host ?? undefined
    const blockMigration =
      atLeast(request, 25) && body.block_migration === 'auto' ? 'auto' : toBool(body.block_migration)
    const diskOverCommit = atLeast(request, 25) ? false : toBool(body.disk_over_commit)
    // Before 2.30 a host is forced; 2.30–2.67 only with force; from 2.68 never.
    let force = true
    if (atLeast(request, 30)) {
      force = atLeast(request, 68) ? false : toBool(body.force ?? false)
      if (force && host === undefined) throw badRequest("Can't force to a non-provided destination")
    }
    if (host !== undefined) {
      authorize(request, call.settings, hostRule.name, { project_id: instance.project_id ?? '' })
      if (!(await moves.computeHostExists(host))) throw new ComputeHostNotFound({ host })
    }
    const spec = await requestSpecOf(servers, instance)
    await call.transition({ task_state: 'migrating' }, [null])
    await call.record('live-migration')
    // Before 2.34 a call: the conductor clears the task of a refused migration, then its error answers here.
    await badRequestOnNoValidHost(() =>
      servers.conductor.liveMigrateInstance(
        call.ctx,
        {
          instance_uuid: instance.uuid,
          request_spec: spec as unknown as Record<string, unknown>,
          ...(host === undefined ? {} : { host, force }),
          block_migration: blockMigration,
          disk_over_commit: diskOverCommit,
        },
        atLeast(request, 34),
      ),
    )
    return undefined
  },
}

export const liveMigrateActions: readonly ServerAction[] = [migrateLive]
