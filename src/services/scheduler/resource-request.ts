// Nova's ResourceRequest: what a RequestSpec asks of placement, as request groups (utils.ResourceRequest).
import type { RequestSpec } from './host-state.js'

export interface ResourceGroup {
  /** '' for the unsuffixed group, else the suffix of `resources<suffix>:` (a number or a 1.33 name). */
  readonly suffix: string
  readonly resources: Map<string, number>
  readonly required: Set<string>
  readonly forbidden: Set<string>
}

export interface ResourceRequest {
  /** The unsuffixed group first, then the suffixed ones in the order the extra specs name them. */
  readonly groups: readonly ResourceGroup[]
  readonly groupPolicy?: 'none' | 'isolate'
  /** Extra specs and image properties that were ignored, and why (Nova logs a warning for each). */
  readonly ignored: readonly string[]
}

const KEY = /^(resources|trait)([a-zA-Z0-9_-]{1,64})?:(.+)$/
const CLASS_NAME = /^[A-Z0-9_]+$/
const AMOUNT = /^\s*[+]?\d+\s*$/

/** Swap MB as whole GB, rounded up (compute_utils.convert_mb_to_ceil_gb). */
export const swapGb = (swapMb: number): number => Math.ceil(swapMb / 1024)

/**
 * The request groups of a spec: flavor extra specs `resources[S]:CLASS=amount` and `trait[S]:NAME=required|
 * forbidden`, `group_policy`, image properties `trait:NAME=required` (unsuffixed group), then the flavor's own
 * VCPU, MEMORY_MB and DISK_GB (root unless boot from volume + ephemeral + swap in GB) for each class no group
 * names already (VCPU also not when PCPU is named). Zero amounts are dropped, then groups left with nothing.
 */
export function resourceRequestFromSpec(spec: RequestSpec): ResourceRequest {
  const groups = new Map<string, ResourceGroup>()
  const ignored: string[] = []
  let groupPolicy: 'none' | 'isolate' | undefined
  const group = (suffix: string): ResourceGroup => {
    let g = groups.get(suffix)
    if (g === undefined) {
      g = { suffix, resources: new Map(), required: new Set(), forbidden: new Set() }
      groups.set(suffix, g)
    }
    return g
  }
  group('')

  for (const [key, value] of Object.entries(spec.flavor.extraSpecs)) {
    if (key === 'group_policy') {
      if (value === 'none' || value === 'isolate') groupPolicy = value
      else ignored.push(`group_policy=${value}: only 'none' and 'isolate' are valid`)
      continue
    }
    const match = KEY.exec(key)
    if (match === null) continue
    const [, prefix, suffix = '', name = ''] = match
    if (prefix === 'resources') {
      if (!CLASS_NAME.test(name)) ignored.push(`${key}: '${name}' is not a resource class`)
      else if (!AMOUNT.test(value)) ignored.push(`${key}=${value}: amounts are non-negative integers`)
      else group(suffix).resources.set(name, Number(value))
    } else if (value === 'required') group(suffix).required.add(name)
    else if (value === 'forbidden') group(suffix).forbidden.add(name)
    else ignored.push(`${key}=${value}: only 'required' and 'forbidden' traits are supported`)
  }
  for (const [key, value] of Object.entries(spec.image.properties)) {
    if (!key.startsWith('trait:')) continue
    if (value === 'required') group('').required.add(key.slice('trait:'.length))
    else ignored.push(`image property ${key}=${String(value)}: only 'required' is supported`)
  }

  const named = new Set([...groups.values()].flatMap((g) => [...g.resources.keys()]))
  const unsuffixed = group('').resources
  const { flavor } = spec
  if (!named.has('VCPU') && !named.has('PCPU')) unsuffixed.set('VCPU', flavor.vcpus)
  if (!named.has('MEMORY_MB')) unsuffixed.set('MEMORY_MB', flavor.memoryMb)
  if (!named.has('DISK_GB')) {
    const root = spec.isBfv === true ? 0 : flavor.rootGb
    unsuffixed.set('DISK_GB', root + flavor.ephemeralGb + swapGb(flavor.swap))
  }

  for (const g of groups.values()) {
    for (const [rc, amount] of g.resources) if (amount === 0) g.resources.delete(rc)
    if (g.suffix !== '' && g.resources.size === 0 && g.required.size === 0 && g.forbidden.size === 0)
      groups.delete(g.suffix)
  }
  return { groups: [...groups.values()], ...(groupPolicy === undefined ? {} : { groupPolicy }), ignored }
}

/** Every required trait of every group (Nova's all_required_traits): what isolate_aggregates compares with. */
export function allRequiredTraits(request: ResourceRequest): Set<string> {
  return new Set(request.groups.flatMap((g) => [...g.required]))
}
