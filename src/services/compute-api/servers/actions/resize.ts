import { FlavorNotFound } from '../../../../common/errors/index.js'
import { ApiFault, badRequest } from '../../faults.js'
import { atLeast } from '../../microversion.js'
import { QuotaEngine } from '../../quota/engine.js'
import { TooManyInstances } from '../../quota/instances.js'
import { FlavorStore, type Flavor } from '../../store/flavors.js'
import {
  badRequestOnNoValidHost,
  currentFlavorId,
  flavorRecordOf,
  movesOf,
  requestSpecOf,
  saveSpecFlavor,
  specFlavorOf,
} from './move-support.js'
import { adminRule, memberRule, type ActionCall, type ServerAction } from './types.js'

const RESIZABLE = { vmStates: ['active', 'stopped'], taskStates: [null] } as const

/**
 * Resize and cold migration share Nova's path: task resize_prep, the instance action, then a call to the
 * conductor's migrate_server (so that NoValidHost answers 400 here). `ignoreSource`: the current host may not
 * be chosen.
 */
async function migrate(
  call: ActionCall,
  flavor: Flavor,
  options: {
    readonly action: string
    readonly ignoreSource: boolean
    readonly host?: string
    readonly autoDiskConfig?: boolean
  },
): Promise<void> {
  const { instance, servers } = call
  const spec = await requestSpecOf(servers, instance)
  await call.transition({
    task_state: 'resize_prep',
    progress: 0,
    ...(options.autoDiskConfig === undefined ? {} : { auto_disk_config: options.autoDiskConfig }),
  })
  await call.record(options.action)
  await badRequestOnNoValidHost(() =>
    servers.conductor.migrateServer(call.ctx, {
      instance_uuid: instance.uuid,
      request_spec: {
        ...spec,
        flavor: specFlavorOf(flavor),
        ignoreHosts: options.ignoreSource && instance.host !== null ? [instance.host] : [],
        ...(options.host === undefined ? {} : { forceHosts: [options.host] }),
      } as unknown as Record<string, unknown>,
      flavor: flavorRecordOf(flavor),
      flavor_id: flavor.id,
      migration_type: options.action === 'resize' ? 'resize' : 'migration',
    }),
  )
  if (options.action === 'resize') await saveSpecFlavor(servers, instance.uuid, specFlavorOf(flavor))
}

/**
 * Nova's upsize quota check (compute_utils.upsize_quota_delta + Quotas.check_deltas): the cores and ram the new
 * flavor adds must fit the project's (and the user's) limits, else 403 "Quota exceeded for cores: Requested 1,
 * but already used 2 of 2 cores".
 */
async function checkUpsizeQuota(call: ActionCall, flavor: Flavor): Promise<void> {
  const { servers, instance } = call
  if (servers.quota === undefined) return
  const deltas = {
    cores: Math.max(0, flavor.vcpus - (instance.vcpus ?? 0)),
    ram: Math.max(0, flavor.memoryMb - (instance.memory_mb ?? 0)),
  }
  if (deltas.cores === 0 && deltas.ram === 0) return
  const engine = new QuotaEngine({ apiDb: servers.apiDb, ...servers.quota })
  const projectId = instance.project_id ?? ''
  const userId = instance.user_id ?? ''
  const levels = [
    { limits: await engine.projectLimits(projectId), usage: await engine.instanceUsage(projectId) },
    { limits: await engine.limits(projectId, userId), usage: await engine.instanceUsage(projectId, userId) },
  ]
  const overs: { resource: 'cores' | 'ram'; used: number; limit: number }[] = []
  for (const resource of ['cores', 'ram'] as const) {
    if (deltas[resource] === 0) continue
    for (const { limits, usage } of levels) {
      const limit = limits[resource] ?? -1
      if (limit >= 0 && usage[resource] + deltas[resource] > limit) {
        overs.push({ resource, used: usage[resource], limit })
        break
      }
    }
  }
  if (overs.length > 0)
    throw new TooManyInstances(
      overs.map((o) => o.resource).join(', '),
      overs.map((o) => String(deltas[o.resource])).join(', '),
      overs.map((o) => String(o.used)).join(', '),
      overs.map((o) => String(o.limit)).join(', '),
    )
}

/** resize {flavorRef}: a different flavor (400 otherwise), same host only with allow_resize_to_same_host. */
const resize: ServerAction = {
  key: 'resize',
  name: 'resize',
  policy: memberRule('servers:resize', 'Resize a server', 'resize'),
  schema: () => ({
    type: 'object',
    properties: {
      flavorRef: { type: ['string', 'integer'], minLength: 1 },
      'OS-DCF:diskConfig': { type: 'string', enum: ['AUTO', 'MANUAL'] },
    },
    required: ['flavorRef'],
    additionalProperties: false,
  }),
  states: RESIZABLE,
  async run(call) {
    movesOf(call.servers)
    const ref = String((call.body as { flavorRef: string | number }).flavorRef).replace(/^.*\/flavors\//, '')
    const flavor = await new FlavorStore(call.servers.apiDb).get(ref).catch((error: unknown) => {
      if (error instanceof FlavorNotFound) throw badRequest('Unable to locate requested flavor.')
      throw error
    })
    if (flavor.disabled) throw badRequest('Unable to locate requested flavor.')
    if (flavor.flavorid === currentFlavorId(call.instance))
      throw badRequest('When resizing, instances must change flavor!')
    if (flavor.rootGb === 0 && (call.instance.root_gb ?? 0) !== 0)
      throw badRequest('Unable to resize disk down. Resize to zero disk flavor is not allowed.')
    await checkUpsizeQuota(call, flavor)
    const diskConfig = (call.body as { 'OS-DCF:diskConfig'?: string })['OS-DCF:diskConfig']
    await migrate(call, flavor, {
      action: 'resize',
      ignoreSource: call.servers.allowResizeToSameHost !== true,
      ...(diskConfig === undefined ? {} : { autoDiskConfig: diskConfig === 'AUTO' }),
    })
    return undefined
  },
}

async function currentFlavor(call: ActionCall): Promise<Flavor> {
  const id = currentFlavorId(call.instance)
  if (id === undefined) throw new ApiFault(409, `Instance ${call.instance.uuid} has no flavor`)
  return await new FlavorStore(call.servers.apiDb).get(id)
}

/** migrate (cold, admin; 2.56: {host}): another host always, the same flavor. */
const migrateAction: ServerAction = {
  key: 'migrate',
  name: 'migrate',
  policy: adminRule('os-migrate-server:migrate', 'Cold migrate a server to a host', 'migrate'),
  morePolicies: [
    adminRule('os-migrate-server:migrate:host', 'Cold migrate a server to a specified host', 'migrate'),
  ],
  schema: (request) =>
    atLeast(request, 56)
      ? {
          type: ['object', 'null'],
          properties: { host: { type: ['string', 'null'], minLength: 1, maxLength: 255 } },
          additionalProperties: false,
        }
      : undefined,
  states: RESIZABLE,
  async run(call) {
    movesOf(call.servers)
    const host = (call.body as { host?: string | null } | null)?.host ?? undefined
    if (host !== undefined && host === call.instance.host)
      throw badRequest(`Cannot migrate instance ${call.instance.uuid} to the same host ${host}.`)
    if (host !== undefined && !(await movesOf(call.servers).computeHostExists(host)))
      throw badRequest(`Compute host ${host} could not be found.`)
    await migrate(call, await currentFlavor(call), {
      action: 'migrate',
      ignoreSource: true,
      ...(host === undefined ? {} : { host }),
    })
    return undefined
  },
}

/** The `finished` migration of a resized instance (400 "Instance has not been resized." without one). */
async function finishedMigration(call: ActionCall) {
  const [migration] = await movesOf(call.servers).ofInstance(call.instance.uuid, ['finished'])
  if (migration === undefined) throw badRequest('Instance has not been resized.')
  return migration
}

/** confirmResize: migration `confirming`, nova-compute on the source cleans up; 204. */
const confirmResize: ServerAction = {
  key: 'confirmResize',
  name: 'confirmResize',
  policy: memberRule('servers:confirm_resize', 'Confirm a server resize', 'confirmResize'),
  // Nova validates no body for this action.
  states: { vmStates: ['resized'], taskStates: [null] },
  async run(call) {
    const migration = await finishedMigration(call)
    await movesOf(call.servers).update(migration.id, { status: 'confirming' })
    await call.record('confirmResize')
    await call.servers.compute.move(call.ctx, migration.source_compute ?? '', 'confirm_resize', {
      instance_uuid: call.instance.uuid,
      migration_id: migration.id,
    })
    return { status: 204 }
  },
}

/** revertResize: migration `reverting`, task resize_reverting, the destination gives the guest back. */
const revertResize: ServerAction = {
  key: 'revertResize',
  name: 'revertResize',
  policy: memberRule('servers:revert_resize', 'Revert a server resize', 'revertResize'),
  // Nova validates no body for this action.
  states: { vmStates: ['resized'], taskStates: [null] },
  async run(call) {
    const migration = await finishedMigration(call)
    await movesOf(call.servers).update(migration.id, { status: 'reverting' })
    const old = (call.instance.flavor as { old?: Parameters<typeof saveSpecFlavor>[2] } | null)?.old
    if (old !== undefined && old !== null) await saveSpecFlavor(call.servers, call.instance.uuid, old)
    await call.transition({ task_state: 'resize_reverting' })
    await call.record('revertResize')
    await call.servers.compute.move(call.ctx, migration.dest_compute ?? '', 'revert_resize', {
      instance_uuid: call.instance.uuid,
      migration_id: migration.id,
    })
    return undefined
  },
}

export const resizeActions: readonly ServerAction[] = [resize, confirmResize, revertResize, migrateAction]
