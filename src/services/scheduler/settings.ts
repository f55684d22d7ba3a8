import type { NovaConfig } from '../../config/index.js'
import { parsePyFloat } from './filters/py.js'

/** One `name=ratio` element of a weight setting list (`[metrics]weight_setting`, `image_props_weight_setting`). */
export type WeightSetting = readonly [name: string, ratio: number]

export interface MetricsSettings {
  /** `[metrics]weight_setting`, parsed; invalid elements are left out (and listed in `ignoredSettings`). */
  readonly weightSetting: readonly WeightSetting[]
  readonly required: boolean
  readonly weightMultiplier: number
  readonly weightOfUnavailable: number
}

/** The `[filter_scheduler]` and `[metrics]` options (and `[DEFAULT]default_availability_zone`) filters and weighers read. */
export interface FilterSchedulerSettings {
  /** `[DEFAULT]default_availability_zone`: the zone of hosts in no zone aggregate (AvailabilityZoneFilter). */
  readonly defaultAvailabilityZone: string
  readonly maxIoOpsPerHost: number
  readonly maxInstancesPerHost: number
  readonly isolatedImages: readonly string[]
  readonly isolatedHosts: readonly string[]
  readonly restrictIsolatedHostsToIsolatedImages: boolean
  readonly imagePropertiesDefaultArchitecture: string | undefined
  readonly aggregateImagePropertiesIsolationNamespace: string | undefined
  readonly aggregateImagePropertiesIsolationSeparator: string
  readonly ramWeightMultiplier: number
  readonly cpuWeightMultiplier: number
  readonly diskWeightMultiplier: number
  readonly ioOpsWeightMultiplier: number
  readonly numInstancesWeightMultiplier: number
  readonly hypervisorVersionWeightMultiplier: number
  readonly imagePropsWeightMultiplier: number
  /** `image_props_weight_setting`, parsed like `[metrics]weight_setting`. */
  readonly imagePropsWeightSetting: readonly WeightSetting[]
  readonly pciWeightMultiplier: number
  readonly softAffinityWeightMultiplier: number
  readonly softAntiAffinityWeightMultiplier: number
  readonly buildFailureWeightMultiplier: number
  readonly crossCellMoveWeightMultiplier: number
  readonly metrics: MetricsSettings
  /** Warnings about option elements that were ignored (Nova logs these once at start-up). */
  readonly ignoredSettings: readonly string[]
}

/**
 * Nova's `parse_options(opts, sep='=', converter=float)`: keeps each `key=value` element whose key is non-empty
 * and whose value is a float; the others are returned as `bad`. Keys are not trimmed (Nova does not either).
 */
export function parseWeightSetting(elements: readonly string[]): {
  good: WeightSetting[]
  bad: string[]
} {
  const good: WeightSetting[] = []
  const bad: string[] = []
  for (const element of elements) {
    const at = element.indexOf('=')
    const key = at < 0 ? '' : element.slice(0, at)
    const value = at < 0 ? undefined : parsePyFloat(element.slice(at + 1))
    if (key !== '' && value !== undefined) good.push([key, value])
    else bad.push(element)
  }
  return { good, bad }
}

/** The typed view of the options the filters and weighers need. */
export function settingsFromConfig(config: NovaConfig): FilterSchedulerSettings {
  const fs = config.filter_scheduler
  const m = config.metrics
  const ignoredSettings: string[] = []
  const parse = (option: string, elements: readonly string[]) => {
    const { good, bad } = parseWeightSetting(elements)
    if (bad.length > 0) ignoredSettings.push(`ignoring the invalid elements of ${option}: ${bad.join(', ')}`)
    return good
  }
  return {
    defaultAvailabilityZone: config.DEFAULT.default_availability_zone,
    maxIoOpsPerHost: fs.max_io_ops_per_host,
    maxInstancesPerHost: fs.max_instances_per_host,
    isolatedImages: fs.isolated_images,
    isolatedHosts: fs.isolated_hosts,
    restrictIsolatedHostsToIsolatedImages: fs.restrict_isolated_hosts_to_isolated_images,
    imagePropertiesDefaultArchitecture: fs.image_properties_default_architecture,
    aggregateImagePropertiesIsolationNamespace: fs.aggregate_image_properties_isolation_namespace,
    aggregateImagePropertiesIsolationSeparator: fs.aggregate_image_properties_isolation_separator,
    ramWeightMultiplier: fs.ram_weight_multiplier,
    cpuWeightMultiplier: fs.cpu_weight_multiplier,
    diskWeightMultiplier: fs.disk_weight_multiplier,
    ioOpsWeightMultiplier: fs.io_ops_weight_multiplier,
    numInstancesWeightMultiplier: fs.num_instances_weight_multiplier,
    hypervisorVersionWeightMultiplier: fs.hypervisor_version_weight_multiplier,
    imagePropsWeightMultiplier: fs.image_props_weight_multiplier,
    imagePropsWeightSetting: parse(
      '[filter_scheduler]image_props_weight_setting',
      fs.image_props_weight_setting,
    ),
    pciWeightMultiplier: fs.pci_weight_multiplier,
    softAffinityWeightMultiplier: fs.soft_affinity_weight_multiplier,
    softAntiAffinityWeightMultiplier: fs.soft_anti_affinity_weight_multiplier,
    buildFailureWeightMultiplier: fs.build_failure_weight_multiplier,
    crossCellMoveWeightMultiplier: fs.cross_cell_move_weight_multiplier,
    metrics: {
      weightSetting: parse('[metrics]weight_setting', m.weight_setting),
      required: m.required,
      weightMultiplier: m.weight_multiplier,
      weightOfUnavailable: m.weight_of_unavailable,
    },
    ignoredSettings,
  }
}
