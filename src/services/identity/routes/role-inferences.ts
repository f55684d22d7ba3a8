import type { FastifyInstance } from 'fastify'
import { IdentityEntityNotFound } from '../../../common/errors/index.js'
import type { IdentityDeps } from '../identity-deps.js'
import { authorize, bodyObject, optionalString } from '../request-auth.js'
import { roleView } from '../views.js'

/** Role implications (GET/HEAD/DELETE /v3/roles/{prior}/implies[/{implied}], /v3/role_inferences) and role updates. */
export function registerRoleInferenceRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = deps.settings.publicUrl
  const { roles } = deps
  type P = { prior: string; implied: string; id: string }
  const brief = (r: { id: string; name: string }) => ({
    id: r.id,
    name: r.name,
    links: { self: `${base}/v3/roles/${r.id}` },
  })

  app.patch('/v3/roles/:id', async (request) => {
    authorize(request, 'identity:update_role')
    const r = bodyObject(request.body, 'role')
    const name = optionalString(r, 'name')
    const description = optionalString(r, 'description')
    const role = await roles.update((request.params as P).id, {
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
    })
    return { role: roleView(base, role) }
  })
  app.get('/v3/roles/:prior/implies', async (request) => {
    authorize(request, 'identity:list_implied_roles')
    const prior = await roles.get((request.params as P).prior)
    const implied = (await roles.listImplied()).filter((i) => i.priorId === prior.id).map((i) => i.impliedId)
    const list = await roles.list({ ids: implied })
    return {
      role_inference: { prior_role: brief(prior), implies: list.map(brief) },
      links: { self: `${base}/v3/roles/${prior.id}/implies` },
    }
  })
  const findRule = async (params: P) => {
    const prior = await roles.get(params.prior)
    const implied = await roles.get(params.implied)
    const exists = (await roles.listImplied()).some(
      (i) => i.priorId === prior.id && i.impliedId === implied.id,
    )
    if (!exists)
      throw new IdentityEntityNotFound({ entity: 'implied role', id: `${prior.id} implies ${implied.id}` })
    return { prior, implied }
  }
  app.get('/v3/roles/:prior/implies/:implied', async (request) => {
    authorize(request, 'identity:get_implied_role')
    const { prior, implied } = await findRule(request.params as P)
    return {
      role_inference: { prior_role: brief(prior), implies: brief(implied) },
      links: { self: `${base}/v3/roles/${prior.id}/implies/${implied.id}` },
    }
  })
  app.head('/v3/roles/:prior/implies/:implied', async (request, reply) => {
    authorize(request, 'identity:check_implied_role')
    await findRule(request.params as P)
    return reply.status(204).send()
  })
  app.delete('/v3/roles/:prior/implies/:implied', async (request, reply) => {
    authorize(request, 'identity:delete_implied_role')
    const { prior, implied } = await findRule(request.params as P)
    await roles.removeImplied(prior.id, implied.id)
    return reply.status(204).send()
  })
  app.get('/v3/role_inferences', async (request) => {
    authorize(request, 'identity:list_role_inference_rules')
    const rules = await roles.listImplied()
    const all = new Map((await roles.list()).map((r) => [r.id, r]))
    const priors = [...new Set(rules.map((r) => r.priorId))]
    return {
      role_inferences: priors.map((p) => ({
        prior_role: brief(all.get(p)!),
        implies: rules.filter((r) => r.priorId === p).map((r) => brief(all.get(r.impliedId)!)),
      })),
      links: { self: `${base}/v3/role_inferences` },
    }
  })
}
