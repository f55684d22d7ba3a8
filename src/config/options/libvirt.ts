import { intOpt, strOpt } from '../opt.js'

/** `[libvirt]`: the hypervisor driver (nova-ts: the QEMU driver reads these). */
export const libvirt = {
  virt_type: strOpt({
    default: 'kvm',
    choices: ['kvm', 'lxc', 'qemu', 'parallels', 'auto'],
    help: 'Accelerator of the QEMU driver: kvm, qemu (software emulation), or auto (kvm when usable, else qemu).',
  }),
  images_type: strOpt({
    default: 'default',
    choices: ['raw', 'flat', 'qcow2', 'lvm', 'rbd', 'ploop', 'default'],
    help: 'Disk image format of instances.',
  }),
  cpu_mode: strOpt({
    choices: ['host-model', 'host-passthrough', 'custom', 'none'],
    help: 'CPU model given to guests.',
  }),
  live_migration_bandwidth: intOpt({
    default: 0,
    min: 0,
    help: 'Most bandwidth a live migration may use, in MiB/s; 0 means as much as it can.',
  }),
} as const
