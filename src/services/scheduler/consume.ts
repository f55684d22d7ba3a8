import type { HostState, RequestSpec } from './host-state.js'

/**
 * Nova's HostState.consume_from_request plus _consume_selected_host: takes the instance's resources from the
 * in-memory host (RAM, root + ephemeral disk, vCPUs, one more instance and one more I/O operation), records the
 * instance on it and, for a server group, the host among the group's hosts, so that the filters and weighers
 * see it when the next instance of the same request is placed.
 */
export function consumeFromRequest(host: HostState, spec: RequestSpec, instanceUuid: string): void {
  const { flavor } = spec
  host.freeRamMb -= flavor.memoryMb
  host.freeDiskMb -= (flavor.rootGb + flavor.ephemeralGb) * 1024
  host.vcpusUsed += flavor.vcpus
  host.numInstances += 1
  host.numIoOps += 1
  if (!host.instances.has(instanceUuid)) host.instances.set(instanceUuid, { uuid: instanceUuid })
  spec.instanceGroup?.hosts.push(host.host)
}
