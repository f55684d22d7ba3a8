import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { silentLogger } from '../src/common/logger.js'
import { loadConfig } from '../src/config/index.js'
import type { CandidatesAnswer } from '../src/services/placement/client.js'
import {
  selectDestinations,
  selectionDepsFromConfig,
  type HostState,
  type HostStateSource,
  type RequestSpec,
  type SchedulerPlacement,
  type SelectionDeps,
} from '../src/services/scheduler/index.js'
import { percentile, printTable } from './table.js'
import { fakeSpec } from '../src/services/scheduler/testing/fakes.js'

const HOST_VCPUS = 32
const HOST_RAM_MB = 131072
const HOST_DISK_GB = 2048

/** What varies between the fake compute nodes: the usage already on them, so that the weighers differ. */
interface Node {
  readonly uuid: string
  readonly host: string
  readonly vcpusUsed: number
  readonly ramUsedMb: number
  readonly diskUsedGb: number
  readonly instances: readonly string[]
}

function nodes(count: number): Node[] {
  return Array.from({ length: count }, (_, i) => {
    const instances = Array.from({ length: i % 8 }, () => randomUUID())
    return {
      uuid: randomUUID(),
      host: `cmp-${String(i).padStart(5, '0')}`,
      vcpusUsed: instances.length * 2,
      ramUsedMb: instances.length * 4096 + (i % 97) * 16,
      diskUsedGb: instances.length * 40,
      instances,
    }
  })
}

/** The time spent inside the fakes (building what placement and the cell databases would answer). */
interface FakeTime {
  placementMs: number
  hostStatesMs: number
}

/**
 * In-memory placement: every node is a candidate (VCPU, MEMORY_MB, DISK_GB on its root provider), up to the
 * query's `limit` as placement does; the answer is built afresh on each call, as parsing placement's JSON would;
 * every claim succeeds.
 */
function fakePlacement(all: readonly Node[], time: FakeTime): SchedulerPlacement {
  return {
    async allocationCandidates(query) {
      const start = performance.now()
      const params = typeof query === 'string' ? new URLSearchParams(query) : query
      const limit = Number(params.get('limit') ?? all.length)
      const picked = all.slice(0, limit)
      const answer: CandidatesAnswer = {
        allocation_requests: picked.map((n) => ({
          allocations: { [n.uuid]: { resources: { VCPU: 1, MEMORY_MB: 2048, DISK_GB: 20 } } },
        })),
        provider_summaries: Object.fromEntries(
          picked.map((n) => [
            n.uuid,
            {
              resources: {
                VCPU: { capacity: HOST_VCPUS * 16, used: n.vcpusUsed },
                MEMORY_MB: { capacity: Math.floor(HOST_RAM_MB * 1.5), used: n.ramUsedMb },
                DISK_GB: { capacity: HOST_DISK_GB, used: n.diskUsedGb },
              },
              traits: ['COMPUTE_NODE', 'HW_CPU_X86_AVX2', 'COMPUTE_IMAGE_TYPE_QCOW2'],
              parent_provider_uuid: null,
              root_provider_uuid: n.uuid,
            },
          ]),
        ),
      }
      time.placementMs += performance.now() - start
      return answer
    },
    async claim() {
      return 'claimed'
    },
    async deleteAllocations() {
      return true
    },
  }
}

/** Fresh HostStates for the requested root providers, as the cells' compute_nodes would give them. */
function fakeHostStates(all: readonly Node[], time: FakeTime): HostStateSource {
  const byUuid = new Map(all.map((n) => [n.uuid, n]))
  const cpuInfo = JSON.stringify({ arch: 'x86_64', features: ['sse', 'avx'], maxphysaddr: { bits: 46 } })
  return {
    async hostStates(uuids) {
      const start = performance.now()
      const states: HostState[] = []
      for (const uuid of uuids) {
        const n = byUuid.get(uuid)
        if (n === undefined) continue
        states.push({
          host: n.host,
          nodename: n.host,
          uuid: n.uuid,
          cellUuid: 'cell1',
          hostIp: '10.0.0.1',
          serviceUp: true,
          serviceDisabled: false,
          availabilityZone: 'nova',
          hypervisorType: 'QEMU',
          hypervisorVersion: 8002000,
          cpuInfo,
          supportedInstances: [['x86_64', 'qemu', 'hvm']],
          totalUsableRamMb: HOST_RAM_MB,
          freeRamMb: HOST_RAM_MB - n.ramUsedMb,
          totalUsableDiskGb: HOST_DISK_GB,
          freeDiskMb: (HOST_DISK_GB - n.diskUsedGb) * 1024,
          vcpusTotal: HOST_VCPUS,
          vcpusUsed: n.vcpusUsed,
          cpuAllocationRatio: 16,
          ramAllocationRatio: 1.5,
          diskAllocationRatio: 1,
          numInstances: n.instances.length,
          numIoOps: 0,
          failedBuilds: 0,
          stats: {},
          metrics: new Map(),
          aggregates: [],
          instances: new Map(n.instances.map((uuid) => [uuid, { uuid }])),
        })
      }
      time.hostStatesMs += performance.now() - start
      return states
    },
    async countHosts() {
      return all.length
    },
  }
}

const SPEC: RequestSpec = fakeSpec({
  instanceUuid: 'unset',
  image: { id: randomUUID(), diskFormat: 'qcow2' },
})

interface Row {
  readonly label: string
  readonly hosts: number
  readonly instances: number
  /** `[scheduler]max_placement_results`; undefined = the default. */
  readonly limit?: number
  readonly samples: number
}

/** One row: per call, the total, the fakes' share and the rest (the scheduler's own pipeline). */
async function measure(row: Row): Promise<(string | number)[]> {
  const all = nodes(row.hosts)
  const time: FakeTime = { placementMs: 0, hostStatesMs: 0 }
  const { config } = loadConfig(
    row.limit === undefined ? {} : { overrides: { scheduler: { max_placement_results: String(row.limit) } } },
  )
  const deps: SelectionDeps = selectionDepsFromConfig(config, {
    placement: fakePlacement(all, time),
    hostStates: fakeHostStates(all, time),
    aggregates: { list: async () => [] },
    logger: silentLogger(),
  })
  const candidates = Math.min(all.length, config.scheduler.max_placement_results)
  const once = async () => {
    const uuids = Array.from({ length: row.instances }, () => randomUUID())
    time.placementMs = 0
    time.hostStatesMs = 0
    const start = performance.now()
    const picked = await selectDestinations(
      deps,
      { ...SPEC, instanceUuid: uuids[0]!, numInstances: row.instances },
      uuids,
      true,
    )
    const total = performance.now() - start
    if (picked.length !== row.instances) throw new Error(`${picked.length} of ${row.instances} placed`)
    return { total, placement: time.placementMs, hostStates: time.hostStatesMs }
  }
  for (let i = 0; i < Math.max(20, Math.ceil(row.samples / 4)); i++) await once()
  const totals: number[] = []
  const pipeline: number[] = []
  let placementMs = 0
  let hostStatesMs = 0
  for (let i = 0; i < row.samples; i++) {
    const s = await once()
    totals.push(s.total)
    pipeline.push(s.total - s.placement - s.hostStates)
    placementMs += s.placement
    hostStatesMs += s.hostStates
  }
  for (const list of [totals, pipeline]) list.sort((a, b) => a - b)
  return [
    row.label,
    candidates,
    row.samples,
    percentile(totals, 50),
    percentile(totals, 99),
    placementMs / row.samples,
    hostStatesMs / row.samples,
    percentile(pipeline, 50),
    percentile(pipeline, 99),
  ]
}

/**
 * nova-scheduler's select_destinations with the default filters, weighers and request filters, against an
 * in-memory placement and host-state source (so the figures are the scheduler's own cost, plus the fakes'
 * construction of their answers, shown apart). Every row but the last raises max_placement_results to the
 * host count so that every host is a candidate; the last keeps the default (1,000). The target: 10,000 hosts
 * in under 10 ms p50.
 */
export async function benchScheduler(): Promise<void> {
  const rows: Row[] = [
    { label: '100 hosts, 1 instance', hosts: 100, instances: 1, limit: 100, samples: 200 },
    { label: '1,000 hosts, 1 instance', hosts: 1000, instances: 1, limit: 1000, samples: 200 },
    { label: '10,000 hosts, 1 instance', hosts: 10000, instances: 1, limit: 10000, samples: 200 },
    { label: '1,000 hosts, 10 instances', hosts: 1000, instances: 10, limit: 1000, samples: 200 },
    { label: '10,000 hosts, 1 instance, default limit', hosts: 10000, instances: 1, samples: 200 },
  ]
  const out: (string | number)[][] = []
  for (const row of rows) out.push(await measure(row))
  printTable(
    [
      'select_destinations (alternates on)',
      'candidates',
      'samples',
      'p50 ms',
      'p99 ms',
      'fake placement ms (mean)',
      'fake host states ms (mean)',
      'pipeline p50 ms',
      'pipeline p99 ms',
    ],
    out,
  )
}
