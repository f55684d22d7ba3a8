import type { FastifyInstance, FastifyRequest } from 'fastify'
import { InstanceNotFound } from '../../../common/errors/index.js'
import type { InstanceRecord } from '../../../db/repositories/instances.js'
import { ApiFault } from '../faults.js'
import { authorize, type Caller } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import type { ServerDeps } from './deps.js'
import { registerDiagnosticsAndEventRoutes } from './diagnostics-and-events.js'

/** The keys of the encrypted password in system metadata (Nova's password.py: 4 × 255 characters). */
const PASSWORD_KEYS = ['password_0', 'password_1', 'password_2', 'password_3']

/** Nova's `common.get_instance` then `context.can(rule, {project_id: instance.project_id})`: 404, then 403. */
export async function instanceFor(
  request: FastifyRequest,
  deps: ComputeApiDeps,
  servers: ServerDeps,
  rule: string,
  options: { withDeleted?: boolean } = {},
): Promise<{ instance: InstanceRecord; caller: Caller }> {
  const id = (request.params as { server_id: string }).server_id
  const instance = await servers.instances.get(id, options)
  if (instance === undefined) throw new InstanceNotFound({ instanceId: id })
  const caller = authorize(request, deps.settings, rule, {
    project_id: instance.project_id ?? '',
    user_id: instance.user_id ?? '',
  })
  return { instance, caller }
}

/**
 * GET /servers/{id}/ips (+ /{network_label}) and GET/DELETE /servers/{id}/os-server-password. Addresses are empty
 * until networking exists (every label is unknown: 404); the password is the one a guest agent would have left
 * in system metadata. Diagnostics and external events: diagnostics-and-events.ts.
 */
export function registerServerExtraRoutes(
  app: FastifyInstance,
  deps: ComputeApiDeps,
  servers: ServerDeps,
): void {
  /** The instance's addresses by network label (none before the networking issue). */
  const addressesOf = (_instance: InstanceRecord): Record<string, { version: number; addr: string }[]> => ({})

  route(app, 'GET', '/servers/:server_id/ips', async (request) => {
    const { instance } = await instanceFor(request, deps, servers, 'os_compute_api:ips:index')
    return { addresses: addressesOf(instance) }
  })

  route(app, 'GET', '/servers/:server_id/ips/:network_label', async (request) => {
    const { instance } = await instanceFor(request, deps, servers, 'os_compute_api:ips:show')
    const label = (request.params as { network_label: string }).network_label
    const addresses = addressesOf(instance)[label]
    if (addresses === undefined) throw new ApiFault(404, 'Instance is not a member of specified network')
    return { [label]: addresses }
  })

  route(app, 'GET', '/servers/:server_id/os-server-password', async (request) => {
    const { instance } = await instanceFor(request, deps, servers, 'os_compute_api:os-server-password:show')
    return { password: PASSWORD_KEYS.map((k) => instance.system_metadata[k] ?? '').join('') }
  })

  route(app, 'DELETE', '/servers/:server_id/os-server-password', async (request, reply) => {
    const { instance } = await instanceFor(request, deps, servers, 'os_compute_api:os-server-password:clear')
    await servers.instances.deleteSystemMetadata(instance.uuid, PASSWORD_KEYS)
    reply.code(204)
    return ''
  })

  registerDiagnosticsAndEventRoutes(app, deps, servers)
}
