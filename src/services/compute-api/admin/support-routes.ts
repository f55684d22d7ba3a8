import type { FastifyInstance } from 'fastify'
import type { ComputeApiDeps } from '../routing.js'
import type { AdminDeps } from './deps.js'
import { registerExtensionRoutes } from './extensions.js'
import { registerMigrationRoutes } from './migrations.js'
import { registerTenantUsageRoutes } from './tenant-usage.js'

/** Registers the admin-side support resources: os-migrations and the server migrations, os-simple-tenant-usage, extensions and the usage audit log. */
export function registerSupportRoutes(app: FastifyInstance, deps: ComputeApiDeps, admin: AdminDeps): void {
  registerMigrationRoutes(app, deps, admin)
  registerTenantUsageRoutes(app, deps, admin)
  registerExtensionRoutes(app, deps, admin)
}
