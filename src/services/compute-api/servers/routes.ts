import type { FastifyInstance } from 'fastify'
import type { ComputeApiDeps } from '../routing.js'
import type { ServerDeps } from './deps.js'

/** Registers the servers resource's routes. */
export function registerServerRoutes(
  _app: FastifyInstance,
  _deps: ComputeApiDeps,
  _servers: ServerDeps,
): void {}
