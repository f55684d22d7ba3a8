// Test factories for the scheduler: a host, a request, settings at Nova's defaults, aggregates.
import type { NovaConfig } from '../../../config/index.js'
import { SECTIONS } from '../../../config/options/index.js'
import type { FilterContext } from '../filters/host-filter.js'
import type {
  FlavorSpec,
  HostAggregate,
  HostInstance,
  HostState,
  ImageSpec,
  RequestSpec,
} from '../host-state.js'
import { settingsFromConfig, type FilterSchedulerSettings } from '../settings.js'

/** Every option at its default, shaped like a loaded NovaConfig. */
export function defaultConfig(): NovaConfig {
  return Object.fromEntries(
    Object.entries(SECTIONS).map(([section, opts]) => [
      section,
      Object.fromEntries(Object.entries(opts).map(([name, opt]) => [name, opt.default])),
    ]),
  ) as unknown as NovaConfig
}

/** Settings from the option defaults, with some replaced. */
export function fakeSettings(overrides: Partial<FilterSchedulerSettings> = {}): FilterSchedulerSettings {
  return { ...settingsFromConfig(defaultConfig()), ...overrides }
}

/** A filter/weigher context with default settings, some replaced. */
export function fakeContext(overrides: Partial<FilterSchedulerSettings> = {}): FilterContext {
  return { settings: fakeSettings(overrides) }
}

let aggregateId = 0

/** An aggregate with this metadata. */
export function fakeAggregate(metadata: Record<string, string>, name?: string): HostAggregate {
  aggregateId += 1
  return {
    id: aggregateId,
    uuid: `00000000-0000-4000-8000-${String(aggregateId).padStart(12, '0')}`,
    name: name ?? `agg${aggregateId}`,
    metadata,
  }
}

export type FakeHostOverrides = Partial<Omit<HostState, 'instances' | 'metrics'>> & {
  /** Instance uuids (or instances) on the host. */
  readonly instances?: readonly (string | HostInstance)[]
  readonly metrics?: Readonly<Record<string, number>>
}

/** A healthy, empty x86_64 QEMU host named `host` (default 'host1'). */
export function fakeHost(overrides: FakeHostOverrides = {}): HostState {
  const { instances = [], metrics = {}, ...rest } = overrides
  const host = rest.host ?? 'host1'
  return {
    host,
    nodename: host,
    uuid: `uuid-${host}`,
    cellUuid: 'cell1',
    hostIp: '10.0.0.1',
    serviceUp: true,
    serviceDisabled: false,
    availabilityZone: 'nova',
    hypervisorType: 'QEMU',
    hypervisorVersion: 8002000,
    cpuInfo: JSON.stringify({ arch: 'x86_64', features: ['sse', 'avx'], maxphysaddr: { bits: 46 } }),
    supportedInstances: [['x86_64', 'qemu', 'hvm']],
    totalUsableRamMb: 16384,
    freeRamMb: 16384,
    totalUsableDiskGb: 100,
    freeDiskMb: 102400,
    vcpusTotal: 8,
    vcpusUsed: 0,
    numInstances: instances.length,
    numIoOps: 0,
    failedBuilds: 0,
    stats: {},
    aggregates: [],
    ...rest,
    metrics: new Map(Object.entries(metrics)),
    instances: new Map(instances.map((i) => (typeof i === 'string' ? [i, { uuid: i }] : [i.uuid, i]))),
  }
}

export type FakeSpecOverrides = Partial<Omit<RequestSpec, 'flavor' | 'image'>> & {
  readonly flavor?: Partial<FlavorSpec>
  readonly image?: Partial<ImageSpec>
}

/** A request for one m1.small instance of a plain image, by project 'p1'. */
export function fakeSpec(overrides: FakeSpecOverrides = {}): RequestSpec {
  const { flavor = {}, image = {}, ...rest } = overrides
  return {
    instanceUuid: 'inst-new',
    projectId: 'p1',
    userId: 'u1',
    numInstances: 1,
    schedulerHints: {},
    ignoreHosts: [],
    forceHosts: [],
    forceNodes: [],
    ...rest,
    flavor: {
      name: 'm1.small',
      flavorid: '2',
      vcpus: 1,
      memoryMb: 2048,
      rootGb: 20,
      ephemeralGb: 0,
      swap: 0,
      extraSpecs: {},
      ...flavor,
    },
    image: { id: 'image-1', properties: {}, ...image },
  }
}
