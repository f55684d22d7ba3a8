import { ApiFault } from '../../faults.js'
import { atLeast } from '../../microversion.js'
import { nameType, type Schema } from '../../validation.js'
import { hostOf } from './move-support.js'
import { createSnapshotImage } from './shelve-rescue.js'
import { memberRule, type ServerAction } from './types.js'

const metadataType: Schema = {
  type: 'object',
  patternProperties: { '^[a-zA-Z0-9-_:. ]{1,255}$': { type: 'string', maxLength: 255 } },
  additionalProperties: false,
}

/**
 * createImage {name, metadata?}: the API creates the image record (with the caller's token), task
 * image_snapshot_pending, nova-compute uploads the guest's disk into it. 202 with the image's URL in Location
 * (before 2.45) or `{image_id}` (2.45+).
 */
const createImage: ServerAction = {
  key: 'createImage',
  name: 'createImage',
  policy: memberRule('servers:create_image', 'Create an image from a server', 'createImage'),
  schema: () => ({
    type: 'object',
    properties: { name: nameType, metadata: metadataType },
    required: ['name'],
    additionalProperties: false,
  }),
  checkLock: false,
  states: { vmStates: ['active', 'stopped', 'paused', 'suspended'], taskStates: [null] },
  async run(call) {
    const body = call.body as { name: string; metadata?: Record<string, string> }
    const imageId = await createSnapshotImage(call, body.name, 'snapshot', body.metadata ?? {})
    if (imageId === undefined) throw new ApiFault(409, 'No image service is configured for snapshots.')
    await call.transition({ task_state: 'image_snapshot_pending' })
    await call.record('createImage')
    await call.servers.compute.move(call.ctx, hostOf(call.instance), 'snapshot_instance', {
      instance_uuid: call.instance.uuid,
      image_id: imageId,
    })
    if (atLeast(call.request, 45)) return { status: 202, body: { image_id: imageId } }
    const base = (call.servers.imageLinkBase ?? '').replace(/\/+$/, '')
    return { status: 202, headers: { location: `${base}/images/${imageId}` } }
  },
}

export const imageActions: readonly ServerAction[] = [createImage]
