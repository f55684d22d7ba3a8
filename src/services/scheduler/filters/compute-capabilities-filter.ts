import type { HostState } from '../host-state.js'
import { matchExtraSpec } from './extra-spec-ops.js'
import { hasHostAttribute, hostAttribute } from './host-attributes.js'
import type { HostFilter } from './host-filter.js'
import { pyStr } from './py.js'

const SCOPE = 'capabilities'

/** A JSON string parsed (Nova json-loads string capabilities before descending); `undefined` when it is not JSON. */
function loadJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

const isDict = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Walks `cpu_info:arch`-style paths: the first part is a HostState attribute (or, when the attribute is unset, a
 * key of the host's stats); later parts descend into dicts, json-decoding strings on the way. undefined = no value.
 */
function capability(host: HostState, path: readonly string[]): unknown {
  let cap: unknown = host
  for (const part of path) {
    if (typeof cap === 'string') {
      cap = loadJson(cap)
      if (cap === undefined) return undefined
    }
    if (cap === host) {
      const value = hostAttribute(host, part)
      cap = value ?? host.stats[part]
    } else if (isDict(cap)) {
      cap = Object.hasOwn(cap, part) ? cap[part] : undefined
    } else {
      return undefined
    }
    if (cap === undefined || cap === null) return undefined
  }
  return cap
}

/**
 * Flavor extra specs scoped `capabilities:` (or unscoped keys naming a HostState attribute or a stats key) must
 * match the host's value with the extra-spec operators (`capabilities:hypervisor_type` = `s== QEMU`,
 * `capabilities:cpu_info:features` = `<in> avx`). `hw:maxphysaddr_bits` = N is checked as
 * `capabilities:cpu_info:maxphysaddr:bits` = `>= N`.
 */
export const ComputeCapabilitiesFilter: HostFilter = {
  name: 'ComputeCapabilitiesFilter',
  runOncePerRequest: true,
  check(host, spec) {
    const specs = new Map(Object.entries(spec.flavor.extraSpecs))
    const bits = specs.get('hw:maxphysaddr_bits')
    if (bits !== undefined) {
      specs.delete('hw:maxphysaddr_bits')
      specs.set('capabilities:cpu_info:maxphysaddr:bits', `>= ${bits}`)
    }
    for (const [key, req] of specs) {
      const scope = key.split(':')
      if (scope.length === 1) {
        if (!hasHostAttribute(key) && !Object.hasOwn(host.stats, key)) continue
      } else if (scope[0] !== SCOPE) continue
      else scope.shift()
      const cap = capability(host, scope)
      if (cap === undefined) return `has no capability ${scope.join(':')}`
      if (!matchExtraSpec(pyStr(cap), req)) return `${key} does not match '${req}'`
    }
    return undefined
  },
}
