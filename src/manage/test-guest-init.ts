/** The test guest's kernel modules, in load order (dependencies first; Debian's cloud kernel has them as modules). */
export const TEST_GUEST_MODULES = [
  'virtio_ring',
  'virtio_pci_modern_dev',
  'virtio_pci_legacy_dev',
  'virtio',
  'virtio_pci',
  'failover',
  'net_failover',
  'virtio_net',
  'virtio_blk',
  'cdrom',
  'isofs',
  'scsi_common',
  'scsi_mod',
  'sr_mod',
  'libata',
  'ata_piix',
  'virtio_scsi',
  'button',
  'evdev',
  'virtio-rng',
  'fat',
  'vfat',
  'nls_cp437',
  'nls_ascii',
  'nls_utf8',
] as const

/**
 * The line the test guest prints on its serial console once up:
 * `NOVA-TS-GUEST-READY uuid=<instance uuid> source=config-drive|smbios hostname=<its hostname>`.
 */
export const TEST_GUEST_MARKER = 'NOVA-TS-GUEST-READY'

/** The kernel command line the test image is registered with (image property os_command_line). */
export const TEST_GUEST_CMDLINE = 'console=ttyS0,115200 panic=-1 quiet'

/** Where the test guest looks for its config drive when no filesystem is labelled config-2. */
export const TEST_GUEST_CONFIG_DRIVE_CANDIDATES = ['/dev/sr0', '/dev/sr1', '/dev/vdb', '/dev/sdb', '/dev/sda']

/**
 * The test guest's /init (busybox sh): mounts the pseudo filesystems, loads the modules, runs acpid so that an
 * ACPI power button press powers off, mounts its config drive (the ISO9660 filesystem labelled config-2, else
 * the first candidate device holding openstack/latest/meta_data.json) read-only on /mnt/config, takes its uuid
 * and hostname from meta_data.json (the uuid is its first key, the top-level hostname the last one named so), and
 * prints them in the marker line; without a config drive the uuid is the SMBIOS system uuid, which Nova's drivers
 * set to the instance's. Before the marker it says whether UEFI firmware booted it (/sys/firmware/efi), lists the block devices it sees (name=size in KiB, from
 * /proc/partitions), turns on the swap disks it finds, and mounts the disk labelled ephemeral0 (Nova's ephemeral
 * disk) read-only on /mnt/ephemeral0, printing its filesystem. Then a heartbeat when the command line has `novats.hb=1`, and a root shell.
 */
export const TEST_GUEST_INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
exec </dev/console >/dev/console 2>&1
echo "NOVA-TS-GUEST: init started, kernel $(uname -r)"
for m in $(cat /etc/modules); do insmod /lib/modules/$m.ko 2>/dev/null; done
echo "NOVA-TS-GUEST: $(wc -l < /proc/modules) modules loaded"
[ -d /sys/firmware/efi ] && echo "NOVA-TS-GUEST: booted by UEFI firmware"
echo "NOVA-TS-GUEST: block devices $(awk 'NR>2 {printf "%s=%sK ", $4, $3}' /proc/partitions)"
for dev in /dev/vd? /dev/sd?; do
  [ -b "$dev" ] && swapon "$dev" 2>/dev/null && echo "NOVA-TS-GUEST: swap on $dev $(awk -v d=$dev '$1 == d {print $3}' /proc/swaps)K"
done
eph=$(findfs LABEL=ephemeral0 2>/dev/null)
if [ -n "$eph" ] && mkdir -p /mnt/ephemeral0 && mount -o ro "$eph" /mnt/ephemeral0 2>/dev/null; then
  echo "NOVA-TS-GUEST: ephemeral0 on $eph $(awk '$2 == "/mnt/ephemeral0" {print $3}' /proc/mounts)"
fi
mkdir -p /var/log /var/run
acpid -c /etc/acpi && echo "NOVA-TS-GUEST: acpid listening for the power button"
uuid=$(cat /sys/class/dmi/id/product_uuid 2>/dev/null | tr 'A-F' 'a-f')
source=smbios
name="nova-\${uuid%%-*}"
mkdir -p /mnt/config
found=
for dev in $(findfs LABEL=config-2 2>/dev/null) ${TEST_GUEST_CONFIG_DRIVE_CANDIDATES.join(' ')}; do
  [ -b "$dev" ] || continue
  mount -t iso9660 -o ro "$dev" /mnt/config 2>/dev/null || continue
  if [ -f /mnt/config/openstack/latest/meta_data.json ]; then found=$dev; break; fi
  umount /mnt/config
done
if [ -n "$found" ]; then
  md=/mnt/config/openstack/latest/meta_data.json
  u=$(sed -n 's/^{"uuid": *"\\([^"]*\\)".*/\\1/p' "$md")
  h=$(sed -n 's/.*"hostname": *"\\([^"]*\\)".*/\\1/p' "$md")
  echo "NOVA-TS-GUEST: config drive $found on /mnt/config"
  [ -n "$u" ] && uuid=$u && source=config-drive
  [ -n "$h" ] && name=\${h%%.*}
fi
hostname "$name"
echo "NOVA-TS-GUEST: uptime $(cut -d' ' -f1 /proc/uptime)s"
echo "${TEST_GUEST_MARKER} uuid=\${uuid:-unknown} source=$source hostname=$(hostname)"
if grep -qw novats.hb=1 /proc/cmdline; then
  (n=0; while :; do n=$((n+1)); echo "NOVA-TS-HB $n uptime=$(cut -d' ' -f1 /proc/uptime)"; sleep 1; done) &
fi
echo "$(hostname) login: "
while :; do setsid cttyhack sh -l; sleep 1; done
`

/** Runs on the ACPI power button event (busybox acpid maps it to PWRF/00000080). */
export const TEST_GUEST_POWER_BUTTON = `#!/bin/sh
echo "NOVA-TS-GUEST: ACPI power button, powering off" > /dev/console
poweroff -f
`
