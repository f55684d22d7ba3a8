import type { FastifyInstance, FastifyRequest } from 'fastify'
import { badRequest } from '../faults.js'
import { atLeast } from '../microversion.js'
import { authorize, callerOf, param } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import { booleanType, MAX_INT, toBool, validate, type Schema } from '../validation.js'
import { QUOTA_RESOURCES, QuotaEngine } from '../quota/engine.js'
import { paramOf } from './common.js'
import type { AdminDeps } from './deps.js'

const NETWORK = ['fixed_ips', 'floating_ips', 'security_groups', 'security_group_rules']
const INJECTED = ['injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes']
const ALL: readonly string[] = QUOTA_RESOURCES

/** The resources os-quota-sets shows at the request's microversion (network ones < 2.36, injected ones < 2.57). */
function setResources(request: FastifyRequest): string[] {
  return ALL.filter(
    (r) => !(atLeast(request, 36) && NETWORK.includes(r)) && !(atLeast(request, 57) && INJECTED.includes(r)),
  )
}

/** os-quota-class-sets: server group quotas from 2.50 (network ones gone then), injected ones < 2.57. */
function classResources(request: FastifyRequest): string[] {
  return ALL.filter((r) => {
    if (atLeast(request, 57) && INJECTED.includes(r)) return false
    if (atLeast(request, 50)) return !NETWORK.includes(r)
    return !['server_groups', 'server_group_members'].includes(r)
  })
}

const limitType: Schema = {
  type: ['integer', 'string'],
  pattern: '^-?[0-9]+$',
  minimum: -1,
  maximum: MAX_INT,
}
const updateSchema = (key: string, resources: string[], withForce: boolean): Schema => ({
  type: 'object',
  properties: {
    [key]: {
      type: 'object',
      properties: {
        ...Object.fromEntries(resources.map((r) => [r, limitType])),
        ...(withForce ? { force: booleanType } : {}),
      },
      additionalProperties: false,
    },
  },
  required: [key],
  additionalProperties: false,
})

const pick = (values: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(keys.map((k) => [k, values[k]]))

export function registerQuotaRoutes(app: FastifyInstance, deps: ComputeApiDeps, admin: AdminDeps): void {
  const { settings } = deps
  const engine = new QuotaEngine({
    apiDb: admin.apiDb,
    mainDb: admin.mainDb,
    defaults: admin.settings.quotaDefaults,
  })
  const SETS = 'os_compute_api:os-quota-sets'
  const CLASSES = 'os_compute_api:os-quota-class-sets'

  const userParam = (request: FastifyRequest): string | undefined => param(request, 'user_id')

  route(app, 'GET', '/os-quota-sets/:id', async (request) => {
    const id = paramOf(request, 'id')
    const userId = userParam(request)
    authorize(request, settings, `${SETS}:show`, {
      project_id: id,
      user_id: userId ?? callerOf(request).userId,
    })
    const limits = await engine.limits(id, userId)
    return { quota_set: { id, ...pick(limits, setResources(request)) } }
  })

  route(app, 'GET', '/os-quota-sets/:id/detail', async (request) => {
    const id = paramOf(request, 'id')
    const userId = userParam(request)
    authorize(request, settings, `${SETS}:detail`, {
      project_id: id,
      user_id: userId ?? callerOf(request).userId,
    })
    const limits = await engine.limits(id, userId)
    const usage = await engine.usage(id, userId, userId ?? callerOf(request).userId)
    return {
      quota_set: {
        id,
        ...Object.fromEntries(
          setResources(request).map((r) => [r, { limit: limits[r], in_use: usage[r], reserved: 0 }]),
        ),
      },
    }
  })

  route(app, 'GET', '/os-quota-sets/:id/defaults', async (request) => {
    const id = paramOf(request, 'id')
    authorize(request, settings, `${SETS}:defaults`, { project_id: id })
    return { quota_set: { id, ...pick(await engine.classLimits(), setResources(request)) } }
  })

  route(app, 'PUT', '/os-quota-sets/:id', async (request) => {
    const id = paramOf(request, 'id')
    const userId = userParam(request)
    authorize(request, settings, `${SETS}:update`, { project_id: id })
    const resources = setResources(request)
    validate(updateSchema('quota_set', resources, true), request.body)
    const body = (request.body as { quota_set: Record<string, unknown> }).quota_set
    const force = body.force !== undefined && toBool(body.force)
    const projectLimits = userId === undefined ? undefined : await engine.projectLimits(id)
    const usage = await engine.usage(id, userId, userId ?? callerOf(request).userId)
    const changes: [string, number][] = []
    for (const [resource, raw] of Object.entries(body)) {
      if (resource === 'force') continue
      const limit = Number(raw)
      if (!force && limit !== -1) {
        const used = usage[resource] ?? 0
        if (limit < used)
          throw badRequest(
            `Quota limit ${limit} for ${resource} must be greater than or equal to already used and reserved ${used}.`,
          )
        const max = projectLimits?.[resource]
        if (max !== undefined && max !== -1 && limit > max)
          throw badRequest(`Quota limit ${limit} for ${resource} must be less than or equal to ${max}.`)
      }
      changes.push([resource, limit])
    }
    for (const [resource, limit] of changes)
      if (userId === undefined) await engine.setLimit('quotas', { project_id: id }, resource, limit)
      else await engine.setLimit('project_user_quotas', { project_id: id, user_id: userId }, resource, limit)
    return { quota_set: pick(await engine.limits(id, userId), resources) }
  })

  route(app, 'DELETE', '/os-quota-sets/:id', async (request, reply) => {
    const id = paramOf(request, 'id')
    authorize(request, settings, `${SETS}:delete`, { project_id: id })
    await engine.deleteLimits(id, userParam(request))
    return reply.status(202).send()
  })

  route(app, 'GET', '/os-quota-class-sets/:id', async (request) => {
    const id = paramOf(request, 'id')
    authorize(request, settings, `${CLASSES}:show`, { quota_class: id })
    return { quota_class_set: { id, ...pick(await engine.classLimits(id), classResources(request)) } }
  })

  route(app, 'PUT', '/os-quota-class-sets/:id', async (request) => {
    const id = paramOf(request, 'id')
    authorize(request, settings, `${CLASSES}:update`, { quota_class: id })
    const resources = classResources(request)
    validate(updateSchema('quota_class_set', resources, false), request.body)
    const body = (request.body as { quota_class_set: Record<string, unknown> }).quota_class_set
    for (const [resource, raw] of Object.entries(body))
      await engine.setLimit('quota_classes', { class_name: id }, resource, Number(raw))
    return { quota_class_set: pick(await engine.classLimits(id), resources) }
  })

  route(app, 'GET', '/limits', async (request) => {
    const caller = authorize(request, settings, 'os_compute_api:limits')
    const asked = param(request, 'tenant_id')
    const projectId = asked ?? caller.projectId
    if (asked !== undefined && asked !== caller.projectId)
      authorize(request, settings, 'os_compute_api:limits:other_project', { project_id: asked })
    const limits = await engine.limits(projectId)
    const usage = await engine.usage(projectId, undefined, caller.userId)
    const absolute: Record<string, number> = {
      maxServerMeta: limits.metadata_items!,
      maxPersonality: limits.injected_files!,
      maxPersonalitySize: limits.injected_file_content_bytes!,
      maxImageMeta: limits.metadata_items!,
      maxTotalKeypairs: limits.key_pairs!,
      maxTotalInstances: limits.instances!,
      maxTotalCores: limits.cores!,
      maxTotalRAMSize: limits.ram!,
      maxServerGroups: limits.server_groups!,
      maxServerGroupMembers: limits.server_group_members!,
      maxTotalFloatingIps: limits.floating_ips!,
      maxSecurityGroups: limits.security_groups!,
      maxSecurityGroupRules: limits.security_group_rules!,
      totalRAMUsed: usage.ram!,
      totalCoresUsed: usage.cores!,
      totalInstancesUsed: usage.instances!,
      totalServerGroupsUsed: usage.server_groups!,
      totalFloatingIpsUsed: 0,
      totalSecurityGroupsUsed: 0,
    }
    const drop = [
      ...(atLeast(request, 36)
        ? [
            'maxTotalFloatingIps',
            'maxSecurityGroups',
            'maxSecurityGroupRules',
            'totalFloatingIpsUsed',
            'totalSecurityGroupsUsed',
          ]
        : []),
      ...(atLeast(request, 39) ? ['maxImageMeta'] : []),
      ...(atLeast(request, 57) ? ['maxPersonality', 'maxPersonalitySize'] : []),
    ]
    for (const key of drop) delete absolute[key]
    return { limits: { rate: [], absolute } }
  })
}
