// The os-traits names the request filters may compute (Nova checks `hasattr(os_traits, name)` before asking
// placement, which refuses unknown traits with a 400).

const family = (prefix: string, names: string): string[] => names.split(' ').map((n) => `${prefix}${n}`)

export const KNOWN_TRAITS: ReadonlySet<string> = new Set([
  ...family('COMPUTE_IMAGE_TYPE_', 'AKI AMI ARI ISO QCOW2 RAW VDI VHD VHDX VMDK PLOOP'),
  ...family(
    'COMPUTE_NET_VIF_MODEL_',
    'E1000 E1000E IGB LAN9118 NETFRONT NE2K_PCI PCNET RTL8139 SPAPR_VLAN SRIOV VIRTIO VMXNET VMXNET3',
  ),
  ...family('COMPUTE_GRAPHICS_MODEL_', 'BOCHS CIRRUS GOP NONE QXL VGA VIRTIO XEN VMVGA'),
  ...family('COMPUTE_STORAGE_BUS_', 'FDC IDE LXC SATA SCSI UML USB VIRTIO XEN'),
  ...family('COMPUTE_VIOMMU_MODEL_', 'AUTO INTEL SMMUV3 VIRTIO'),
  ...family('COMPUTE_ARCH_', 'AARCH64 PPC64LE MIPSEL S390X RISCV64 X86_64'),
  ...family('HW_ARCH_', 'ALPHA ARMV6 ARMV7 ARMV7B AARCH64 I686 MIPS MIPSEL PPC64 PPC64LE S390X X86_64'),
])
