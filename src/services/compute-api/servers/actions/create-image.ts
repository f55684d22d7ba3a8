import { ApiFault } from '../../faults.js'
import { atLeast } from '../../microversion.js'
import { nameType, type Schema } from '../../validation.js'
import { hostOf } from './move-support.js'
import { createSnapshotImage } from './shelve-rescue.js'
import { memberRule, type ActionCall, type ServerAction } from './types.js'

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
    return imageAnswer(call, imageId)
  },
}

/** 202 with the image's URL in Location before 2.45, `{image_id}` from 2.45. */
function imageAnswer(call: ActionCall, imageId: string) {
  if (atLeast(call.request, 45)) return { status: 202, body: { image_id: imageId } }
  const base = (call.servers.imageLinkBase ?? '').replace(/\/+$/, '')
  return { status: 202, headers: { location: `${base}/images/${imageId}` } }
}

/**
 * createBackup {name, backup_type, rotation, metadata?}: an image of image_type backup, task image_backup; after
 * the upload nova-compute keeps the `rotation` newest backups of that type (0: none).
 */
const createBackup: ServerAction = {
  key: 'createBackup',
  name: 'createBackup',
  policy: memberRule('os-create-backup', 'Create a back up of a server', 'createBackup'),
  schema: () => ({
    type: 'object',
    properties: {
      name: nameType,
      backup_type: { type: 'string' },
      rotation: { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 0 },
      metadata: metadataType,
    },
    required: ['name', 'backup_type', 'rotation'],
    additionalProperties: false,
  }),
  checkLock: false,
  states: { vmStates: ['active', 'stopped', 'paused', 'suspended'], taskStates: [null] },
  async run(call) {
    const body = call.body as {
      name: string
      backup_type: string
      rotation: number | string
      metadata?: Record<string, string>
    }
    const imageId = await createSnapshotImage(call, body.name, 'backup', {
      ...body.metadata,
      backup_type: body.backup_type,
    })
    if (imageId === undefined) throw new ApiFault(409, 'No image service is configured for backups.')
    await call.transition({ task_state: 'image_backup' })
    await call.record('createBackup')
    await call.servers.compute.move(call.ctx, hostOf(call.instance), 'backup_instance', {
      instance_uuid: call.instance.uuid,
      image_id: imageId,
      backup_type: body.backup_type,
      rotation: Number(body.rotation),
    })
    return imageAnswer(call, imageId)
  },
}

export const imageActions: readonly ServerAction[] = [createImage, createBackup]
