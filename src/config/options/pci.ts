import { multiOpt } from '../opt.js'

/** `[pci]`: PCI passthrough devices and aliases. */
export const pci = {
  device_spec: multiOpt({ help: 'PCI devices this compute may give to instances (JSON, repeatable).' }),
  alias: multiOpt({ help: 'PCI device aliases flavors may request (JSON, repeatable).' }),
} as const
