// A cloud of fake compute nodes for the scheduler: a real placement (in-process, SQLite) with one root
// provider per node, host aggregates mirrored into placement aggregates, and host states read back from
// placement's usages and allocations, as the resource tracker would have reported them.
import { randomUUID } from 'node:crypto'
import { silentLogger } from '../../src/common/logger.js'
import { PlacementClient } from '../../src/services/placement/client.js'
import { resolveFilters } from '../../src/services/scheduler/filters/index.js'
import type { HostAggregate, HostState } from '../../src/services/scheduler/host-state.js'
import type { AggregateRecord } from '../../src/services/scheduler/request-filters/index.js'
import { selectionSettingsFromConfig } from '../../src/services/scheduler/selection-settings.js'
import type { HostStateSource, SelectionDeps } from '../../src/services/scheduler/selection.js'
import { defaultConfig } from '../../src/services/scheduler/testing/fakes.js'
import { resolveWeighers } from '../../src/services/scheduler/weighers/index.js'
import { placementHarness, type PlacementHarness } from '../placement/support.js'

export const HOST_VCPUS = 16
export const HOST_RAM_MB = 32768
export const HOST_DISK_GB = 1000
export const CPU_RATIO = 4

export interface FakeNode {
  readonly uuid: string
  readonly host: string
  readonly az: string
}

export interface FakeCloud {
  readonly h: PlacementHarness
  readonly nodes: readonly FakeNode[]
  readonly aggregates: AggregateRecord[]
  readonly hostStates: HostStateSource & { calls: number }
  /** Deps for selectDestinations at Nova's defaults, some settings replaced. */
  deps(overrides?: DepsOverrides): SelectionDeps
  usages(uuid: string): Promise<Record<string, number>>
  setTraits(uuid: string, traits: string[]): Promise<void>
  close(): Promise<void>
}

export interface DepsOverrides {
  readonly ramWeightMultiplier?: number
  readonly weighers?: readonly string[]
  readonly filters?: readonly string[]
  readonly maxAttempts?: number
  readonly hostSubsetSize?: number
  readonly random?: () => number
}

/** `count` nodes named cmp-00…; the first `az1` are in az1, the rest in az2. */
export async function fakeCloud(count = 50, az1 = 40): Promise<FakeCloud> {
  const h = await placementHarness()
  const ok = async (method: string, url: string, body?: unknown) => {
    const res = await h.call(method, url, body)
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  }
  const aggregates: AggregateRecord[] = [
    { uuid: randomUUID(), name: 'zone-az1', metadata: { availability_zone: 'az1' }, hosts: [] },
    { uuid: randomUUID(), name: 'zone-az2', metadata: { availability_zone: 'az2' }, hosts: [] },
  ]
  const nodes: FakeNode[] = []
  for (let i = 0; i < count; i++) {
    const node = {
      uuid: randomUUID(),
      host: `cmp-${String(i).padStart(2, '0')}`,
      az: i < az1 ? 'az1' : 'az2',
    }
    nodes.push(node)
    const agg = aggregates[i < az1 ? 0 : 1]!
    ;(agg.hosts as string[]).push(node.host)
    await ok('POST', '/resource_providers', { uuid: node.uuid, name: node.host })
    await ok('PUT', `/resource_providers/${node.uuid}/inventories`, {
      resource_provider_generation: 0,
      inventories: {
        VCPU: { total: HOST_VCPUS, allocation_ratio: CPU_RATIO },
        MEMORY_MB: { total: HOST_RAM_MB },
        DISK_GB: { total: HOST_DISK_GB },
      },
    })
    await ok('PUT', `/resource_providers/${node.uuid}/aggregates`, {
      resource_provider_generation: 1,
      aggregates: [agg.uuid],
    })
  }
  const byUuid = new Map(nodes.map((n) => [n.uuid, n]))
  const hostAggregates = (host: string): HostAggregate[] =>
    aggregates
      .filter((a) => a.hosts.includes(host))
      .map((a, i) => ({ id: i + 1, uuid: a.uuid, name: a.name, metadata: a.metadata }))

  const usages = async (uuid: string) =>
    (await ok('GET', `/resource_providers/${uuid}/usages`)).usages as Record<string, number>

  const hostStates = {
    calls: 0,
    async countHosts() {
      return nodes.length
    },
    async hostStates(uuids: readonly string[]): Promise<HostState[]> {
      hostStates.calls += 1
      const states: HostState[] = []
      for (const uuid of uuids) {
        const node = byUuid.get(uuid)
        if (node === undefined) continue
        const used = await usages(uuid)
        const consumers = Object.keys(
          (await ok('GET', `/resource_providers/${uuid}/allocations`)).allocations as object,
        )
        const traits = (await ok('GET', `/resource_providers/${uuid}/traits`)).traits as string[]
        states.push({
          host: node.host,
          nodename: node.host,
          uuid,
          cellUuid: 'cell1',
          hostIp: '10.0.0.1',
          serviceUp: true,
          serviceDisabled: traits.includes('COMPUTE_STATUS_DISABLED'),
          availabilityZone: node.az,
          hypervisorType: 'QEMU',
          hypervisorVersion: 8002000,
          cpuInfo: '{}',
          supportedInstances: [['x86_64', 'qemu', 'hvm']],
          totalUsableRamMb: HOST_RAM_MB,
          freeRamMb: HOST_RAM_MB - (used.MEMORY_MB ?? 0),
          totalUsableDiskGb: HOST_DISK_GB,
          freeDiskMb: (HOST_DISK_GB - (used.DISK_GB ?? 0)) * 1024,
          vcpusTotal: HOST_VCPUS,
          vcpusUsed: used.VCPU ?? 0,
          cpuAllocationRatio: CPU_RATIO,
          numInstances: consumers.length,
          numIoOps: 0,
          failedBuilds: 0,
          stats: {},
          metrics: new Map(),
          aggregates: hostAggregates(node.host),
          instances: new Map(consumers.map((c) => [c, { uuid: c }])),
        })
      }
      return states
    },
  }

  const config = defaultConfig()
  return {
    h,
    nodes,
    aggregates,
    hostStates,
    deps(o = {}) {
      const base = selectionSettingsFromConfig(config)
      return {
        placement: new PlacementClient(h.transport),
        hostStates,
        aggregates: { list: async () => aggregates },
        filters: resolveFilters(o.filters ?? config.filter_scheduler.enabled_filters),
        weighers: resolveWeighers(o.weighers ?? config.filter_scheduler.weight_classes),
        settings: {
          ...base,
          filterScheduler: {
            ...base.filterScheduler,
            ...(o.ramWeightMultiplier === undefined ? {} : { ramWeightMultiplier: o.ramWeightMultiplier }),
          },
          ...(o.maxAttempts === undefined ? {} : { maxAttempts: o.maxAttempts }),
          ...(o.hostSubsetSize === undefined ? {} : { hostSubsetSize: o.hostSubsetSize }),
        },
        ...(o.random === undefined ? {} : { random: o.random }),
        logger: silentLogger(),
      }
    },
    usages,
    async setTraits(uuid, traits) {
      const rp = await ok('GET', `/resource_providers/${uuid}`)
      await ok('PUT', `/resource_providers/${uuid}/traits`, {
        resource_provider_generation: rp.generation,
        traits,
      })
    },
    close: () => h.close(),
  }
}

/** `n` fresh instance uuids. */
export const uuids = (n: number): string[] => Array.from({ length: n }, () => randomUUID())
