import type { HostState } from '../host-state.js'
import type { HostFilter } from './host-filter.js'
import { pyStr } from './py.js'

const ARCH_ALIASES: Readonly<Record<string, string>> = {
  i386: 'i686',
  i486: 'i686',
  i586: 'i686',
  x86_32: 'i686',
  x86_32p: 'i686',
  amd64: 'x86_64',
}
const HV_TYPE_ALIASES: Readonly<Record<string, string>> = { xapi: 'xen' }
const VM_MODE_ALIASES: Readonly<Record<string, string>> = { pv: 'xen', hv: 'hvm', baremetal: 'hvm' }

/** Nova's canonical spelling of an architecture / hypervisor type / vm mode (lower case, old aliases mapped). */
function canonical(value: unknown, aliases: Readonly<Record<string, string>>): string | undefined {
  if (value === undefined || value === null) return undefined
  const lower = pyStr(value).toLowerCase()
  return aliases[lower] ?? lower
}

export const canonicalArchitecture = (v: unknown) => canonical(v, ARCH_ALIASES)
export const canonicalHvType = (v: unknown) => canonical(v, HV_TYPE_ALIASES)
export const canonicalVmMode = (v: unknown) => canonical(v, VM_MODE_ALIASES)

/** oslo's convert_version_to_str: 6002000 → '6.2.0'. */
export function versionIntToString(version: number): string {
  const parts: number[] = []
  for (let v = Math.trunc(version); v !== 0; v = Math.floor(v / 1000))
    parts.unshift(v - Math.floor(v / 1000) * 1000)
  return parts.join('.')
}

function parseVersion(text: string): number[] | undefined {
  const m = /^v?(\d+(?:\.\d+)*)$/i.exec(text.trim())
  return m === null ? undefined : m[1]!.split('.').map(Number)
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

const COMPARATORS: Readonly<Record<string, (order: number) => boolean>> = {
  '<': (o) => o < 0,
  '<=': (o) => o <= 0,
  '==': (o) => o === 0,
  '!=': (o) => o !== 0,
  '>=': (o) => o >= 0,
  '>': (o) => o > 0,
}

/**
 * oslo's VersionPredicate ('>= 6.0, < 7'): whether `version` satisfies every comma-separated condition;
 * undefined when the predicate cannot be parsed (Nova raises ValueError then).
 */
export function satisfiesVersionPredicate(predicate: string, version: string): boolean | undefined {
  const have = parseVersion(version)
  if (have === undefined) return undefined
  let ok = true
  for (const condition of predicate.split(',')) {
    const m = /^\s*(<=|>=|<|>|!=|==)\s*(\S+)\s*$/.exec(condition)
    const want = m === null ? undefined : parseVersion(m[2]!)
    if (want === undefined) return undefined
    if (!COMPARATORS[m![1]!]!(compareVersions(have, want))) ok = false
  }
  return ok
}

function maxPhysAddrBits(host: HostState): number | undefined {
  try {
    const info = JSON.parse(host.cpuInfo) as { maxphysaddr?: { bits?: unknown } } | null
    const bits = info?.maxphysaddr?.bits
    return typeof bits === 'number' && bits !== 0 ? bits : undefined
  } catch {
    return undefined
  }
}

/**
 * The image's hw_architecture (or [filter_scheduler]image_properties_default_architecture), img_hv_type and
 * hw_vm_mode must all appear in one of the host's supported_instances triples, the hypervisor version must satisfy
 * img_hv_requested_version, and the host's cpu_info maxphysaddr bits must reach hw_maxphysaddr_bits.
 * Images asking none of the three pass everywhere.
 */
export const ImagePropertiesFilter: HostFilter = {
  name: 'ImagePropertiesFilter',
  runOncePerRequest: true,
  runOnRebuild: true,
  check(host, spec, ctx) {
    const props = spec.image.properties
    const wanted = [
      canonicalArchitecture(props['hw_architecture'] ?? ctx.settings.imagePropertiesDefaultArchitecture),
      canonicalHvType(props['img_hv_type']),
      canonicalVmMode(props['hw_vm_mode']),
    ]
    if (!wanted.some((p) => p !== undefined && p !== '')) return undefined
    const reason = `does not support image properties ${describe(wanted, props)}`
    if (host.supportedInstances.length === 0) return reason
    const versionRequired = props['img_hv_requested_version']
    const bitsRequired = Number(props['hw_maxphysaddr_bits'] ?? 0)
    for (const triple of host.supportedInstances) {
      if (!wanted.every((p) => p === undefined || p === '' || triple.includes(p))) continue
      if (host.hypervisorVersion && versionRequired !== undefined && versionRequired !== null) {
        const ok = satisfiesVersionPredicate(
          pyStr(versionRequired),
          versionIntToString(host.hypervisorVersion),
        )
        if (ok === undefined) return `cannot read img_hv_requested_version '${pyStr(versionRequired)}'`
        if (!ok) continue
      }
      const bits = bitsRequired > 0 ? maxPhysAddrBits(host) : undefined
      if (bits !== undefined && bits < bitsRequired) continue
      return undefined
    }
    return reason
  },
}

function describe(wanted: readonly (string | undefined)[], props: Readonly<Record<string, unknown>>): string {
  const names = ['hw_architecture', 'img_hv_type', 'hw_vm_mode']
  const parts = wanted.flatMap((v, i) => (v === undefined || v === '' ? [] : [`${names[i]}=${v}`]))
  for (const extra of ['img_hv_requested_version', 'hw_maxphysaddr_bits'])
    if (props[extra] !== undefined && props[extra] !== null) parts.push(`${extra}=${pyStr(props[extra])}`)
  return parts.join(', ')
}
