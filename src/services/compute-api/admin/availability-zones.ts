import type { FastifyInstance } from 'fastify'
import type { ServiceRecord } from '../../../db/index.js'
import { authorize } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import { API_BINARIES, hostZones, isoTime, serviceUp, zoneOf } from './common.js'
import type { AdminDeps } from './deps.js'

const POLICY = 'os_compute_api:os-availability-zone'

export function registerAvailabilityZoneRoutes(
  app: FastifyInstance,
  deps: ComputeApiDeps,
  admin: AdminDeps,
): void {
  const { settings } = deps

  /** Zones of enabled services (available) and zones only disabled services are in (not available). */
  const zones = async () => {
    const services = (await admin.services.list()).filter((s) => !API_BINARIES.has(s.binary))
    const byHost = await hostZones(admin)
    const available = new Map<string, ServiceRecord[]>()
    const unavailable = new Set<string>()
    for (const s of services) {
      // A host in several zone aggregates is in each of them.
      for (const zone of zoneOf(admin, byHost, s).split(',')) {
        if (s.disabled) unavailable.add(zone)
        else available.set(zone, [...(available.get(zone) ?? []), s])
      }
    }
    for (const zone of available.keys()) unavailable.delete(zone)
    return { available, unavailable: [...unavailable].sort() }
  }

  route(app, 'GET', '/os-availability-zone', async (request) => {
    authorize(request, settings, `${POLICY}:list`)
    const { available, unavailable } = await zones()
    const internal = admin.settings.internalAvailabilityZone
    return {
      availabilityZoneInfo: [
        ...[...available.keys()]
          .filter((z) => z !== internal)
          .sort()
          .map((zoneName) => ({ zoneName, zoneState: { available: true }, hosts: null })),
        ...unavailable
          .filter((z) => z !== internal)
          .map((zoneName) => ({ zoneName, zoneState: { available: false }, hosts: null })),
      ],
    }
  })

  route(app, 'GET', '/os-availability-zone/detail', async (request) => {
    authorize(request, settings, `${POLICY}:detail`)
    const { available, unavailable } = await zones()
    const info = [...available.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([zoneName, services]) => {
        const hosts: Record<string, Record<string, unknown>> = {}
        for (const s of services)
          (hosts[s.host] ??= {})[s.binary] = {
            available: serviceUp(admin, s),
            active: !s.disabled,
            updated_at: isoTime(s.updatedAt),
          }
        return { zoneName, zoneState: { available: true }, hosts }
      })
    return {
      availabilityZoneInfo: [
        ...info,
        ...unavailable.map((zoneName) => ({ zoneName, zoneState: { available: false }, hosts: null })),
      ],
    }
  })
}
