import type { FastifyInstance } from 'fastify'
import type { ComputeApiDeps } from '../routing.js'
import type { AdminDeps } from './deps.js'

/** Registers the admin resources' routes. */
export function registerAdminRoutes(_app: FastifyInstance, _deps: ComputeApiDeps, _admin: AdminDeps): void {}
