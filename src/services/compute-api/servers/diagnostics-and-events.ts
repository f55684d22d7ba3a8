import type { FastifyInstance, FastifyRequest } from 'fastify'
import { makeContext, type RequestContext } from '../../../common/context.js'
import type { ExternalEvent, InstanceRef } from '../../compute/client.js'
import { UUID_PATTERN } from '../admin/common.js'
import { ApiFault, badRequest } from '../faults.js'
import { atLeast } from '../microversion.js'
import { authorize, type Caller } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import { pyRepr, validate, type Schema } from '../validation.js'
import type { ServerDeps } from './deps.js'
import { instanceFor } from './extras.js'

const contextOf = (request: FastifyRequest, caller: Caller): RequestContext =>
  makeContext({
    requestId: request.id,
    userId: caller.userId,
    projectId: caller.projectId,
    roles: caller.credentials.roles ?? [],
    isAdmin: caller.isAdmin,
  })

/** The event names each microversion accepts (Nova's server_external_events schemas). */
function eventNames(request: FastifyRequest): string[] {
  return [
    'network-changed',
    'network-vif-plugged',
    'network-vif-unplugged',
    'network-vif-deleted',
    ...(atLeast(request, 51) ? ['volume-extended'] : []),
    ...(atLeast(request, 76) ? ['power-update'] : []),
    ...(atLeast(request, 82) ? ['accelerator-request-bound'] : []),
    ...(atLeast(request, 93) ? ['volume-reimaged'] : []),
  ]
}

/** Events that mean nothing without a tag (Nova's TAG_REQUIRED). */
const TAG_REQUIRED = new Set(['volume-extended', 'power-update', 'accelerator-request-bound'])

type Row = Record<string, unknown>

/** Nova's 2.48 view of the standard diagnostics (snake_case, counts of CPUs, NICs, disks). */
function standardView(d: Row): Record<string, unknown> {
  const list = (v: unknown) => (Array.isArray(v) ? (v as Row[]) : [])
  const cpus = list(d.cpus)
  const nics = list(d.nics)
  const disks = list(d.disks)
  const memory = (d.memory ?? {}) as Row
  return {
    state: d.state,
    driver: d.driver,
    hypervisor: d.hypervisor ?? null,
    hypervisor_os: d.hypervisorOs ?? null,
    uptime: d.uptime ?? null,
    config_drive: d.configDrive ?? false,
    num_cpus: cpus.length,
    num_nics: nics.length,
    num_disks: disks.length,
    cpu_details: cpus.map((c) => ({ id: c.id, time: c.time, utilisation: c.utilisation ?? null })),
    nic_details: nics.map((n) => ({
      mac_address: n.macAddress,
      rx_octets: n.rxOctets,
      rx_errors: n.rxErrors,
      rx_drop: n.rxDrop,
      rx_packets: n.rxPackets,
      rx_rate: n.rxRate ?? null,
      tx_octets: n.txOctets,
      tx_errors: n.txErrors,
      tx_drop: n.txDrop,
      tx_packets: n.txPackets,
      tx_rate: n.txRate ?? null,
    })),
    disk_details: disks.map((k) => ({
      read_bytes: k.readBytes,
      read_requests: k.readRequests,
      write_bytes: k.writeBytes,
      write_requests: k.writeRequests,
      errors_count: k.errorsCount,
    })),
    memory_details: { maximum: memory.maximum ?? null, used: memory.used ?? null },
  }
}

/**
 * GET /servers/{id}/diagnostics (admin): asked of the instance's nova-compute over RPC, the driver's legacy dict
 * before 2.48 and the standard view from 2.48; 409 when the instance has no host or its guest is not running.
 * POST /os-server-external-events (service or admin): each event is answered on its own (200, or 404 unknown
 * server, 422 no host, 400 missing tag → 207 overall; 404 when none is accepted) and the accepted ones are cast
 * to the instances' hosts.
 */
export function registerDiagnosticsAndEventRoutes(
  app: FastifyInstance,
  deps: ComputeApiDeps,
  servers: ServerDeps,
): void {
  route(app, 'GET', '/servers/:server_id/diagnostics', async (request) => {
    const { instance, caller } = await instanceFor(
      request,
      deps,
      servers,
      'os_compute_api:os-server-diagnostics',
    )
    if (instance.host === null) throw new ApiFault(409, `Instance ${instance.uuid} is not ready`)
    const standard = atLeast(request, 48)
    const answer = await servers.compute.getDiagnostics(
      contextOf(request, caller),
      instance.host,
      { uuid: instance.uuid, id: instance.id },
      standard,
    )
    if (answer.notImplemented === true)
      throw new ApiFault(501, 'The requested functionality is not supported.')
    if (answer.diagnostics === undefined)
      throw new ApiFault(
        409,
        `Cannot 'get_diagnostics' instance ${instance.uuid} while it is in power_state ${answer.state}`,
      )
    return standard ? standardView(answer.diagnostics as Row) : answer.diagnostics
  })

  route(app, 'POST', '/os-server-external-events', async (request, reply) => {
    const caller = authorize(request, deps.settings, 'os_compute_api:os-server-external-events:create', {})
    const names = eventNames(request)
    const item: Schema = {
      type: 'object',
      properties: {
        server_uuid: { type: 'string' },
        name: { type: 'string', enum: names },
        status: { type: 'string', enum: ['failed', 'completed', 'in-progress'] },
        tag: { type: 'string', maxLength: 255 },
      },
      required: ['server_uuid', 'name'],
      additionalProperties: false,
    }
    validate(
      {
        type: 'object',
        properties: { events: { type: 'array' } },
        required: ['events'],
        additionalProperties: false,
      },
      request.body,
    )
    const body = (request.body as { events: Row[] }).events
    if (body.length === 0)
      throw badRequest(`Invalid input for field/attribute events. Value: []. [] is too short`)
    for (const event of body) {
      validate(item, event)
      const uuid = String(event.server_uuid)
      if (!UUID_PATTERN.test(uuid))
        throw badRequest(
          `Invalid input for field/attribute server_uuid. Value: ${uuid}. ${pyRepr(uuid)} is not a 'uuid'`,
        )
    }
    const uuids = [...new Set(body.map((e) => String(e.server_uuid)))]
    const found = new Map((await servers.instances.list({ uuids })).map((i) => [i.uuid, i]))
    const response: Row[] = []
    type Batch = { instances: Map<string, InstanceRef>; events: ExternalEvent[] }
    const accepted = new Map<string, Batch>()
    let code = 200
    for (const raw of body) {
      const out: Row = { ...raw }
      response.push(out)
      const event: ExternalEvent = {
        name: String(raw.name),
        server_uuid: String(raw.server_uuid),
        status: typeof raw.status === 'string' ? raw.status : 'completed',
        ...(typeof raw.tag === 'string' ? { tag: raw.tag } : {}),
      }
      const instance = found.get(event.server_uuid)
      const fail = (status: number) => {
        out.status = 'failed'
        out.code = status
        code = 207
      }
      if (instance === undefined) fail(404)
      else if (TAG_REQUIRED.has(event.name) && event.tag === undefined) fail(400)
      else if (instance.host === null) fail(422)
      else {
        const forHost: Batch = accepted.get(instance.host) ?? { instances: new Map(), events: [] }
        forHost.instances.set(instance.uuid, { uuid: instance.uuid, id: instance.id })
        forHost.events.push(event)
        accepted.set(instance.host, forHost)
        out.status = 'completed'
        out.code = 200
      }
    }
    if (accepted.size === 0) throw new ApiFault(404, 'No instances found for any event')
    const ctx = contextOf(request, caller)
    for (const [host, batch] of accepted) {
      servers.logger.info({ host, events: batch.events.length }, 'dispatching external events')
      await servers.compute.externalInstanceEvent(ctx, host, [...batch.instances.values()], batch.events)
    }
    reply.code(code)
    return { events: response }
  })
}
