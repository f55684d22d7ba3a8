import type { RpcEndpoints } from '../../../bus/index.js'
import { Invalid } from '../../../common/errors/index.js'
import type { LiveMigrationDestinationCheck, LiveMigrationPlan } from '../driver/driver.js'
import type { MoveOperationDeps } from './common.js'
import {
  liveMigration,
  liveMigrationAbort,
  liveMigrationForceComplete,
  type LiveMigrationArgs,
} from './live-migration.js'
import {
  checkCanLiveMigrateDestination,
  checkCanLiveMigrateSource,
  postLiveMigrationAtDestination,
  preLiveMigration,
  rollbackLiveMigrationAtDestination,
  type DestinationCheckArgs,
} from './live-migration-destination.js'

const planArg = (method: string, value: unknown): LiveMigrationPlan => {
  const p = value as Partial<LiveMigrationPlan> | null
  if (typeof p?.blockMigration !== 'boolean' || typeof p.sharedInstancePath !== 'boolean')
    throw new Invalid(`${method} needs a plan {blockMigration, sharedInstancePath}`)
  return p as LiveMigrationPlan
}

/** nova-compute's live migration RPC methods (compute 1.5). */
export function liveMigrationEndpoints(deps: MoveOperationDeps): RpcEndpoints {
  const uuidOf = (method: string, args: Record<string, unknown>): string => {
    if (typeof args.instance_uuid !== 'string' || args.instance_uuid === '')
      throw new Invalid(`${method} needs an instance_uuid`)
    return args.instance_uuid
  }
  const migrationOf = (method: string, args: Record<string, unknown>): number => {
    if (typeof args.migration_id !== 'number') throw new Invalid(`${method} needs a migration_id`)
    return args.migration_id
  }
  return {
    check_can_live_migrate_destination: async (ctx, args) => {
      uuidOf('check_can_live_migrate_destination', args)
      if (typeof args.source !== 'string')
        throw new Invalid('check_can_live_migrate_destination needs a source')
      return await checkCanLiveMigrateDestination(deps, ctx, args as unknown as DestinationCheckArgs)
    },
    check_can_live_migrate_source: async (ctx, args) =>
      await checkCanLiveMigrateSource(
        deps,
        ctx,
        uuidOf('check_can_live_migrate_source', args),
        args.check as LiveMigrationDestinationCheck,
      ),
    pre_live_migration: async (ctx, args) =>
      await preLiveMigration(
        deps,
        ctx,
        uuidOf('pre_live_migration', args),
        planArg('pre_live_migration', args.plan),
      ),
    post_live_migration_at_destination: async (ctx, args) => {
      const method = 'post_live_migration_at_destination'
      await postLiveMigrationAtDestination(deps, ctx, {
        instance_uuid: uuidOf(method, args),
        migration_id: migrationOf(method, args),
        plan: planArg(method, args.plan),
        paused: args.paused === true,
      })
      return null
    },
    live_migration: async (ctx, args) => {
      migrationOf('live_migration', args)
      uuidOf('live_migration', args)
      planArg('live_migration', args.plan)
      if (typeof args.dest !== 'string') throw new Invalid('live_migration needs a dest')
      await liveMigration(deps, ctx, args as unknown as LiveMigrationArgs)
      return null
    },
    rollback_live_migration_at_destination: async (ctx, args) => {
      const method = 'rollback_live_migration_at_destination'
      await rollbackLiveMigrationAtDestination(deps, ctx, uuidOf(method, args), planArg(method, args.plan))
      return null
    },
    live_migration_force_complete: async (ctx, args) => {
      const method = 'live_migration_force_complete'
      await liveMigrationForceComplete(deps, ctx, uuidOf(method, args), migrationOf(method, args))
      return null
    },
    live_migration_abort: async (ctx, args) => {
      const method = 'live_migration_abort'
      await liveMigrationAbort(deps, ctx, uuidOf(method, args), migrationOf(method, args))
      return null
    },
  }
}
