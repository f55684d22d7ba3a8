import type { FastifyRequest } from 'fastify'
import { isServiceUp, type ServiceRecord, type UntypedKysely } from '../../../db/index.js'
import { ApiFault } from '../faults.js'
import type { AdminDeps } from './deps.js'

/** Nova's datetime in API bodies: ISO-8601 with microseconds, no zone. */
export const isoTime = (date: Date | undefined | null): string | null =>
  date === undefined || date === null
    ? null
    : date
        .toISOString()
        .replace('Z', '000')
        .replace(/\.(\d{6})\d*$/, '.$1')

export const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

/** The request body's named object (the schema validated it). */
export const bodyOf = <T = Record<string, unknown>>(request: FastifyRequest, key: string): T =>
  (request.body as Record<string, T>)[key]!

export const paramOf = (request: FastifyRequest, name: string): string =>
  (request.params as Record<string, string>)[name]!

export const notFound = (message: string): ApiFault => new ApiFault(404, message)

/** Whether the service heartbeats recently enough (and is not forced down). */
export const serviceUp = (deps: AdminDeps, service: ServiceRecord): boolean =>
  isServiceUp(service, deps.clock.now(), deps.settings.serviceDownTime)

/** API-side services never listed by os-services (Nova hides them). */
export const API_BINARIES = new Set(['nova-osapi_compute', 'nova-metadata', 'nova-api'])

/**
 * host → its availability zone(s), from the `availability_zone` metadata of the aggregates holding it
 * (Nova's `get_host_availability_zone`: several, sorted and joined with commas).
 */
export async function hostZones(deps: AdminDeps): Promise<Map<string, string>> {
  const k = deps.apiDb.kysely as UntypedKysely
  const rows = (await k
    .selectFrom('aggregate_hosts')
    .innerJoin('aggregate_metadata', 'aggregate_metadata.aggregate_id', 'aggregate_hosts.aggregate_id')
    .select(['aggregate_hosts.host as host', 'aggregate_metadata.value as zone'])
    .where('aggregate_metadata.key', '=', 'availability_zone')
    .execute()) as { host: string; zone: string }[]
  const byHost = new Map<string, Set<string>>()
  for (const r of rows) byHost.set(r.host, (byHost.get(r.host) ?? new Set()).add(r.zone))
  return new Map([...byHost].map(([host, zones]) => [host, [...zones].sort().join(',')]))
}

/** The zone os-services and os-availability-zone report for a service. */
export function zoneOf(deps: AdminDeps, zones: Map<string, string>, service: ServiceRecord): string {
  if (service.binary !== 'nova-compute') return deps.settings.internalAvailabilityZone
  return zones.get(service.host) ?? deps.settings.defaultAvailabilityZone
}

/** Runs a placement side effect; when placement cannot be reached it is logged, never fatal (as Nova does). */
export async function tryPlacement(
  deps: AdminDeps,
  what: string,
  work: (client: NonNullable<ReturnType<AdminDeps['placement']>>) => Promise<void>,
): Promise<void> {
  let client
  try {
    client = deps.placement()
  } catch (error) {
    deps.logger.warn({ err: error }, `placement unavailable: not ${what}`)
    return
  }
  if (client === undefined) return
  try {
    await work(client)
  } catch (error) {
    deps.logger.warn({ err: error }, `placement: ${what} failed`)
  }
}
