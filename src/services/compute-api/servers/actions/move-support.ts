import { NovaError } from '../../../../common/errors/index.js'
import type { InstanceRecord } from '../../../../db/repositories/instances.js'
import type { MovesRepository } from '../../../../db/repositories/migrations.js'
import type { UntypedKysely } from '../../../../db/untyped.js'
import type { RequestSpec } from '../../../scheduler/client.js'
import { ApiFault } from '../../faults.js'
import type { Flavor } from '../../store/flavors.js'
import type { ServerDeps } from '../deps.js'

/** A flavor as instance_extra keeps it. */
export const flavorRecordOf = (flavor: Flavor) => ({
  flavorid: flavor.flavorid,
  name: flavor.name,
  vcpus: flavor.vcpus,
  memory_mb: flavor.memoryMb,
  root_gb: flavor.rootGb,
  ephemeral_gb: flavor.ephemeralGb,
  swap: flavor.swap,
  extra_specs: flavor.extraSpecs,
})

/** The scheduler's view of a flavor. */
export const specFlavorOf = (flavor: Flavor) => ({
  name: flavor.name,
  flavorid: flavor.flavorid,
  vcpus: flavor.vcpus,
  memoryMb: flavor.memoryMb,
  rootGb: flavor.rootGb,
  ephemeralGb: flavor.ephemeralGb,
  swap: flavor.swap,
  extraSpecs: flavor.extraSpecs,
})

/** The instance's current flavor id (instance_extra's cur.flavorid). */
export const currentFlavorId = (instance: InstanceRecord): string | undefined =>
  ((instance.flavor ?? {}) as { cur?: { flavorid?: string } }).cur?.flavorid

/**
 * The instance's RequestSpec as the API database keeps it (request_specs), with what every move resets (Nova's
 * reset_forced_destinations, no ignored hosts); a spec made from the instance when there is none.
 */
export async function requestSpecOf(servers: ServerDeps, instance: InstanceRecord): Promise<RequestSpec> {
  const row = (await (servers.apiDb.kysely as UntypedKysely)
    .selectFrom('request_specs')
    .select('spec')
    .where('instance_uuid', '=', instance.uuid)
    .executeTakeFirst()) as { spec: string | null } | undefined
  const stored = row?.spec === null || row?.spec === undefined ? {} : (JSON.parse(row.spec) as object)
  // The flavor the instance has now (a resize changed it), not the one it was booted with.
  const cur = (instance.flavor as { cur?: FlavorLike } | null)?.cur
  return {
    instanceUuid: instance.uuid,
    projectId: instance.project_id ?? '',
    userId: instance.user_id ?? '',
    numInstances: 1,
    image: { id: instance.image_ref ?? '', properties: {} },
    schedulerHints: {},
    ...(stored as Partial<RequestSpec>),
    ...(cur === undefined ? {} : { flavor: specFlavorOfRecord(cur) }),
    // A rebuild changed the image: its properties in the stored spec are the old image's.
    ...((stored as Partial<RequestSpec>).image?.id === (instance.image_ref ?? '')
      ? {}
      : { image: { id: instance.image_ref ?? '', properties: {} } }),
    ignoreHosts: [],
    forceHosts: [],
    forceNodes: [],
  } as RequestSpec
}

/** A flavor as instance_extra keeps it. */
interface FlavorLike {
  readonly flavorid?: string
  readonly name?: string
  readonly vcpus: number
  readonly memory_mb: number
  readonly root_gb: number
  readonly ephemeral_gb: number
  readonly swap: number
  readonly extra_specs?: Readonly<Record<string, string>>
}

const specFlavorOfRecord = (f: FlavorLike) => ({
  name: f.name ?? '',
  flavorid: f.flavorid ?? '',
  vcpus: f.vcpus,
  memoryMb: f.memory_mb,
  rootGb: f.root_gb,
  ephemeralGb: f.ephemeral_gb,
  swap: f.swap,
  extraSpecs: f.extra_specs ?? {},
})

/**
 * Nova saves the request spec's flavor with a resize (and puts the old one back on a revert): the stored spec
 * (request_specs) takes `flavor`, so later scheduling (unshelve, evacuate) sizes the instance right.
 */
export async function saveSpecFlavor(
  servers: ServerDeps,
  instanceUuid: string,
  flavor: FlavorLike | ReturnType<typeof specFlavorOf>,
): Promise<void> {
  const k = servers.apiDb.kysely as UntypedKysely
  const row = (await k
    .selectFrom('request_specs')
    .select('spec')
    .where('instance_uuid', '=', instanceUuid)
    .executeTakeFirst()) as { spec: string | null } | undefined
  if (row?.spec === null || row?.spec === undefined) return
  const spec = JSON.parse(row.spec) as Record<string, unknown>
  spec.flavor = 'memory_mb' in flavor ? specFlavorOfRecord(flavor) : flavor
  await k
    .updateTable('request_specs')
    .set({ spec: JSON.stringify(spec) })
    .where('instance_uuid', '=', instanceUuid)
    .execute()
}

/** The migrations repository (the API records confirm / revert on it). */
export function movesOf(servers: ServerDeps): MovesRepository {
  if (servers.moves === undefined) throw new ApiFault(501, 'Moves are not available in this deployment.')
  return servers.moves
}

/** NoValidHost from the conductor, as Nova's API answers it for resize, migrate and unshelve: 400. */
export async function badRequestOnNoValidHost<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (error instanceof NovaError && error.code === 'NoValidHost') throw new ApiFault(400, error.message)
    throw error
  }
}

export const hostOf = (instance: InstanceRecord): string => instance.host ?? ''

/**
 * Nova's _delete of a SHELVED or SHELVED_OFFLOADED server: its shelved image goes with it (as the caller; an image
 * already gone or not the caller's is left alone).
 */
export async function deleteShelvedImage(
  servers: ServerDeps,
  token: string,
  instance: InstanceRecord,
): Promise<void> {
  if (instance.vm_state !== 'shelved' && instance.vm_state !== 'shelved_offloaded') return
  const imageId = instance.system_metadata.shelved_image_id
  if (imageId === undefined || imageId === '' || servers.imageWriter === undefined) return
  await servers
    .imageWriter(token)
    .delete(imageId)
    .catch((error: unknown) => {
      servers.logger.info({ err: error, instance: instance.uuid }, 'the shelved image was not deleted')
    })
}
