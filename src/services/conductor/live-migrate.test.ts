import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { makeContext } from '../../common/context.js'
import { MessagingTimeout, MigrationPreCheckError } from '../../common/errors/index.js'
import { silentLogger } from '../../common/logger.js'
import { liveMigrateInstance } from './live-migrate.js'

/** The conductor's live migration with its collaborators as recorders (no database, no bus). */
function stubDeps(check: () => Promise<unknown>) {
  const migrationUpdates: Record<string, unknown>[] = []
  const instanceUpdates: Record<string, unknown>[] = []
  const upAt = new Date()
  const deps = {
    instances: {
      get: async (uuid: string) => ({
        uuid,
        host: 'src',
        node: 'src',
        instance_type_id: 1,
        user_id: 'u',
        project_id: 'p',
      }),
      update: async (_uuid: string, changes: Record<string, unknown>) => void instanceUpdates.push(changes),
    },
    moves: {
      create: async () => ({ id: 7, uuid: 'm-7' }),
      update: async (_id: number, changes: Record<string, unknown>) => void migrationUpdates.push(changes),
    },
    actions: { finishEvent: async () => undefined },
    services: {
      getByHostAndBinary: async (host: string) => ({
        host,
        forcedDown: false,
        updatedAt: upAt,
        createdAt: upAt,
      }),
    },
    clock: { now: () => upAt },
    scheduler: {
      selectDestinations: async () => [
        { host: 'dst', nodename: 'dst', allocationRequest: { allocations: {} } },
      ],
    },
    compute: { liveMigrationCall: check, liveMigrationCast: async () => undefined },
    placement: undefined,
    logger: silentLogger(),
  }
  return { deps, migrationUpdates, instanceUpdates }
}

const request = {
  instance_uuid: 'i-1',
  request_spec: {},
  host: 'dst',
  block_migration: 'auto' as const,
  disk_over_commit: false,
}

describe('conductor live_migrate_instance', () => {
  it("a destination that does not answer its check is Nova's pre-check error: migration error, task cleared", async () => {
    const { deps, migrationUpdates, instanceUpdates } = stubDeps(async () => {
      throw new MessagingTimeout({ topic: 'compute', server: 'dst', method: 'check', timeoutMs: 1 })
    })
    await assert.rejects(
      liveMigrateInstance(deps as never, makeContext(), request),
      (error: unknown) =>
        error instanceof MigrationPreCheckError &&
        /Timeout while checking if we can live migrate to host: dst/.test(error.message),
    )
    assert.deepEqual(migrationUpdates.at(-1), { status: 'error' })
    assert.deepEqual(instanceUpdates.at(-1), { task_state: null })
  })

  it('an unexpected failure of the checks puts the instance in ERROR and the migration in failed', async () => {
    const { deps, migrationUpdates, instanceUpdates } = stubDeps(async () => {
      throw new TypeError('boom')
    })
    await assert.rejects(liveMigrateInstance(deps as never, makeContext(), request), TypeError)
    assert.deepEqual(migrationUpdates.at(-1), { status: 'failed' })
    assert.deepEqual(instanceUpdates.at(-1), { vm_state: 'error', task_state: null })
  })
})
