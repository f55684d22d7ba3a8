import type { FastifyInstance, FastifyRequest } from 'fastify'
import { FlavorExtraSpecsNotFound } from '../../../common/errors/index.js'
import { extraSpecProblem } from '../extra-specs.js'
import { badRequest } from '../faults.js'
import { atLeast } from '../microversion.js'
import { authorize } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import { pyRepr, validate, type Schema } from '../validation.js'
import { visibleFlavor } from './flavors.js'

const POLICY = 'os_compute_api:os-flavor-extra-specs'
const KEY_PATTERN = '^[a-zA-Z0-9-_:. ]{1,255}$'
const VALUE: Schema = { type: ['string', 'number', 'boolean'], maxLength: 255 }
const SPECS: Schema = {
  type: 'object',
  patternProperties: { [KEY_PATTERN]: VALUE },
  additionalProperties: false,
}
const CREATE_SCHEMA: Schema = {
  type: 'object',
  properties: { extra_specs: SPECS },
  required: ['extra_specs'],
  additionalProperties: false,
}
const UPDATE_SCHEMA: Schema = { ...SPECS, minProperties: 1, maxProperties: 1 }

/** The value as Nova stores it: Python's `str()` of the JSON value. */
const asStored = (value: unknown): string =>
  value === true ? 'True' : value === false ? 'False' : typeof value === 'string' ? value : pyRepr(value)

/**
 * `_check_extra_specs_value` (numbers at most 255 characters) and, from 2.86, Nova's validators of known
 * namespaces; 400 with the validator's reason.
 */
function checkSpecs(request: FastifyRequest, specs: Record<string, unknown>): Record<string, string> {
  const stored: Record<string, string> = {}
  for (const [key, value] of Object.entries(specs)) {
    const text = asStored(value)
    if (typeof value === 'number' && text.length > 255)
      throw badRequest('Invalid input received: extra_specs value has a length greater than 255.')
    if (atLeast(request, 86)) {
      const problem = extraSpecProblem(key, text)
      if (problem !== undefined) throw badRequest(problem)
    }
    stored[key] = text
  }
  return stored
}

/** `/flavors/{flavor_id}/os-extra_specs[/{key}]`. */
export function registerExtraSpecRoutes(app: FastifyInstance, deps: ComputeApiDeps): void {
  const { settings } = deps
  const base = '/flavors/:flavor_id/os-extra_specs'
  const flavorOf = (request: FastifyRequest) =>
    visibleFlavor(deps, request, (request.params as { flavor_id: string }).flavor_id)

  route(app, 'GET', base, async (request) => {
    authorize(request, settings, `${POLICY}:index`)
    const flavor = await flavorOf(request)
    return { extra_specs: { ...flavor.extraSpecs } }
  })

  route(app, 'POST', base, async (request) => {
    validate(CREATE_SCHEMA, request.body)
    authorize(request, settings, `${POLICY}:create`)
    const body = request.body as { extra_specs: Record<string, unknown> }
    const stored = checkSpecs(request, body.extra_specs)
    const flavor = await flavorOf(request)
    await deps.flavors.setExtraSpecs(flavor, stored)
    return body
  })

  route(app, 'GET', `${base}/:key`, async (request) => {
    authorize(request, settings, `${POLICY}:show`)
    const flavor = await flavorOf(request)
    const { key, flavor_id: flavorId } = request.params as { key: string; flavor_id: string }
    if (!Object.hasOwn(flavor.extraSpecs, key)) throw new FlavorExtraSpecsNotFound({ flavorId, key })
    return { [key]: flavor.extraSpecs[key] }
  })

  route(app, 'PUT', `${base}/:key`, async (request) => {
    validate(UPDATE_SCHEMA, request.body)
    authorize(request, settings, `${POLICY}:update`)
    const body = request.body as Record<string, unknown>
    const { key } = request.params as { key: string }
    if (!Object.hasOwn(body, key)) throw badRequest('Request body and URI mismatch')
    const stored = checkSpecs(request, body)
    const flavor = await flavorOf(request)
    await deps.flavors.setExtraSpecs(flavor, stored)
    return body
  })

  route(app, 'DELETE', `${base}/:key`, async (request, reply) => {
    authorize(request, settings, `${POLICY}:delete`)
    const flavor = await flavorOf(request)
    await deps.flavors.deleteExtraSpec(flavor, (request.params as { key: string }).key)
    return reply.status(200).send()
  })
}
