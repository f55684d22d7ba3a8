import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { FlavorNotFound } from '../../../common/errors/index.js'
import { badRequest } from '../faults.js'
import { atLeast, requireVersion } from '../microversion.js'
import {
  authorize,
  callerOf,
  can,
  collectionLinks,
  pageOf,
  param,
  resourceLinks,
  type RequestSettings,
} from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import type { Flavor } from '../store/flavors.js'
import {
  booleanType,
  DESCRIPTION_PATTERN,
  MAX_INT,
  nameType,
  nonNegativeIntLike,
  positiveIntLike,
  toBool,
  validate,
  type Schema,
} from '../validation.js'

const MANAGE = 'os_compute_api:os-flavor-manage'
const EXTRA_SPECS_INDEX = 'os_compute_api:os-flavor-extra-specs:index'

const descriptionType: Schema = {
  type: ['string', 'null'],
  minLength: 0,
  maxLength: 65535,
  pattern: DESCRIPTION_PATTERN,
}

function createSchema(withDescription: boolean): Schema {
  return {
    type: 'object',
    properties: {
      flavor: {
        type: 'object',
        properties: {
          name: nameType,
          id: {
            type: ['string', 'number', 'null'],
            minLength: 1,
            maxLength: 255,
            pattern: '^(?! )[a-zA-Z0-9. _-]+(?<! )$',
          },
          ram: positiveIntLike,
          vcpus: positiveIntLike,
          disk: nonNegativeIntLike,
          'OS-FLV-EXT-DATA:ephemeral': nonNegativeIntLike,
          swap: nonNegativeIntLike,
          rxtx_factor: {
            type: ['number', 'string'],
            pattern: '^[0-9]+(\\.[0-9]+)?$',
            minimum: 0,
            exclusiveMinimum: true,
            maximum: 3.40282e38,
          },
          'os-flavor-access:is_public': booleanType,
          ...(withDescription ? { description: descriptionType } : {}),
        },
        required: ['name', 'ram', 'vcpus', 'disk'],
        additionalProperties: false,
      },
    },
    required: ['flavor'],
    additionalProperties: false,
  }
}

const UPDATE_SCHEMA: Schema = {
  type: 'object',
  properties: {
    flavor: {
      type: 'object',
      properties: { description: descriptionType },
      required: ['description'],
      additionalProperties: false,
    },
  },
  required: ['flavor'],
  additionalProperties: false,
}

const SORT_KEYS: Readonly<Record<string, (f: Flavor) => string | number | boolean | null>> = {
  created_at: (f) => f.createdAt?.getTime() ?? null,
  description: (f) => f.description,
  disabled: (f) => f.disabled,
  ephemeral_gb: (f) => f.ephemeralGb,
  flavorid: (f) => f.flavorid,
  id: (f) => f.id,
  is_public: (f) => f.isPublic,
  memory_mb: (f) => f.memoryMb,
  name: (f) => f.name,
  root_gb: (f) => f.rootGb,
  rxtx_factor: (f) => f.rxtxFactor,
  swap: (f) => f.swap,
  updated_at: (f) => f.updatedAt?.getTime() ?? null,
  vcpu_weight: (f) => f.vcpuWeight,
  vcpus: (f) => f.vcpus,
}

function compareValues(a: string | number | boolean | null, b: string | number | boolean | null): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  return a < b ? -1 : 1
}

/** Whether the caller may see the flavor at all (Nova's non-admin flavor query: public or shared with them). */
export function visibleTo(flavor: Flavor, request: FastifyRequest): boolean {
  const caller = callerOf(request)
  return caller.isAdmin || flavor.isPublic || flavor.projects.includes(caller.projectId)
}

/** `common.get_flavor`: the flavor when the caller may see it, else FlavorNotFound. */
export async function visibleFlavor(
  deps: ComputeApiDeps,
  request: FastifyRequest,
  flavorid: string,
): Promise<Flavor> {
  const flavor = await deps.flavors.get(flavorid)
  if (!visibleTo(flavor, request)) throw new FlavorNotFound({ flavorId: flavorid })
  return flavor
}

/** The detailed flavor view at the request's microversion (nova/api/openstack/compute/views/flavors.py). */
export function flavorDetail(
  request: FastifyRequest,
  settings: RequestSettings,
  flavor: Flavor,
  includeExtraSpecs: boolean,
): Record<string, unknown> {
  return {
    id: flavor.flavorid,
    name: flavor.name,
    ram: flavor.memoryMb,
    disk: flavor.rootGb,
    swap: atLeast(request, 75) ? flavor.swap : flavor.swap === 0 ? '' : flavor.swap,
    'OS-FLV-EXT-DATA:ephemeral': flavor.ephemeralGb,
    'OS-FLV-DISABLED:disabled': flavor.disabled,
    vcpus: flavor.vcpus,
    'os-flavor-access:is_public': flavor.isPublic,
    rxtx_factor: flavor.rxtxFactor,
    links: resourceLinks(request, settings, 'flavors', flavor.flavorid),
    ...(atLeast(request, 55) ? { description: flavor.description } : {}),
    ...(includeExtraSpecs ? { extra_specs: { ...flavor.extraSpecs } } : {}),
  }
}

function flavorBrief(
  request: FastifyRequest,
  settings: RequestSettings,
  flavor: Flavor,
): Record<string, unknown> {
  return {
    id: flavor.flavorid,
    name: flavor.name,
    links: resourceLinks(request, settings, 'flavors', flavor.flavorid),
    ...(atLeast(request, 55) ? { description: flavor.description } : {}),
  }
}

/** Whether flavor views carry `extra_specs`: from 2.61, when the caller may list extra specs. */
const showExtraSpecs = (request: FastifyRequest, settings: RequestSettings): boolean =>
  atLeast(request, 61) && can(request, settings, EXTRA_SPECS_INDEX)

/** `_parse_is_public`: absent → true, "none" → all, else a strict boolean or 400. */
function parseIsPublic(value: string | undefined): boolean | null {
  if (value === undefined) return true
  if (value.toLowerCase() === 'none') return null
  const lower = value.trim().toLowerCase()
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(lower)) return true
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(lower)) return false
  throw badRequest(`Invalid is_public filter [${value}]`)
}

function intFilter(request: FastifyRequest, key: 'minRam' | 'minDisk'): number | undefined {
  const raw = param(request, key)
  if (raw === undefined) return undefined
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) throw badRequest(`Invalid ${key} filter [${raw}]`)
  return Number(raw)
}

/** `_get_flavors`: the caller's flavors after Nova's filters, sorted and paged. */
async function listFlavors(request: FastifyRequest, deps: ComputeApiDeps): Promise<Flavor[]> {
  const caller = callerOf(request)
  const sortKey = param(request, 'sort_key') || 'flavorid'
  const sortDir = param(request, 'sort_dir') || 'asc'
  const keyOf = SORT_KEYS[sortKey]
  if (keyOf === undefined) throw badRequest(`Sort key supplied is invalid: ${sortKey}`)
  if (sortDir !== 'asc' && sortDir !== 'desc')
    throw badRequest(`Unknown sort direction, must be 'desc' or 'asc'`)
  const page = pageOf(request, deps.settings)
  const isPublic = caller.isAdmin ? parseIsPublic(param(request, 'is_public')) : true
  const minRam = intFilter(request, 'minRam')
  const minDisk = intFilter(request, 'minDisk')
  const all = await deps.flavors.all()
  const filtered = all.filter(
    (f) =>
      (isPublic === null || f.isPublic === isPublic || (isPublic && f.projects.includes(caller.projectId))) &&
      (caller.isAdmin || !f.disabled) &&
      (minRam === undefined || f.memoryMb >= minRam) &&
      (minDisk === undefined || f.rootGb >= minDisk),
  )
  const sign = sortDir === 'desc' ? -1 : 1
  const order = (a: Flavor, b: Flavor): number => sign * (compareValues(keyOf(a), keyOf(b)) || a.id - b.id)
  filtered.sort(order)
  let start = 0
  if (page.marker !== undefined) {
    const marker = all.find((f) => f.flavorid === page.marker && visibleTo(f, request))
    if (marker === undefined) throw badRequest(`marker [${page.marker}] not found`)
    start = filtered.findIndex((f) => order(f, marker) > 0)
    if (start < 0) start = filtered.length
  }
  return filtered.slice(start, start + page.limit)
}

/** A number from a validated int-like field (`"512"` or 512); 400 when out of Nova's range. */
function intValue(value: unknown, name: string, min: number): number {
  const n = typeof value === 'string' ? (value === '' ? NaN : Number(value)) : (value as number)
  if (!Number.isInteger(n)) throw badRequest(`Invalid input received: ${name} must be an integer`)
  if (n < min) throw badRequest(`Invalid input received: ${name} must be >= ${min}`)
  if (n > MAX_INT) throw badRequest(`Invalid input received: ${name} must be <= ${MAX_INT}`)
  return n
}

export function registerFlavorRoutes(app: FastifyInstance, deps: ComputeApiDeps): void {
  const { settings } = deps

  const list = (detail: boolean) => async (request: FastifyRequest) => {
    const flavors = await listFlavors(request, deps)
    const withSpecs = detail && showExtraSpecs(request, settings)
    const page = pageOf(request, settings)
    const links = collectionLinks(
      request,
      settings,
      flavors,
      page,
      detail ? 'flavors/detail' : 'flavors',
      flavors.at(-1)?.flavorid,
    )
    return {
      flavors: flavors.map((f) =>
        detail ? flavorDetail(request, settings, f, withSpecs) : flavorBrief(request, settings, f),
      ),
      ...(links === undefined ? {} : { flavors_links: links }),
    }
  }
  route(app, 'GET', '/flavors', list(false))
  route(app, 'GET', '/flavors/detail', list(true))

  route(app, 'GET', '/flavors/:id', async (request) => {
    const { id } = request.params as { id: string }
    const flavor = await visibleFlavor(deps, request, id)
    return { flavor: flavorDetail(request, settings, flavor, showExtraSpecs(request, settings)) }
  })

  route(app, 'POST', '/flavors', async (request) => {
    validate(createSchema(atLeast(request, 55)), request.body)
    authorize(request, settings, `${MANAGE}:create`, {})
    const body = (request.body as { flavor: Record<string, unknown> }).flavor
    const given = body.id
    const flavorid = given === undefined || given === null || given === '' ? randomUUID() : String(given)
    const rxtx = body.rxtx_factor === undefined ? 1 : Number(body.rxtx_factor)
    if (!(rxtx > 0 && rxtx <= 3.40282e38))
      throw badRequest(
        `Invalid input received: 'rxtx_factor' argument must be a float between 0 and 3.40282e+38`,
      )
    const flavor = await deps.flavors.create({
      flavorid,
      name: String(body.name).trim(),
      memoryMb: intValue(body.ram, 'memory_mb', 1),
      vcpus: intValue(body.vcpus, 'vcpus', 1),
      rootGb: intValue(body.disk, 'root_gb', 0),
      ephemeralGb: intValue(body['OS-FLV-EXT-DATA:ephemeral'] ?? 0, 'ephemeral_gb', 0),
      swap: intValue(body.swap ?? 0, 'swap', 0),
      rxtxFactor: rxtx,
      isPublic:
        body['os-flavor-access:is_public'] === undefined ? true : toBool(body['os-flavor-access:is_public']),
      description: atLeast(request, 55) ? ((body.description as string | null | undefined) ?? null) : null,
    })
    return { flavor: flavorDetail(request, settings, flavor, showExtraSpecs(request, settings)) }
  })

  route(app, 'PUT', '/flavors/:id', async (request) => {
    requireVersion(request, 55)
    validate(UPDATE_SCHEMA, request.body)
    authorize(request, settings, `${MANAGE}:update`, {})
    const { id } = request.params as { id: string }
    const description = (request.body as { flavor: { description: string | null } }).flavor.description
    const flavor = await deps.flavors.updateDescription(id, description)
    return { flavor: flavorDetail(request, settings, flavor, showExtraSpecs(request, settings)) }
  })

  route(app, 'DELETE', '/flavors/:id', async (request, reply) => {
    authorize(request, settings, `${MANAGE}:delete`, {})
    const { id } = request.params as { id: string }
    await deps.flavors.delete(id)
    return reply.status(202).send()
  })
}
