import { STANDARD_RESOURCE_CLASSES, STANDARD_TRAITS } from '../placement/client.js'

// Flavor extra spec validation as Nova does it from 2.86 (nova/api/validation/extra_specs): a key matching a
// known validator has its value checked; a key in a known namespace that no validator matches is refused; any
// other key (no namespace, or an unknown one) is accepted as is.

type ValueRule =
  | { readonly type: 'str'; readonly enum?: readonly string[]; readonly pattern?: string }
  | { readonly type: 'int'; readonly min?: number; readonly max?: number }
  | { readonly type: 'bool' }

interface Validator {
  /** The key as Nova documents it, e.g. `hw:numa_cpus.{id}`. */
  readonly name: string
  readonly regex: RegExp
  readonly value: ValueRule
}

/** `{param}` placeholders of a validator name, with their patterns. */
function validator(name: string, value: ValueRule, params: Readonly<Record<string, string>> = {}): Validator {
  let source = name.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
  for (const [param, pattern] of Object.entries(params))
    source = source.replace(`{${param}}`, `(?:${pattern})`)
  return { name, regex: new RegExp(`^(?:${source})$`), value }
}

const str = (values: readonly string[]): ValueRule => ({ type: 'str', enum: values })
const pattern = (p: string): ValueRule => ({ type: 'str', pattern: p })
const int = (min?: number, max?: number): ValueRule => ({
  type: 'int',
  ...(min === undefined ? {} : { min }),
  ...(max === undefined ? {} : { max }),
})
const bool: ValueRule = { type: 'bool' }
const CPU_MASK = '\\^?\\d+((-\\d+)?(,\\^?\\d+(-\\d+)?)?)*'
const GROUP = { group: '([a-zA-Z0-9_-]{1,64})?' }

const VALIDATORS: readonly Validator[] = [
  // hw: (nova/api/validation/extra_specs/hw.py)
  validator('hw:cpu_realtime', bool),
  validator('hw:cpu_realtime_mask', pattern(`(\\^)?\\d+((-\\d+)?(,\\^?\\d+(-\\d+)?)?)*`)),
  validator('hw:hide_hypervisor_id', bool),
  validator('hw:cpu_policy', str(['dedicated', 'shared', 'mixed'])),
  validator('hw:cpu_thread_policy', str(['prefer', 'isolate', 'require'])),
  validator('hw:emulator_threads_policy', str(['isolate', 'share'])),
  validator('hw:cpu_dedicated_mask', pattern(CPU_MASK)),
  validator('hw:mem_page_size', pattern('(large|small|any|\\d+([kKMGT]i?)?(b|bit|B)?)')),
  validator('hw:numa_nodes', int(1)),
  validator('hw:numa_cpus.{id}', pattern(CPU_MASK), { id: '\\d+' }),
  validator('hw:numa_mem.{id}', int(1), { id: '\\d+' }),
  validator('hw:pci_numa_affinity_policy', str(['required', 'preferred', 'legacy', 'socket'])),
  validator('hw:cpu_sockets', int(1)),
  validator('hw:cpu_cores', int(1)),
  validator('hw:cpu_threads', int(1)),
  validator('hw:max_cpu_sockets', int(1)),
  validator('hw:max_cpu_cores', int(1)),
  validator('hw:max_cpu_threads', int(1)),
  validator('hw:boot_menu', bool),
  validator('hw:mem_encryption', bool),
  validator('hw:pmem', pattern('([a-zA-Z0-9_]+(,)?)+')),
  validator('hw:pmu', bool),
  validator('hw:serial_port_count', int(0)),
  validator('hw:tpm_model', str(['tpm-tis', 'tpm-crb'])),
  validator('hw:tpm_version', str(['1.2', '2.0'])),
  validator('hw:watchdog_action', str(['none', 'pause', 'poweroff', 'reset', 'disabled'])),
  validator('hw:vif_multiqueue_enabled', bool),
  validator('hw:locked_memory', bool),
  validator('hw:virtio_packed_ring', bool),
  validator('hw:maxphysaddr_mode', str(['emulate', 'passthrough'])),
  validator('hw:maxphysaddr_bits', int(1)),
  validator('hw:viommu_model', str(['intel', 'smmuv3', 'virtio', 'auto'])),
  validator('hw:ephemeral_encryption', bool),
  validator('hw:ephemeral_encryption_format', str(['luks'])),
  validator('hw:sound_model', str(['sb16', 'es1370', 'pcspk', 'ac97', 'ich6', 'ich9', 'usb', 'virtio'])),
  validator('hw:usb_model', str(['none', 'auto', 'piix3-uhci', 'qemu-xhci', 'nec-xhci'])),
  validator('hw:redirected_usb_ports', int(0, 15)),
  validator('hw_rng:allowed', bool),
  validator('hw_rng:rate_bytes', int(0)),
  validator('hw_rng:rate_period', int(0)),
  validator('hw_video:ram_max_mb', int(0)),
  // resources{group}:<class> and trait{group}:<trait> (resources.py, traits.py)
  ...STANDARD_RESOURCE_CLASSES.map((rc) => validator(`resources{group}:${rc}`, int(), GROUP)),
  validator('resources{group}:CUSTOM_{resource}', int(), { ...GROUP, resource: '[A-Z0-9_]+' }),
  ...STANDARD_TRAITS.map((t) => validator(`trait{group}:${t}`, str(['required', 'forbidden']), GROUP)),
  validator('trait{group}:CUSTOM_{trait}', str(['required', 'forbidden']), { ...GROUP, trait: '[A-Z0-9_]+' }),
  // group policy, accel, os, quota (accel.py, os.py, quota.py, null.py)
  validator('group_policy', str(['isolate', 'none'])),
  validator('accel:device_profile', pattern('[a-zA-Z0-9_.-]+')),
  validator('os:secure_boot', str(['required', 'disabled'])),
  ...['cpu_shares', 'cpu_period', 'cpu_quota', 'cpu_limit', 'cpu_reservation'].map((q) =>
    validator(`quota:${q}`, int(0)),
  ),
  ...['disk_read_bytes_sec', 'disk_write_bytes_sec', 'disk_total_bytes_sec'].map((q) =>
    validator(`quota:${q}`, int(0)),
  ),
  ...['disk_read_iops_sec', 'disk_write_iops_sec', 'disk_total_iops_sec'].map((q) =>
    validator(`quota:${q}`, int(0)),
  ),
  ...['vif_inbound_average', 'vif_inbound_peak', 'vif_inbound_burst'].map((q) =>
    validator(`quota:${q}`, int(0)),
  ),
  ...['vif_outbound_average', 'vif_outbound_peak', 'vif_outbound_burst'].map((q) =>
    validator(`quota:${q}`, int(0)),
  ),
  validator('hide_hypervisor_id', bool),
]

/** Namespaces with at least one validator: a key in one of them must match a validator. */
const NAMESPACES: readonly RegExp[] = [
  ...new Set(VALIDATORS.filter((v) => v.name.includes(':')).map((v) => v.name.split(':')[0]!)),
].map((ns) => new RegExp(`^(?:${ns.replace('{group}', '([a-zA-Z0-9_-]{1,64})?')})$`))

const TRUE_WORDS = ['1', 't', 'true', 'on', 'y', 'yes']
const FALSE_WORDS = ['0', 'f', 'false', 'off', 'n', 'no']

function checkValue(rule: ValueRule, value: string): string | undefined {
  switch (rule.type) {
    case 'bool':
      return [...TRUE_WORDS, ...FALSE_WORDS].includes(value.trim().toLowerCase())
        ? undefined
        : `Validation failed; '${value}' is not a valid boolean-like value.`
    case 'int': {
      if (!/^\s*[-+]?\d+\s*$/.test(value))
        return `Validation failed; '${value}' is not a valid integer value.`
      const n = Number(value)
      if (rule.max !== undefined && n > rule.max)
        return `Validation failed; '${n}' is greater than the max value of '${rule.max}'.`
      if (rule.min !== undefined && n < rule.min)
        return `Validation failed; '${n}' is less than the min value of '${rule.min}'.`
      return undefined
    }
    case 'str':
      if (rule.pattern !== undefined && !new RegExp(`^(?:${rule.pattern})$`).test(value))
        return `Validation failed; '${value}' is not of the format '${rule.pattern}'.`
      if (rule.enum !== undefined && !rule.enum.includes(value))
        return `Validation failed; '${value}' is not one of: ${rule.enum.join(', ')}.`
      return undefined
  }
}

/** Nova's `validators.validate(name, value)`: the reason the extra spec is refused, or undefined. */
export function extraSpecProblem(name: string, value: string): string | undefined {
  const match = VALIDATORS.find((v) => v.regex.test(name))
  if (match !== undefined) return checkValue(match.value, value)
  if (!name.includes(':')) return undefined
  const namespace = name.split(':', 1)[0]!
  if (!NAMESPACES.some((ns) => ns.test(namespace))) return undefined
  return `Validation failed; extra spec '${name}' does not appear to be a valid extra spec.`
}
