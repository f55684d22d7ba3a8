import type { FastifyInstance } from 'fastify'
import type { ComputeApiDeps } from '../routing.js'
import type { AdminDeps } from './deps.js'
import { registerAggregateRoutes } from './aggregates.js'
import { registerAvailabilityZoneRoutes } from './availability-zones.js'
import { registerHostRoutes } from './hosts.js'
import { registerHypervisorRoutes } from './hypervisors.js'
import { registerQuotaRoutes } from './quotas.js'
import { registerServiceRoutes } from './services.js'

/** Registers the admin resources' routes. */
export function registerAdminRoutes(app: FastifyInstance, deps: ComputeApiDeps, admin: AdminDeps): void {
  registerServiceRoutes(app, deps, admin)
  registerHostRoutes(app, deps, admin)
  registerHypervisorRoutes(app, deps, admin)
  registerAvailabilityZoneRoutes(app, deps, admin)
  registerAggregateRoutes(app, deps, admin)
  registerQuotaRoutes(app, deps, admin)
}
