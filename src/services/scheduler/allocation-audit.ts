import type { Logger } from '../../common/logger.js'
import type { Database } from '../../db/index.js'
import type { UntypedKysely } from '../../db/untyped.js'
import type { PlacementClient, Resources } from '../placement/client.js'

/** An allocation against a compute node whose consumer is not an instance living on that node. */
export interface OrphanAllocation {
  readonly consumer: string
  readonly provider: string
  readonly resources: Resources
  /** Why: the instance record is gone or deleted, or it lives on another node. */
  readonly reason: 'no such instance' | 'instance deleted' | 'instance on another node'
}

/** A live instance on a compute node with no allocation against any node. */
export interface MissingAllocation {
  readonly instance: string
  readonly provider: string
  readonly resources: Resources
}

export interface AuditReport {
  readonly orphans: readonly OrphanAllocation[]
  readonly missing: readonly MissingAllocation[]
  readonly deleted: number
  readonly healed: number
}

export interface AuditDeps {
  readonly mainDb: Database<unknown>
  /** The API database: consumers with a build request are instances still being built, never orphans. */
  readonly apiDb?: Database<unknown>
  readonly placement: Pick<
    PlacementClient,
    'providerAllocations' | 'allocationsOf' | 'claim' | 'removeFromProvider'
  >
  readonly logger: Logger
}

const CHUNK = 500

/** What an instance's flavor takes from its compute node (Nova's heal_allocations without extra specs). */
function flavorResources(row: Record<string, unknown>): Resources {
  const disk = Number(row.root_gb ?? 0) + Number(row.ephemeral_gb ?? 0)
  return {
    ...(Number(row.vcpus ?? 0) > 0 ? { VCPU: Number(row.vcpus) } : {}),
    ...(Number(row.memory_mb ?? 0) > 0 ? { MEMORY_MB: Number(row.memory_mb) } : {}),
    ...(disk > 0 ? { DISK_GB: disk } : {}),
  }
}

/**
 * `nova-manage placement audit` and the scheduler's periodic audit: compares placement's allocations on every
 * compute node with the instances of the cell database. Orphans (consumers that are no instance on that node,
 * except MIGRATION consumers, which hold a move's source, and an evacuated instance on the node it left, kept
 * until that node's nova-compute cleans up, as in Nova) are reported and, with `delete`, removed from that
 * node; live, settled instances without any allocation are reported and, with `heal`, given their flavor's
 * allocation on their node. One placement call per compute node plus one per finding; instances are read in
 * batches.
 */
export async function auditAllocations(
  deps: AuditDeps,
  options: { readonly delete: boolean; readonly heal: boolean; readonly providerUuid?: string },
): Promise<AuditReport> {
  const k = deps.mainDb.kysely as UntypedKysely
  let nodeQuery = k
    .selectFrom('compute_nodes')
    .select(['uuid', 'host', 'hypervisor_hostname'])
    .where('deleted', '=', 0)
    .where('uuid', 'is not', null)
  if (options.providerUuid !== undefined) nodeQuery = nodeQuery.where('uuid', '=', options.providerUuid)
  const nodes = (await nodeQuery.execute()) as Record<string, unknown>[]
  const nodeByName = new Map(nodes.map((n) => [String(n.hypervisor_hostname ?? n.host), String(n.uuid)]))
  // `<instance> <provider>` of the evacuations whose source has not cleaned up yet.
  const evacuatedFrom = new Set(
    (
      (await k
        .selectFrom('migrations')
        .select(['instance_uuid', 'source_node'])
        .where('migration_type', '=', 'evacuation')
        .where('status', 'in', ['accepted', 'pre-migrating', 'done'])
        .where('deleted', '=', 0)
        .execute()) as Record<string, unknown>[]
    ).map((m) => `${String(m.instance_uuid)} ${nodeByName.get(String(m.source_node ?? '')) ?? ''}`),
  )

  const byProvider = new Map<string, Record<string, { resources: Resources }>>()
  for (const node of nodes)
    byProvider.set(String(node.uuid), await deps.placement.providerAllocations(String(node.uuid)))
  const consumers = [...new Set([...byProvider.values()].flatMap((a) => Object.keys(a)))]

  const instances = new Map<string, Record<string, unknown>>()
  for (let i = 0; i < consumers.length; i += CHUNK) {
    const rows = (await k
      .selectFrom('instances')
      .select(['uuid', 'host', 'node', 'deleted', 'vm_state', 'task_state'])
      .where('uuid', 'in', consumers.slice(i, i + CHUNK))
      .execute()) as Record<string, unknown>[]
    for (const r of rows) {
      // A live row wins over soft-deleted copies of the same uuid.
      const seen = instances.get(String(r.uuid))
      if (seen === undefined || Number(seen.deleted) !== 0) instances.set(String(r.uuid), r)
    }
  }

  const building = new Set<string>()
  if (deps.apiDb !== undefined) {
    const unknown = consumers.filter((c) => !instances.has(c))
    for (let i = 0; i < unknown.length; i += CHUNK) {
      const rows = (await (deps.apiDb.kysely as UntypedKysely)
        .selectFrom('build_requests')
        .select('instance_uuid')
        .where('instance_uuid', 'in', unknown.slice(i, i + CHUNK))
        .execute()) as { instance_uuid: unknown }[]
      for (const r of rows) building.add(String(r.instance_uuid))
    }
  }

  const orphans: OrphanAllocation[] = []
  for (const [provider, allocations] of byProvider) {
    for (const [consumer, { resources }] of Object.entries(allocations)) {
      const row = instances.get(consumer)
      let reason: OrphanAllocation['reason'] | undefined
      if (row === undefined) reason = 'no such instance'
      else if (Number(row.deleted) !== 0) reason = 'instance deleted'
      else if (row.vm_state === 'building' || (row.task_state ?? null) !== null)
        continue // moving or being built
      else if (nodeByName.get(String(row.node ?? '')) !== provider) {
        if (evacuatedFrom.has(`${consumer} ${provider}`)) continue // the evacuation's source cleans it up
        reason = 'instance on another node'
      }
      if (reason === undefined || building.has(consumer)) continue
      // Moves hold the source node's usage under the migration's uuid.
      if (
        reason === 'no such instance' &&
        (await deps.placement.allocationsOf(consumer)).consumer_type === 'MIGRATION'
      )
        continue
      orphans.push({ consumer, provider, resources, reason })
    }
  }

  let deleted = 0
  if (options.delete) {
    for (const orphan of orphans)
      if (await deps.placement.removeFromProvider(orphan.consumer, orphan.provider)) deleted++
  }

  // Live instances that settled on a node (no task in flight) yet hold nothing in placement.
  const holders = new Set(consumers)
  const missing: MissingAllocation[] = []
  const live = (await k
    .selectFrom('instances')
    .select(['uuid', 'node', 'vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb', 'project_id', 'user_id'])
    .where('deleted', '=', 0)
    .where('node', 'is not', null)
    .where('task_state', 'is', null)
    .where('vm_state', 'not in', ['building', 'error', 'shelved_offloaded'])
    .execute()) as Record<string, unknown>[]
  for (const row of live) {
    const provider = nodeByName.get(String(row.node))
    if (provider === undefined || holders.has(String(row.uuid))) continue
    const resources = flavorResources(row)
    if (Object.keys(resources).length > 0) missing.push({ instance: String(row.uuid), provider, resources })
  }
  let healed = 0
  if (options.heal) {
    const owners = new Map(live.map((r) => [String(r.uuid), r]))
    for (const m of missing) {
      const owner = owners.get(m.instance)!
      const outcome = await deps.placement.claim(
        m.instance,
        { [m.provider]: { resources: m.resources } },
        { projectId: String(owner.project_id ?? ''), userId: String(owner.user_id ?? '') },
        null,
      )
      if (outcome === 'claimed') healed++
      else deps.logger.warn({ instance: m.instance, outcome }, 'could not heal the allocation of an instance')
    }
  }
  if (orphans.length + missing.length > 0)
    deps.logger.info(
      { orphans: orphans.length, deleted, missing: missing.length, healed },
      'allocation audit found allocations out of step with instances',
    )
  return { orphans, missing, deleted, healed }
}
