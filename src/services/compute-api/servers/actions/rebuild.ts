import { randomBytes } from 'node:crypto'
import type { InstanceFields } from '../../../../db/repositories/instances.js'
import { badRequest } from '../../faults.js'
import { atLeast } from '../../microversion.js'
import { KeyPairStore } from '../../store/keypairs.js'
import { DESCRIPTION_PATTERN, nameType, type Schema } from '../../validation.js'
import { checkRequestedImage } from '../image-check.js'
import { groupsOfInstance } from '../server-groups.js'
import { actionView } from '../view.js'
import { hostOf } from './move-support.js'
import { memberRule, type ActionCall, type ServerAction } from './types.js'

const metadataType: Schema = {
  type: 'object',
  patternProperties: { '^[a-zA-Z0-9-_:. ]{1,255}$': { type: 'string', maxLength: 255 } },
  additionalProperties: false,
}

/** A random admin password (Nova's generate_password: 12 characters, no ambiguous ones). */
export function generatePassword(): string {
  const symbols = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'
  return [...randomBytes(12)].map((b) => symbols[b % symbols.length]).join('')
}

/** The caller's token, for the image service (it acts as the caller). */
export const tokenOf = (call: ActionCall): string => String(call.request.headers['x-auth-token'] ?? '')

interface RebuildBody {
  readonly imageRef: string
  readonly name?: string
  readonly adminPass?: string
  readonly metadata?: Record<string, string>
  readonly preserve_ephemeral?: boolean
  readonly description?: string | null
  readonly key_name?: string | null
  readonly user_data?: string | null
  readonly hostname?: string
  readonly accessIPv4?: string
  readonly accessIPv6?: string
  readonly 'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL'
}

/**
 * rebuild {imageRef, …}: the instance takes the new image (and name, metadata, description 2.19, key_name 2.54,
 * user_data 2.57, hostname 2.90), task_state rebuilding; nova-compute destroys and spawns the guest again.
 * 202 with the server and its adminPass.
 */
const rebuild: ServerAction = {
  key: 'rebuild',
  name: 'rebuild',
  policy: memberRule('servers:rebuild', 'Rebuild a server', 'rebuild'),
  schema: (request) => ({
    type: 'object',
    properties: {
      imageRef: { type: 'string', minLength: 1 },
      name: nameType,
      adminPass: { type: 'string' },
      metadata: metadataType,
      preserve_ephemeral: { type: 'boolean' },
      'OS-DCF:diskConfig': { type: 'string', enum: ['AUTO', 'MANUAL'] },
      accessIPv4: { type: 'string' },
      accessIPv6: { type: 'string' },
      ...(atLeast(request, 57) ? {} : { personality: { type: 'array' } }),
      ...(atLeast(request, 19)
        ? { description: { type: ['string', 'null'], maxLength: 255, pattern: DESCRIPTION_PATTERN } }
        : {}),
      ...(atLeast(request, 54)
        ? { key_name: { type: ['string', 'null'], minLength: 1, maxLength: 255 } }
        : {}),
      ...(atLeast(request, 57) ? { user_data: { type: ['string', 'null'], maxLength: 65535 } } : {}),
      ...(atLeast(request, 63) ? { trusted_image_certificates: { type: ['array', 'null'] } } : {}),
      ...(atLeast(request, 90) ? { hostname: { type: 'string', minLength: 1, maxLength: 255 } } : {}),
    },
    required: ['imageRef'],
    additionalProperties: false,
  }),
  states: { vmStates: ['active', 'stopped', 'error'], taskStates: [null] },
  async run(call) {
    const { instance, servers, caller } = call
    const body = call.body as RebuildBody
    const imageRef = body.imageRef.replace(/^.*\/images\//, '')
    // Nova's _check_requested_image against the instance's flavor: found, active, big enough.
    if (servers.images !== undefined)
      await checkRequestedImage(servers.images(tokenOf(call)), imageRef, {
        memoryMb: instance.memory_mb ?? 0,
        rootGb: instance.root_gb ?? 0,
      })
    const changes: { -readonly [K in keyof InstanceFields]: InstanceFields[K] } = {
      task_state: 'rebuilding',
      progress: 0,
      image_ref: imageRef,
    }
    if (body.name !== undefined) changes.display_name = body.name
    if (body.description !== undefined) changes.display_description = body.description
    if (body.user_data !== undefined) changes.user_data = body.user_data
    if (body.hostname !== undefined) changes.hostname = body.hostname
    if (body.accessIPv4 !== undefined) changes.access_ip_v4 = body.accessIPv4
    if (body.accessIPv6 !== undefined) changes.access_ip_v6 = body.accessIPv6
    if (body['OS-DCF:diskConfig'] !== undefined)
      changes.auto_disk_config = body['OS-DCF:diskConfig'] === 'AUTO'
    if (body.key_name === null) {
      changes.key_name = null
      changes.key_data = null
    } else if (body.key_name !== undefined) {
      const key = await new KeyPairStore(servers.apiDb)
        .get(caller.userId, body.key_name)
        .catch(() => undefined)
      if (key === undefined) throw badRequest('Invalid key_name provided.')
      changes.key_name = key.name
      changes.key_data = key.publicKey
    }
    const adminPass = body.adminPass ?? (servers.enableInstancePassword ? generatePassword() : undefined)
    let updated = await call.transition(changes)
    if (body.metadata !== undefined) {
      await servers.instances.setMetadata(instance.uuid, body.metadata, true)
      updated = (await servers.instances.get(instance.uuid)) ?? updated
    }
    await call.record('rebuild')
    await servers.compute.move(call.ctx, hostOf(instance), 'rebuild_instance', {
      instance_uuid: instance.uuid,
      image_ref: imageRef,
      orig_image_ref: instance.image_ref,
      preserve_ephemeral: body.preserve_ephemeral === true,
      ...(adminPass === undefined ? {} : { admin_password: adminPass }),
    })
    // Nova's rebuild view: trimmed before 2.75, the full one (with server_groups) from 2.75.
    const groups = atLeast(call.request, 75) ? await groupsOfInstance(servers.apiDb, instance.uuid) : []
    const server = actionView(call.request, call.settings, caller, updated, groups, { rebuild: true })
    return {
      status: 202,
      body: {
        server: {
          ...server,
          ...(adminPass === undefined || !servers.enableInstancePassword ? {} : { adminPass }),
        },
      },
    }
  },
}

export const rebuildActions: readonly ServerAction[] = [rebuild]
