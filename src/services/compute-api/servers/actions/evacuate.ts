import { isServiceUp } from '../../../../db/index.js'
import { ApiFault, badRequest } from '../../faults.js'
import { atLeast } from '../../microversion.js'
import { booleanType, toBool, type Schema } from '../../validation.js'
import { movesOf, requestSpecOf } from './move-support.js'
import { generatePassword } from './rebuild.js'
import { adminRule, type ActionCall, type ServerAction } from './types.js'

/** Nova's parameter_types.hostname. */
const hostname: Schema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' }

/**
 * Nova's evacuate schemas: 2.1 {host, onSharedStorage (required), adminPass}; 2.14 without onSharedStorage;
 * 2.29 with `force`; 2.68 without it again.
 */
function evacuateSchema(minor: (n: number) => boolean): Schema {
  return {
    type: 'object',
    properties: {
      host: hostname,
      adminPass: { type: 'string' },
      ...(minor(14) ? {} : { onSharedStorage: booleanType }),
      ...(minor(29) && !minor(68) ? { force: booleanType } : {}),
    },
    ...(minor(14) ? {} : { required: ['onSharedStorage'] }),
    additionalProperties: false,
  }
}

interface EvacuateBody {
  readonly host?: string
  readonly adminPass?: string
  readonly onSharedStorage?: unknown
  readonly force?: unknown
}

/**
 * The admin password of the rebuilt guest (Nova's _get_password / _get_password_v214): before 2.14 none is made
 * for a guest on shared storage, and asking for one there is 400; from 2.14 one is always set.
 */
function passwordOf(
  call: ActionCall,
  body: EvacuateBody,
  onSharedStorage: boolean | undefined,
): string | null {
  if (atLeast(call.request, 14)) return body.adminPass ?? generatePassword()
  if (body.adminPass !== undefined) {
    if (onSharedStorage === true) throw badRequest("admin password can't be changed on existing disk")
    return body.adminPass
  }
  return onSharedStorage === true ? null : generatePassword()
}

/** Nova's compute API evacuate precondition: the source's nova-compute must be down (or forced down). */
async function checkSourceDown(call: ActionCall): Promise<void> {
  const { servers, instance } = call
  const source = instance.host ?? ''
  if (servers.services === undefined) throw new ApiFault(501, 'Evacuate is not available in this deployment.')
  const service = await servers.services.getByHostAndBinary(source, 'nova-compute')
  if (service !== undefined && isServiceUp(service, servers.clock.now(), servers.serviceDownTimeS ?? 60))
    throw badRequest(`Compute service of ${source} is still in use.`)
}

/**
 * evacuate (admin): rebuilds the server on another host after its host failed. The source's nova-compute must be
 * down; task rebuilding, a migration of type `evacuation` (`accepted`) the source finds when it comes back, and
 * the conductor's rebuild_instance (a cast): the scheduler's pick other than the source, or the host given
 * (forced before 2.29 and with `force`, checked by the scheduler otherwise). 200, with `{adminPass}` before 2.14.
 * From 2.95 the evacuated server ends stopped.
 */
const evacuate: ServerAction = {
  key: 'evacuate',
  name: 'evacuate',
  policy: adminRule('os-evacuate', 'Evacuate a server from a failed host to a new host', 'evacuate'),
  checkLock: false,
  schema: (request) => evacuateSchema((n) => atLeast(request, n)),
  states: { vmStates: ['active', 'stopped', 'error'], taskStates: [null] },
  async run(call) {
    const { instance, servers, request } = call
    const moves = movesOf(servers)
    const body = call.body as EvacuateBody
    const host = body.host
    const onSharedStorage = atLeast(request, 14) ? undefined : toBool(body.onSharedStorage)
    let force: boolean | undefined
    if (atLeast(request, 29)) {
      force = atLeast(request, 68) ? false : toBool(body.force ?? false)
      if (force && host === undefined) throw badRequest("Can't force to a non-provided destination")
    }
    const password = passwordOf(call, body, onSharedStorage)
    if (host !== undefined) {
      const service = await servers.services?.getByHostAndBinary(host, 'nova-compute')
      if (service === undefined || !(await moves.computeHostExists(host)))
        throw new ApiFault(404, `Compute host ${host} not found.`)
    }
    if (instance.host === host) throw badRequest("The target host can't be the same one.")
    await checkSourceDown(call)

    const spec = await requestSpecOf(servers, instance)
    await call.transition({ task_state: 'rebuilding' }, [null])
    await call.record('evacuate')
    // Nova's tombstone for the source compute: it destroys its guest when it comes back.
    const migration = await moves.create({
      instance_uuid: instance.uuid,
      migration_type: 'evacuation',
      status: 'accepted',
      source_compute: instance.host,
      source_node: instance.node,
      ...(host === undefined ? {} : { dest_compute: host }),
      old_instance_type_id: instance.instance_type_id,
      new_instance_type_id: instance.instance_type_id,
      user_id: call.caller.userId,
      project_id: call.caller.projectId,
    })
    // A host given before 2.29, or with force, bypasses the scheduler; from 2.29 it is checked by it.
    const forced = host !== undefined && force !== false
    await servers.conductor.rebuildInstance(call.ctx, {
      instance_uuid: instance.uuid,
      migration_id: migration.id,
      request_spec: {
        ...spec,
        ignoreHosts: instance.host === null ? [] : [instance.host],
        // A requested (not forced) host still goes through the filters (Nova's requested_destination).
        ...(host !== undefined && !forced
          ? { forceHosts: [host], schedulerHints: { ...spec.schedulerHints, _nova_check_type: ['evacuate'] } }
          : {}),
      } as unknown as Record<string, unknown>,
      ...(forced ? { host } : {}),
      admin_password: password,
      on_shared_storage: onSharedStorage ?? null,
      ...(atLeast(request, 95) ? { target_state: 'stopped' } : {}),
    })
    if (!atLeast(request, 14) && servers.enableInstancePassword)
      return { status: 200, body: { adminPass: password } }
    return { status: 200 }
  },
}

export const evacuateActions: readonly ServerAction[] = [evacuate]
