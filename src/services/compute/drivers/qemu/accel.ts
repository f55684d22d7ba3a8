import { constants } from 'node:fs'
import { access, readFile, stat } from 'node:fs/promises'
import type { Accelerator } from './argv.js'

/** What the host says about hardware virtualisation (read by `probeHost`, judged by `chooseAccelerator`). */
export interface HostVirtProbe {
  /** /proc/cpuinfo's text. */
  readonly cpuinfo: string
  /** /dev/kvm exists and is writable. */
  readonly kvmDeviceWritable: boolean
  /** /sys/module/kvm_pvm exists: /dev/kvm is PVM, a software layer that crawls with unmodified kernels. */
  readonly kvmIsPvm: boolean
}

/**
 * The accelerator for `[libvirt] virt_type`: `qemu` → TCG; `kvm` → KVM; `auto` → KVM only when the CPU has
 * vmx or svm and /dev/kvm is a usable, hardware KVM (not the PVM layer), else TCG. QEMU's own fallback
 * (`-accel kvm -accel tcg`) cannot be trusted: on PVM, KVM initialises and the guest crawls.
 */
export function chooseAccelerator(virtType: string, probe: HostVirtProbe): Accelerator {
  if (virtType === 'qemu') return 'tcg'
  if (virtType === 'kvm') return 'kvm'
  if (virtType !== 'auto')
    throw new Error(`[libvirt] virt_type ${virtType} is not supported by the QEMU driver`)
  const hasVmx = /^flags\s*:.*\b(vmx|svm)\b/m.test(probe.cpuinfo)
  return hasVmx && probe.kvmDeviceWritable && !probe.kvmIsPvm ? 'kvm' : 'tcg'
}

/** Reads the host facts `chooseAccelerator` needs. */
export async function probeHost(): Promise<HostVirtProbe> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '')
  const kvmDeviceWritable = await access('/dev/kvm', constants.R_OK | constants.W_OK).then(
    () => true,
    () => false,
  )
  const kvmIsPvm = await stat('/sys/module/kvm_pvm').then(
    () => true,
    () => false,
  )
  return { cpuinfo, kvmDeviceWritable, kvmIsPvm }
}
