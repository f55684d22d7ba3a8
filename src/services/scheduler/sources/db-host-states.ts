import type { Clock } from '../../../common/clock.js'
import type { Database } from '../../../db/index.js'
import { isServiceUp } from '../../../db/index.js'
import type { UntypedKysely } from '../../../db/untyped.js'
import type { HostAggregate, HostInstance, HostState } from '../host-state.js'
import type { HostStateSource } from '../selection.js'
import type { DbAggregate } from './db-aggregates.js'

/**
 * nova-ts runs one cell until cells v2 arrives: every host is in it. (Nova's cell0 is all zeros; this is cell1.)
 */
export const SINGLE_CELL_UUID = '00000000-0000-0000-0000-000000000001'

/** Task states Nova counts as I/O-heavy for IoOpsFilter/IoOpsWeigher (plus instances still building). */
const IO_TASK_STATES = [
  'resize_migrating',
  'rebuilding',
  'resize_prep',
  'image_snapshot',
  'image_backup',
  'unshelving',
  'shelving',
  'shelving_image_uploading',
]

export interface DbHostStateOptions {
  readonly mainDb: Database<unknown>
  readonly aggregates: { list(): Promise<readonly DbAggregate[]> }
  readonly cellUuid: string
  readonly serviceDownTimeS: number
  /** `[DEFAULT] default_availability_zone`: the zone of hosts in no zone aggregate. */
  readonly defaultAvailabilityZone: string
  readonly clock: Clock
}

const json = <T>(text: unknown, fallback: T): T => {
  if (typeof text !== 'string' || text === '') return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}

/**
 * HostStates built from the cell database (compute_nodes, their nova-compute services, the instances on them)
 * and the API database's aggregates: four queries for any number of hosts, fresh objects on every call.
 */
export function createDbHostStateSource(options: DbHostStateOptions): HostStateSource {
  const k = options.mainDb.kysely as UntypedKysely
  const d = options.mainDb.differences
  return {
    async countHosts(): Promise<number> {
      const row = (await k
        .selectFrom('compute_nodes')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('deleted', '=', 0)
        .executeTakeFirst()) as { n: unknown } | undefined
      return Number(row?.n ?? 0)
    },

    async hostStates(rootProviderUuids: readonly string[]): Promise<HostState[]> {
      if (rootProviderUuids.length === 0) return []
      const nodes = (await k
        .selectFrom('compute_nodes')
        .selectAll()
        .where('deleted', '=', 0)
        .where('uuid', 'in', [...rootProviderUuids])
        .execute()) as Record<string, unknown>[]
      if (nodes.length === 0) return []
      const hosts = [...new Set(nodes.map((n) => String(n.host)))]
      const [services, instances, aggregates] = await Promise.all([
        k
          .selectFrom('services')
          .selectAll()
          .where('deleted', '=', 0)
          .where('binary', '=', 'nova-compute')
          .where('host', 'in', hosts)
          .execute() as Promise<Record<string, unknown>[]>,
        k
          .selectFrom('instances')
          .select(['uuid', 'host', 'node', 'vm_state', 'task_state'])
          .where('deleted', '=', 0)
          .where('host', 'in', hosts)
          .execute() as Promise<Record<string, unknown>[]>,
        options.aggregates.list(),
      ])
      const now = options.clock.now()
      const serviceOf = new Map(services.map((s) => [String(s.host), s]))
      return nodes.map((n): HostState => {
        const host = String(n.host)
        const nodename = String(n.hypervisor_hostname ?? host)
        const service = serviceOf.get(host)
        const up =
          service !== undefined &&
          isServiceUp(
            {
              forcedDown: d.fromDbBool(service.forced_down),
              updatedAt: d.fromDbDate(service.updated_at),
              createdAt: d.fromDbDate(service.created_at),
            } as Parameters<typeof isServiceUp>[0],
            now,
            options.serviceDownTimeS,
          )
        const onNode = instances.filter(
          (i) => String(i.host) === host && String(i.node ?? nodename) === nodename,
        )
        const hostAggregates: HostAggregate[] = aggregates
          .filter((a) => a.hosts.includes(host))
          .map((a) => ({ id: a.id, uuid: a.uuid, name: a.name, metadata: a.metadata }))
        const zone = hostAggregates.map((a) => a.metadata.availability_zone).find((z) => z !== undefined)
        const memoryMb = Number(n.memory_mb ?? 0)
        const localGb = Number(n.local_gb ?? 0)
        return {
          host,
          nodename,
          uuid: String(n.uuid),
          cellUuid: options.cellUuid,
          hostIp: String(n.host_ip ?? ''),
          serviceUp: up,
          serviceDisabled: service === undefined ? true : d.fromDbBool(service.disabled),
          availabilityZone: zone ?? options.defaultAvailabilityZone,
          hypervisorType: String(n.hypervisor_type ?? ''),
          hypervisorVersion: Number(n.hypervisor_version ?? 0),
          cpuInfo: String(n.cpu_info ?? ''),
          supportedInstances: json<[string, string, string][]>(n.supported_instances, []),
          totalUsableRamMb: memoryMb,
          freeRamMb: Number(n.free_ram_mb ?? memoryMb - Number(n.memory_mb_used ?? 0)),
          totalUsableDiskGb: localGb,
          freeDiskMb: Number(n.free_disk_gb ?? localGb - Number(n.local_gb_used ?? 0)) * 1024,
          vcpusTotal: Number(n.vcpus ?? 0),
          vcpusUsed: Number(n.vcpus_used ?? 0),
          numInstances: onNode.length,
          numIoOps: onNode.filter(
            (i) => i.vm_state === 'building' || IO_TASK_STATES.includes(String(i.task_state ?? '')),
          ).length,
          failedBuilds: Number(json<Record<string, unknown>>(n.stats, {}).failed_builds ?? 0),
          stats: Object.fromEntries(
            Object.entries(json<Record<string, unknown>>(n.stats, {})).map(([key, v]) => [key, String(v)]),
          ),
          metrics: new Map(),
          aggregates: hostAggregates,
          instances: new Map<string, HostInstance>(
            onNode.map((i) => [String(i.uuid), { uuid: String(i.uuid) }]),
          ),
          ...(n.cpu_allocation_ratio === null || n.cpu_allocation_ratio === undefined
            ? {}
            : { cpuAllocationRatio: Number(n.cpu_allocation_ratio) }),
          ...(n.ram_allocation_ratio === null || n.ram_allocation_ratio === undefined
            ? {}
            : { ramAllocationRatio: Number(n.ram_allocation_ratio) }),
          ...(n.disk_allocation_ratio === null || n.disk_allocation_ratio === undefined
            ? {}
            : { diskAllocationRatio: Number(n.disk_allocation_ratio) }),
        }
      })
    },
  }
}
