import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import type { RequestSettings } from './request.js'
import type { FlavorStore } from './store/flavors.js'
import type { KeyPairStore } from './store/keypairs.js'

/** What the resource routes use: the stores and the request settings. */
export interface ComputeApiDeps {
  readonly flavors: FlavorStore
  readonly keypairs: KeyPairStore
  readonly settings: RequestSettings & {
    /** `[quota] key_pairs` (-1: unlimited). */
    readonly keypairQuota: number
  }
}

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>

/** The mounts the API answers under: v2.1, and the legacy v2.0 (same controllers, no microversions). */
const MOUNTS = ['/v2.1', '/v2'] as const

/**
 * Registers one API route the way Nova's router does: under each mount, with and without a leading
 * `/{project_id}` (optional since 2.18).
 */
export function route(app: FastifyInstance, method: HTTPMethods, path: string, handler: Handler): void {
  for (const mount of MOUNTS)
    for (const prefix of [mount, `${mount}/:project_id`])
      app.route({ method, url: `${prefix}${path}`, handler })
}
