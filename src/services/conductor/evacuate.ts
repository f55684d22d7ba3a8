import type { RpcEndpoints } from '../../bus/index.js'
import type { RequestContext } from '../../common/context.js'
import { Invalid, NoValidHost, NovaError, RowNotFound } from '../../common/errors/index.js'
import type { InstanceRecord } from '../../db/repositories/instances.js'
import type { MigrationRecord } from '../../db/repositories/migrations.js'
import type { Resources } from '../placement/client.js'
import type { RequestSpec } from '../scheduler/client.js'
import type { EvacuateRequest, EvacuationView } from './client.js'
import type { ConductorDeps } from './conductor-deps.js'
import { migrationView, moveDeps, withEvent, type MoveDeps } from './moves.js'

/** Where the evacuated instance goes: host, node and the node's provider (its compute node uuid). */
interface Destination {
  readonly host: string
  readonly node: string
  readonly nodeUuid: string | undefined
}

/** The resources the instance holds on its source (the migration's allocations), else its flavor's. */
async function instanceResources(
  d: MoveDeps,
  consumer: string,
  instance: InstanceRecord,
): Promise<Resources> {
  const held = (await d.placement?.allocationsOf(consumer).catch(() => undefined))?.allocations ?? {}
  const summed: Record<string, number> = {}
  for (const { resources } of Object.values(held))
    for (const [rc, n] of Object.entries(resources)) summed[rc] = (summed[rc] ?? 0) + n
  if (Object.keys(summed).length > 0) return summed
  return Object.fromEntries(
    [
      ['VCPU', instance.vcpus ?? 0],
      ['MEMORY_MB', instance.memory_mb ?? 0],
      ['DISK_GB', (instance.root_gb ?? 0) + (instance.ephemeral_gb ?? 0)],
    ].filter(([, n]) => (n as number) > 0),
  ) as Resources
}

/**
 * A forced host (Nova's claim_resources_on_destination): the scheduler is bypassed, the instance's resources are
 * claimed on the host's first compute node; no room → NoValidHost.
 */
async function claimForcedHost(
  deps: ConductorDeps,
  d: MoveDeps,
  instance: InstanceRecord,
  migration: MigrationRecord,
  host: string,
): Promise<Destination> {
  const [node] = await deps.computeNodes.list({ host })
  if (node === undefined) throw new NoValidHost({ reason: `Compute host ${host} could not be found.` })
  if (d.placement !== undefined) {
    const resources = await instanceResources(d, migration.uuid, instance)
    const outcome = await d.placement.claim(
      instance.uuid,
      { [node.uuid]: { resources } },
      { projectId: instance.project_id ?? '', userId: instance.user_id ?? '' },
    )
    if (outcome !== 'claimed')
      throw new NoValidHost({
        reason:
          `Unable to move instance ${instance.uuid} to host ${host}. There is not enough capacity on the host ` +
          `for the instance.`,
      })
  }
  return { host, node: node.hypervisor_hostname, nodeUuid: node.uuid }
}

/** The scheduler's pick (it claims the instance's resources there); the source is in ignore_hosts. */
async function schedule(
  d: MoveDeps,
  ctx: RequestContext,
  instance: InstanceRecord,
  request: EvacuateRequest,
): Promise<Destination> {
  const spec = {
    ...request.request_spec,
    instanceUuid: instance.uuid,
    numInstances: 1,
  } as unknown as RequestSpec
  const [selection] = await d.scheduler.selectDestinations(ctx, spec, [instance.uuid], false)
  if (selection === undefined) throw new Invalid('the scheduler chose no host')
  return { host: selection.host, node: selection.nodename, nodeUuid: selection.computeNodeUuid }
}

/**
 * Nova's ComputeTaskManager.rebuild_instance for an evacuation: the instance's source allocations are parked on
 * the migration while the destination is chosen (the scheduler, the source ignored, or a forced host), then the
 * instance consumer holds both the source and the destination (as in Nova: the source's part goes when the
 * source compute comes back and cleans up). The migration learns its destination and rebuild_instance
 * (recreate) is cast there. No host: allocations back, migration `error`, the instance in ERROR with the
 * scheduler's explanation as fault.
 */
export async function evacuateInstance(
  deps: ConductorDeps,
  ctx: RequestContext,
  request: EvacuateRequest,
): Promise<void> {
  const d = moveDeps(deps)
  const uuid = request.instance_uuid
  await withEvent(d, ctx, uuid, 'rebuild_server', async () => {
    const instance = await d.instances.get(uuid)
    if (instance === undefined) throw new RowNotFound({ table: 'instances', id: uuid })
    const migration = await d.moves.get(request.migration_id)
    if (migration === undefined)
      throw new RowNotFound({ table: 'migrations', id: String(request.migration_id) })
    const parked = (await d.placement?.moveAllocations(uuid, migration.uuid, 'MIGRATION')) ?? false
    let dest: Destination
    try {
      dest =
        request.host === undefined
          ? await schedule(d, ctx, instance, request)
          : await claimForcedHost(deps, d, instance, migration, request.host)
    } catch (error) {
      if (parked) await d.placement?.moveAllocations(migration.uuid, uuid).catch(() => false)
      await d.moves.update(migration.id, { status: 'error' }).catch(() => undefined)
      await d.instances
        .addFault(uuid, {
          code: error instanceof NovaError ? error.status : 500,
          message: error instanceof Error ? error.message : String(error),
        })
        .catch(() => undefined)
      await d.instances.update(uuid, { vm_state: 'error', task_state: null }).catch(() => undefined)
      throw error
    }
    if (parked) await d.placement?.moveAllocations(migration.uuid, uuid, 'INSTANCE', true)
    await d.moves.update(migration.id, {
      dest_compute: dest.host,
      dest_node: dest.node,
      dest_host: dest.host,
    })
    await d.compute.rebuildOnDestination(ctx, dest.host, {
      instance_uuid: uuid,
      image_ref: instance.image_ref ?? '',
      migration_id: migration.id,
      node: dest.node,
      ...(dest.nodeUuid === undefined ? {} : { node_uuid: dest.nodeUuid }),
      admin_password: request.admin_password ?? null,
      on_shared_storage: request.on_shared_storage ?? null,
      ...(request.target_state === undefined ? {} : { target_state: request.target_state }),
    })
  })
}

/** Statuses of an evacuation the source still has to clean up after (Nova's _destroy_evacuated_instances). */
const UNCLEANED = ['accepted', 'pre-migrating', 'done']

/** The evacuations from `host` its nova-compute has not cleaned up yet, with their instances' ids. */
export async function evacuationsFromHost(deps: ConductorDeps, host: string): Promise<EvacuationView[]> {
  const d = moveDeps(deps)
  const out: EvacuationView[] = []
  for (const migration of await d.moves.withStatus(UNCLEANED)) {
    if (migration.migration_type !== 'evacuation' || migration.source_compute !== host) continue
    const instance = await d.instances.get(migration.instance_uuid, { withDeleted: true })
    out.push({
      migration: migrationView(migration),
      instance_id: instance?.id ?? null,
      instance_deleted: instance === undefined || instance.deleted,
    })
  }
  return out
}

/** The conductor's RPC methods of evacuate (1.6). */
export function evacuateEndpoints(deps: ConductorDeps): RpcEndpoints {
  return {
    rebuild_instance: async (ctx, args) => {
      if (typeof args.instance_uuid !== 'string' || typeof args.migration_id !== 'number')
        throw new Invalid('rebuild_instance needs an instance_uuid and a migration_id')
      if (typeof args.request_spec !== 'object' || args.request_spec === null)
        throw new Invalid('rebuild_instance needs a request_spec')
      await evacuateInstance(deps, ctx, args as unknown as EvacuateRequest).catch((error: unknown) => {
        deps.build?.logger.warn({ err: error, instance: args.instance_uuid }, 'the evacuation failed')
      })
      return null
    },
    evacuations_from_host: async (_ctx, args) => {
      if (typeof args.host !== 'string' || args.host === '')
        throw new Invalid('evacuations_from_host needs a host')
      return await evacuationsFromHost(deps, args.host)
    },
  }
}
