import { boolOpt, floatOpt, hostOpt, intOpt, ipOpt, listOpt, portOpt, strOpt } from '../opt.js'
import { defaultHost, defaultIp } from './host-defaults.js'

/** `[DEFAULT]`: Nova's general options, with the same names and meanings. */
export const DEFAULT = {
  host: hostOpt({
    default: defaultHost(),
    sampleDefault: '<current_hostname>',
    help: 'Name of this node, as used in the services table, RPC topics (compute.<host>) and instance.host. Defaults to the machine name.',
  }),
  my_ip: ipOpt({
    default: defaultIp(),
    sampleDefault: '<host_ipv4>',
    help: "This host's IP address on the management network.",
  }),
  state_path: strOpt({
    default: '/var/lib/nova',
    help: 'Top-level directory for state: databases (embedded default), instances, image cache, keys.',
  }),
  instances_path: strOpt({ default: '$state_path/instances', help: 'Where instance disks and files live.' }),
  transport_url: strOpt({
    default: 'memory://',
    sampleDefault: 'memory://',
    secret: true,
    help: 'Message bus: memory:// (in-process, all services in one process) or rabbit://user:pass@host:port/vhost (several brokers separated by commas).',
  }),
  control_exchange: strOpt({ default: 'nova', help: 'The exchange that RPC topics are scoped to.' }),
  compute_driver: strOpt({
    default: 'fake.FakeDriver',
    help: 'Hypervisor driver of nova-compute: fake.FakeDriver or qemu.QemuDriver (libvirt.LibvirtDriver is accepted as an alias).',
  }),
  report_interval: intOpt({
    default: 10,
    min: 1,
    help: 'Seconds between service heartbeats written to the services table.',
  }),
  service_down_time: intOpt({
    default: 60,
    min: 1,
    help: 'Seconds without a heartbeat after which a service counts as down.',
  }),
  rpc_response_timeout: intOpt({
    default: 60,
    min: 1,
    help: 'Seconds to wait for the reply to an RPC call.',
  }),
  long_rpc_timeout: intOpt({
    default: 1800,
    min: 1,
    help: 'Seconds to wait for the reply to RPC calls known to take long (live migration checks).',
  }),
  periodic_enable: boolOpt({ default: true, help: 'Run periodic tasks.' }),
  periodic_fuzzy_delay: intOpt({
    default: 60,
    min: 0,
    help: 'Up to this many seconds of random delay before the first run of periodic tasks, to spread load.',
  }),
  shutdown_timeout: intOpt({
    default: 60,
    min: 0,
    help: 'Seconds a clean power-off (stop) waits for the guest to shut down after the ACPI request before forcing it off.',
  }),
  graceful_shutdown_timeout: intOpt({
    default: 60,
    min: 0,
    help: 'Seconds a stopping service waits for in-flight requests to finish.',
  }),
  debug: boolOpt({ default: false, help: 'Log at debug level.' }),
  log_file: strOpt({
    help: 'Write logs to this file (relative names are under log_dir) instead of standard error.',
  }),
  log_dir: strOpt({ help: 'Directory for log_file.' }),
  use_stderr: boolOpt({ default: false, help: 'Also log to standard error when log_file is set.' }),
  enabled_apis: listOpt({
    default: ['osapi_compute', 'metadata'],
    choices: ['osapi_compute', 'metadata'],
    help: 'APIs nova-api serves.',
  }),
  osapi_compute_listen: strOpt({ default: '0.0.0.0', help: 'Address the compute API listens on.' }),
  osapi_compute_listen_port: portOpt({ default: 8774, help: 'Port the compute API listens on.' }),
  osapi_compute_workers: intOpt({ min: 1, help: 'Worker processes of the compute API (default: one).' }),
  metadata_listen: strOpt({ default: '0.0.0.0', help: 'Address the metadata API listens on.' }),
  metadata_listen_port: portOpt({ default: 8775, help: 'Port the metadata API listens on.' }),
  metadata_workers: intOpt({ min: 1, help: 'Worker processes of the metadata API (default: one).' }),
  executor_thread_pool_size: intOpt({
    default: 64,
    min: 1,
    help: 'Concurrent RPC requests one service handles.',
  }),
  heal_instance_info_cache_interval: intOpt({
    default: -1,
    help: 'Seconds between refreshes of instance network info caches; 0 or less disables.',
  }),
  reclaim_instance_interval: intOpt({
    default: 0,
    help: 'Seconds after which soft-deleted instances are reclaimed; 0 disables soft delete.',
  }),
  resume_guests_state_on_host_boot: boolOpt({
    default: false,
    help: 'Restart guests that were running when the compute host rebooted.',
  }),
  default_availability_zone: strOpt({
    default: 'nova',
    help: 'Availability zone of compute hosts not in any zone aggregate.',
  }),
  default_schedule_zone: strOpt({ help: 'Availability zone given to instances that ask for none.' }),
  internal_service_availability_zone: strOpt({
    default: 'internal',
    help: 'Availability zone reported for non-compute services.',
  }),
  allow_resize_to_same_host: boolOpt({
    default: false,
    help: 'Allow the scheduler to pick the current host for a resize.',
  }),
  shelved_offload_time: intOpt({
    default: 0,
    min: -1,
    help: 'Seconds a shelved instance keeps its host before it is offloaded; 0 offloads at once, -1 never.',
  }),
  resize_confirm_window: intOpt({
    default: 0,
    min: 0,
    help: 'Seconds after which a resize waiting for its confirmation is confirmed automatically; 0 never.',
  }),
  max_concurrent_builds: intOpt({
    default: 10,
    min: 0,
    help: 'Builds one compute runs at once; 0 means unlimited.',
  }),
  max_concurrent_live_migrations: intOpt({
    default: 1,
    min: 0,
    help: 'Live migrations one compute runs at once; 0 means unlimited.',
  }),
  instance_name_template: strOpt({
    default: 'instance-%08x',
    help: 'Template of hypervisor guest names, from the instance id.',
  }),
  force_config_drive: boolOpt({ default: false, help: 'Attach a config drive to every instance.' }),
  default_ephemeral_format: strOpt({
    help: 'Filesystem of new ephemeral disks (mkfs -t: ext4, vfat, xfs, …); unset: ext4 for os_type linux, ntfs for windows, else vfat.',
  }),
  mkisofs_cmd: strOpt({
    default: 'genisoimage',
    help: 'The program that makes ISO9660 config drives (genisoimage, or mkisofs, xorrisofs).',
  }),
  cpu_allocation_ratio: floatOpt({
    min: 0,
    help: 'Virtual CPU to physical CPU ratio reported to placement (default: initial_cpu_allocation_ratio).',
  }),
  ram_allocation_ratio: floatOpt({
    min: 0,
    help: 'Virtual RAM to physical RAM ratio reported to placement.',
  }),
  disk_allocation_ratio: floatOpt({
    min: 0,
    help: 'Virtual disk to physical disk ratio reported to placement.',
  }),
  initial_cpu_allocation_ratio: floatOpt({
    default: 4.0,
    min: 0,
    help: 'CPU allocation ratio of a new compute node.',
  }),
  initial_ram_allocation_ratio: floatOpt({
    default: 1.0,
    min: 0,
    help: 'RAM allocation ratio of a new compute node.',
  }),
  initial_disk_allocation_ratio: floatOpt({
    default: 1.0,
    min: 0,
    help: 'Disk allocation ratio of a new compute node.',
  }),
  reserved_host_memory_mb: intOpt({
    default: 512,
    min: 0,
    help: 'Memory (MiB) kept for the host and not given to instances.',
  }),
  reserved_host_disk_mb: intOpt({ default: 0, min: 0, help: 'Disk (MiB) kept for the host.' }),
  reserved_host_cpus: intOpt({ default: 0, min: 0, help: 'Host CPUs kept for the host.' }),
  update_resources_interval: intOpt({
    default: 0,
    help: 'Seconds between runs of the resource tracker (compute node record and placement inventory); 0 runs it at the default periodic interval (60 s), a negative value disables the periodic run (it still runs at start).',
  }),
  sync_power_state_interval: intOpt({
    default: 600,
    help: "Seconds between nova-compute's syncs of the instances' power states with the hypervisor; 0 runs it at the default periodic interval (60 s), a negative value disables it.",
  }),
  instance_build_timeout: intOpt({
    default: 3600,
    min: 0,
    help: 'Seconds an instance may stay in BUILD before it is put in ERROR with a fault (the conductor checks every instance, scheduled or not); 0 disables the check. Nova defaults to 0; nova-ts gives every build a deadline.',
  }),
  instance_delete_timeout: intOpt({
    default: 3600,
    min: 0,
    help: 'Not in Nova. Seconds an instance may stay in task_state deleting before the conductor finishes the delete itself (soft-delete, allocations removed); 0 disables the check.',
  }),
} as const
