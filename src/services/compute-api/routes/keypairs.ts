import type { FastifyInstance, FastifyRequest } from 'fastify'
import { InvalidKeypair, KeypairLimitExceeded } from '../../../common/errors/index.js'
import { badRequest } from '../faults.js'
import { generateSshKeyPair, sshFingerprint, x509Fingerprint } from '../keys.js'
import { atLeast } from '../microversion.js'
import { authorize, callerOf, collectionLinks, pageOf, param } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import type { KeyPair } from '../store/keypairs.js'
import { nameType, validate, type Schema } from '../validation.js'
import { generateX509KeyPair } from '../x509.js'

const POLICY = 'os_compute_api:os-keypairs'

/** The create schema of the request's microversion (schemas/keypairs.py). */
function createSchema(request: FastifyRequest): Schema {
  const properties: Record<string, Schema> = { name: nameType, public_key: { type: 'string' } }
  if (atLeast(request, 2)) properties.type = { type: 'string', enum: ['ssh', 'x509'] }
  if (atLeast(request, 10)) properties.user_id = { type: 'string' }
  if (atLeast(request, 92))
    properties.name = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9 @._-]+$' }
  return {
    type: 'object',
    properties: {
      keypair: {
        type: 'object',
        properties,
        required: atLeast(request, 92) ? ['name', 'public_key'] : ['name'],
        additionalProperties: false,
      },
    },
    required: ['keypair'],
    additionalProperties: false,
  }
}

/** Nova's datetime in API bodies: ISO-8601 with microseconds, no zone. */
const isoTime = (date: Date | undefined): string | null =>
  date === undefined
    ? null
    : date
        .toISOString()
        .replace('Z', '000')
        .replace(/\.(\d{6})\d*$/, '.$1')

/** The user whose key pairs the request names: `user_id` (from 2.10; admins by policy), else the caller. */
function userOf(request: FastifyRequest): string {
  const asked = atLeast(request, 10) ? param(request, 'user_id') : undefined
  return asked ?? callerOf(request).userId
}

export function registerKeypairRoutes(app: FastifyInstance, deps: ComputeApiDeps): void {
  const { settings } = deps
  const target = (request: FastifyRequest, userId: string) => ({
    user_id: userId,
    project_id: callerOf(request).projectId,
  })
  const brief = (request: FastifyRequest, k: KeyPair) => ({
    name: k.name,
    public_key: k.publicKey,
    fingerprint: k.fingerprint,
    ...(atLeast(request, 2) ? { type: k.type } : {}),
  })

  route(app, 'GET', '/os-keypairs', async (request) => {
    const userId = userOf(request)
    authorize(request, settings, `${POLICY}:index`, target(request, userId))
    let keypairs = await deps.keypairs.list(userId)
    if (!atLeast(request, 35)) return { keypairs: keypairs.map((k) => ({ keypair: brief(request, k) })) }
    const page = pageOf(request, settings)
    if (page.marker !== undefined) {
      const at = keypairs.findIndex((k) => k.name === page.marker)
      if (at < 0) throw badRequest(`Marker ${page.marker} could not be found.`)
      keypairs = keypairs.slice(at + 1)
    }
    keypairs = keypairs.slice(0, page.limit)
    const links = collectionLinks(request, settings, keypairs, page, 'os-keypairs', keypairs.at(-1)?.name)
    return {
      keypairs: keypairs.map((k) => ({ keypair: brief(request, k) })),
      ...(links === undefined ? {} : { keypairs_links: links }),
    }
  })

  route(app, 'POST', '/os-keypairs', async (request, reply) => {
    validate(createSchema(request), request.body)
    const body = (request.body as { keypair: Record<string, string | undefined> }).keypair
    const userId = (atLeast(request, 10) ? body.user_id : undefined) ?? callerOf(request).userId
    authorize(request, settings, `${POLICY}:create`, target(request, userId))
    const name = body.name!
    const type = body.type === 'x509' ? 'x509' : 'ssh'
    const safe = atLeast(request, 92) ? /^[A-Za-z0-9 _@.-]+$/ : /^[A-Za-z0-9 _-]+$/
    if (!safe.test(name)) throw new InvalidKeypair({ reason: 'Keypair name contains unsafe characters' })
    const quota = settings.keypairQuota
    if (quota >= 0 && (await deps.keypairs.count(userId)) >= quota)
      throw new KeypairLimitExceeded({ limit: quota })

    let publicKey = body.public_key
    let privateKey: string | undefined
    let fingerprint: string
    if (publicKey !== undefined) {
      fingerprint = type === 'x509' ? x509Fingerprint(publicKey) : sshFingerprint(publicKey)
    } else {
      const generated =
        type === 'x509'
          ? await generateX509KeyPair(userId, callerOf(request).projectId)
          : await generateSshKeyPair()
      publicKey = generated.publicKey
      privateKey = generated.privateKey
      fingerprint = generated.fingerprint
    }
    const keypair = await deps.keypairs.create({ name, userId, fingerprint, publicKey, type })
    reply.status(atLeast(request, 2) ? 201 : 200)
    return {
      keypair: {
        ...brief(request, keypair),
        user_id: keypair.userId,
        ...(privateKey === undefined ? {} : { private_key: privateKey }),
      },
    }
  })

  route(app, 'GET', '/os-keypairs/:name', async (request) => {
    const userId = userOf(request)
    authorize(request, settings, `${POLICY}:show`, target(request, userId))
    const k = await deps.keypairs.get(userId, (request.params as { name: string }).name)
    return {
      keypair: {
        ...brief(request, k),
        user_id: k.userId,
        created_at: isoTime(k.createdAt),
        deleted: false,
        deleted_at: null,
        id: k.id,
        updated_at: isoTime(k.updatedAt),
      },
    }
  })

  route(app, 'DELETE', '/os-keypairs/:name', async (request, reply) => {
    const userId = userOf(request)
    authorize(request, settings, `${POLICY}:delete`, target(request, userId))
    await deps.keypairs.delete(userId, (request.params as { name: string }).name)
    return reply.status(atLeast(request, 2) ? 204 : 202).send()
  })
}
