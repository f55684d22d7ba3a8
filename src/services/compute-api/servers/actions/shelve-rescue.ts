import { snapshotImageFields } from '../../../image/client.js'
import { badRequest, ApiFault } from '../../faults.js'
import { atLeast } from '../../microversion.js'
import { generatePassword, tokenOf } from './rebuild.js'
import { badRequestOnNoValidHost, hostOf, movesOf, requestSpecOf } from './move-support.js'
import type { Schema } from '../../validation.js'
import { adminRule, memberRule, type ActionCall, type ServerAction } from './types.js'

/**
 * The image record of a snapshot (Nova's _create_image): named `name`, with what it inherits from the instance's
 * image (its properties, e.g. kernel_id and ramdisk_id, so that it boots as the instance did; min_ram, min_disk),
 * the instance's uuid, the base image and the caller's metadata; undefined when no image service is configured.
 */
export async function createSnapshotImage(
  call: ActionCall,
  name: string,
  imageType: 'snapshot' | 'backup',
  extra: Readonly<Record<string, string>> = {},
): Promise<string | undefined> {
  const writer = call.servers.imageWriter
  if (writer === undefined) return undefined
  const { instance } = call
  const image = await writer(tokenOf(call)).create({
    ...snapshotImageFields(instance.system_metadata),
    name,
    instance_uuid: instance.uuid,
    image_type: imageType,
    ...(instance.image_ref === null || instance.image_ref === ''
      ? {}
      : { base_image_ref: instance.image_ref }),
    user_id: call.caller.userId,
    ...extra,
  })
  return image.id
}

/** shelve: task shelving; nova-compute snapshots into `<name>-shelved`, SHELVED (then SHELVED_OFFLOADED). */
const shelve: ServerAction = {
  key: 'shelve',
  name: 'shelve',
  policy: memberRule('os-shelve:shelve', 'Shelve server', 'shelve'),
  // Nova validates no body for this action.
  states: { vmStates: ['active', 'stopped', 'paused', 'suspended'], taskStates: [null] },
  async run(call) {
    const { instance } = call
    await call.transition({ task_state: 'shelving' })
    await call.record('shelve')
    const imageId = await createSnapshotImage(
      call,
      `${instance.display_name ?? instance.uuid}-shelved`,
      'snapshot',
    )
    await call.servers.compute.move(call.ctx, hostOf(instance), 'shelve_instance', {
      instance_uuid: instance.uuid,
      ...(imageId === undefined ? {} : { image_id: imageId }),
      clean_shutdown: true,
    })
    return undefined
  },
}

/** shelveOffload (admin): task shelving_offloading; the guest and its allocations go, SHELVED_OFFLOADED. */
const shelveOffload: ServerAction = {
  key: 'shelveOffload',
  name: 'shelveOffload',
  policy: adminRule('os-shelve:shelve_offload', 'Shelf-offload (remove) server', 'shelveOffload'),
  // Nova validates no body for this action.
  states: { vmStates: ['shelved'], taskStates: [null] },
  async run(call) {
    await call.transition({ task_state: 'shelving_offloading' })
    await call.record('shelveOffload')
    await call.servers.compute.move(call.ctx, hostOf(call.instance), 'shelve_offload_instance', {
      instance_uuid: call.instance.uuid,
    })
    return undefined
  },
}

/**
 * unshelve (2.77 {availability_zone}, 2.91 {availability_zone: str|null, host}): task unshelving; the conductor
 * schedules an offloaded instance again (or starts a shelved one where it is).
 */
const unshelve: ServerAction = {
  key: 'unshelve',
  name: 'unshelve',
  policy: memberRule('os-shelve:unshelve', 'Unshelve (restore) shelved server', 'unshelve'),
  morePolicies: [adminRule('os-shelve:unshelve_to_host', 'Unshelve a server to a specific host', 'unshelve')],
  schema: (request): Schema | undefined =>
    atLeast(request, 91)
      ? {
          type: ['object', 'null'],
          properties: {
            availability_zone: { type: ['string', 'null'] },
            host: { type: 'string', minLength: 1, maxLength: 255 },
          },
          additionalProperties: false,
        }
      : atLeast(request, 77)
        ? {
            type: ['object', 'null'],
            properties: { availability_zone: { type: 'string', minLength: 1, maxLength: 255 } },
            required: ['availability_zone'],
            additionalProperties: false,
          }
        : undefined,
  states: { vmStates: ['shelved', 'shelved_offloaded'], taskStates: [null] },
  async run(call) {
    const { instance, servers } = call
    const body = (call.body ?? {}) as { availability_zone?: string | null; host?: string }
    const offloaded = instance.vm_state === 'shelved_offloaded'
    if (body.host !== undefined && !call.caller.isAdmin)
      throw new ApiFault(
        403,
        "Policy doesn't allow os_compute_api:os-shelve:unshelve_to_host to be performed.",
      )
    if ((body.availability_zone !== undefined || body.host !== undefined) && !offloaded)
      throw new ApiFault(
        409,
        `The unshelve server operation on a shelved instance in status SHELVED is not supported with an ` +
          `availability_zone or a host.`,
      )
    if (body.availability_zone === '') throw badRequest('availability_zone may not be empty')
    if (body.host !== undefined && !(await movesOf(servers).computeHostExists(body.host)))
      throw badRequest(`Compute host ${body.host} could not be found.`)
    const spec = await requestSpecOf(servers, instance)
    await call.transition({ task_state: 'unshelving' })
    await call.record('unshelve')
    const zone =
      body.availability_zone === undefined ? spec.availabilityZone : (body.availability_zone ?? undefined)
    await badRequestOnNoValidHost(() =>
      servers.conductor.unshelveInstance(call.ctx, instance.uuid, {
        ...spec,
        availabilityZone: zone,
        ...(body.host === undefined ? {} : { forceHosts: [body.host] }),
      } as unknown as Record<string, unknown>),
    )
    return undefined
  },
}

/** rescue {adminPass?, rescue_image_ref?}: task rescuing, the guest boots from the rescue image; 200 {adminPass}. */
const rescue: ServerAction = {
  key: 'rescue',
  name: 'rescue',
  policy: memberRule('os-rescue', 'Rescue a server', 'rescue'),
  schema: () => ({
    type: ['object', 'null'],
    properties: {
      adminPass: { type: 'string' },
      rescue_image_ref: { type: 'string', minLength: 1 },
    },
    additionalProperties: false,
  }),
  states: { vmStates: ['active', 'stopped', 'error'], taskStates: [null] },
  async run(call) {
    const body = (call.body ?? {}) as { adminPass?: string; rescue_image_ref?: string }
    const password = body.adminPass ?? generatePassword()
    const rescueImage = body.rescue_image_ref?.replace(/^.*\/images\//, '')
    await call.transition({ task_state: 'rescuing' })
    await call.record('rescue')
    await call.servers.compute.move(call.ctx, hostOf(call.instance), 'rescue_instance', {
      instance_uuid: call.instance.uuid,
      rescue_password: password,
      ...(rescueImage === undefined ? {} : { rescue_image_ref: rescueImage }),
    })
    return { status: 200, body: call.servers.enableInstancePassword ? { adminPass: password } : {} }
  },
}

/** unrescue: task unrescuing, back to the guest's own disk: ACTIVE. */
const unrescue: ServerAction = {
  key: 'unrescue',
  name: 'unrescue',
  policy: memberRule('os-unrescue', 'Unrescue a server', 'unrescue'),
  // Nova validates no body for this action.
  states: { vmStates: ['rescued'], taskStates: [null] },
  async run(call) {
    await call.transition({ task_state: 'unrescuing' })
    await call.record('unrescue')
    await call.servers.compute.move(call.ctx, hostOf(call.instance), 'unrescue_instance', {
      instance_uuid: call.instance.uuid,
    })
    return undefined
  },
}

export const shelveActions: readonly ServerAction[] = [shelve, shelveOffload, unshelve]
export const rescueActions: readonly ServerAction[] = [rescue, unrescue]
