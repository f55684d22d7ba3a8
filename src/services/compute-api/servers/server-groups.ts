import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Database } from '../../../db/index.js'
import type { UntypedKysely } from '../../../db/untyped.js'
import type { InstanceGroupSpec } from '../../scheduler/client.js'
import { ApiFault, badRequest } from '../faults.js'
import { atLeast } from '../microversion.js'
import { authorize, type RequestSettings } from '../request.js'
import { route } from '../routing.js'
import { nameType, validate } from '../validation.js'
import type { ServerDeps } from './deps.js'

const POLICIES = ['affinity', 'anti-affinity']
const SOFT_POLICIES = ['soft-affinity', 'soft-anti-affinity']

interface GroupRow {
  id: number
  uuid: string
  name: string | null
  user_id: string | null
  project_id: string | null
  policy: string
  rules: Record<string, number>
  members: string[]
}

/** Server groups with their policy and members (three queries). */
async function loadGroups(
  apiDb: Database<unknown>,
  filter: { uuid?: string; projectId?: string },
): Promise<GroupRow[]> {
  const k = apiDb.kysely as UntypedKysely
  let q = k.selectFrom('instance_groups').selectAll().orderBy('id')
  if (filter.uuid !== undefined) q = q.where('uuid', '=', filter.uuid)
  if (filter.projectId !== undefined) q = q.where('project_id', '=', filter.projectId)
  const groups = (await q.execute()) as Record<string, unknown>[]
  if (groups.length === 0) return []
  const ids = groups.map((g) => Number(g.id))
  const [policies, members] = await Promise.all([
    k.selectFrom('instance_group_policy').selectAll().where('group_id', 'in', ids).execute(),
    k.selectFrom('instance_group_member').selectAll().where('group_id', 'in', ids).orderBy('id').execute(),
  ])
  return groups.map((g) => {
    const id = Number(g.id)
    const policy = (policies as Record<string, unknown>[]).find((p) => Number(p.group_id) === id)
    return {
      id,
      uuid: String(g.uuid),
      name: (g.name as string | null) ?? null,
      user_id: (g.user_id as string | null) ?? null,
      project_id: (g.project_id as string | null) ?? null,
      policy: String(policy?.policy ?? ''),
      rules: typeof policy?.rules === 'string' && policy.rules !== '' ? JSON.parse(policy.rules) : {},
      members: (members as Record<string, unknown>[])
        .filter((m) => Number(m.group_id) === id)
        .map((m) => String(m.instance_uuid)),
    }
  })
}

/** The uuids of the server groups the instance belongs to (at most one in Nova): the 2.71 `server_groups`. */
export async function groupsOfInstance(apiDb: Database<unknown>, instanceUuid: string): Promise<string[]> {
  const k = apiDb.kysely as UntypedKysely
  const rows = (await k
    .selectFrom('instance_group_member')
    .innerJoin('instance_groups', 'instance_groups.id', 'instance_group_member.group_id')
    .select('instance_groups.uuid as uuid')
    .where('instance_group_member.instance_uuid', '=', instanceUuid)
    .execute()) as { uuid: string }[]
  return rows.map((r) => r.uuid)
}

/** Takes a server out of its group (on delete: the group's members and counts are of live servers). */
export async function removeGroupMember(apiDb: Database<unknown>, instanceUuid: string): Promise<void> {
  const k = apiDb.kysely as UntypedKysely
  await k.deleteFrom('instance_group_member').where('instance_uuid', '=', instanceUuid).execute()
}

/**
 * The group a boot names in its `group` scheduler hint, as the scheduler needs it (policy, rules, members and the
 * hosts they run on); 400 when the caller's project has no such group.
 */
export async function groupForScheduling(
  servers: ServerDeps,
  groupUuid: string,
  caller: { projectId: string; isAdmin: boolean },
): Promise<{ id: number; spec: InstanceGroupSpec }> {
  const [group] = await loadGroups(servers.apiDb, { uuid: groupUuid })
  if (group === undefined || (!caller.isAdmin && group.project_id !== caller.projectId))
    throw badRequest(
      `Invalid input for field/attribute group. Value: ${groupUuid}. Instance group ${groupUuid} could not be found.`,
    )
  const members = group.members.length === 0 ? [] : await servers.instances.list({ uuids: group.members })
  const hosts = [...new Set(members.map((m) => m.host).filter((h): h is string => h !== null))]
  return {
    id: group.id,
    spec: {
      uuid: group.uuid,
      policy: group.policy as InstanceGroupSpec['policy'],
      rules: group.rules,
      hosts,
      members: members.map((m) => m.uuid),
    },
  }
}

/** Records new instances as members of a group (Nova adds them when the boot is accepted). */
export async function addGroupMembers(
  servers: ServerDeps,
  groupId: number,
  uuids: readonly string[],
): Promise<void> {
  if (uuids.length === 0) return
  const now = servers.apiDb.differences.toDbDate(new Date())
  await (servers.apiDb.kysely as UntypedKysely)
    .insertInto('instance_group_member')
    .values(
      uuids.map((instance_uuid) => ({ group_id: groupId, instance_uuid, created_at: now, updated_at: now })),
    )
    .execute()
}

/** os-server-groups: list (all_projects for admins), create (policies before 2.64, policy + rules from it), show, delete. */
export function registerServerGroupRoutes(
  app: FastifyInstance,
  settings: RequestSettings,
  servers: ServerDeps,
): void {
  const k = servers.apiDb.kysely as UntypedKysely
  const d = servers.apiDb.differences
  const now = () => d.toDbDate(new Date())

  const load = (filter: { uuid?: string; projectId?: string }) => loadGroups(servers.apiDb, filter)

  const view = (request: FastifyRequest, g: GroupRow) => ({
    id: g.uuid,
    name: g.name,
    ...(atLeast(request, 64) ? { policy: g.policy, rules: g.rules } : { policies: [g.policy], metadata: {} }),
    members: g.members,
    ...(atLeast(request, 13) ? { project_id: g.project_id, user_id: g.user_id } : {}),
  })

  const visible = async (request: FastifyRequest, id: string): Promise<GroupRow> => {
    const caller = authorize(request, settings, 'os_compute_api:os-server-groups:show')
    const [group] = await load({ uuid: id })
    if (group === undefined || (!caller.isAdmin && group.project_id !== caller.projectId))
      throw new ApiFault(404, `Instance group ${id} could not be found.`)
    return group
  }

  route(app, 'GET', '/os-server-groups', async (request) => {
    const caller = authorize(request, settings, 'os_compute_api:os-server-groups:index')
    const query = (request.query ?? {}) as Record<string, string>
    const all =
      caller.isAdmin && ['true', '1', 'yes'].includes(String(query.all_projects ?? '').toLowerCase())
    let groups = await load(all ? {} : { projectId: caller.projectId })
    const offset = Number(query.offset ?? 0)
    const limit =
      query.limit === undefined ? settings.maxLimit : Math.min(Number(query.limit), settings.maxLimit)
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 0)
      throw badRequest('limit and offset must be non-negative integers')
    groups = groups.slice(offset, offset + limit)
    return { server_groups: groups.map((g) => view(request, g)) }
  })

  route(app, 'GET', '/os-server-groups/:group_id', async (request) => ({
    server_group: view(request, await visible(request, (request.params as { group_id: string }).group_id)),
  }))

  route(app, 'DELETE', '/os-server-groups/:group_id', async (request, reply) => {
    authorize(request, settings, 'os_compute_api:os-server-groups:delete')
    const group = await visible(request, (request.params as { group_id: string }).group_id)
    for (const table of ['instance_group_member', 'instance_group_policy'])
      await k.deleteFrom(table).where('group_id', '=', group.id).execute()
    await k.deleteFrom('instance_groups').where('id', '=', group.id).execute()
    reply.code(204)
    return ''
  })

  route(app, 'POST', '/os-server-groups', async (request) => {
    const caller = authorize(request, settings, 'os_compute_api:os-server-groups:create')
    const allowed = [...POLICIES, ...(atLeast(request, 15) ? SOFT_POLICIES : [])]
    validate(
      {
        type: 'object',
        properties: {
          server_group: {
            type: 'object',
            properties: {
              name: nameType,
              ...(atLeast(request, 64)
                ? {
                    policy: { type: 'string', enum: allowed },
                    rules: {
                      type: 'object',
                      properties: {
                        max_server_per_host: { type: ['integer', 'string'], pattern: '^[0-9]+$' },
                      },
                      additionalProperties: false,
                    },
                  }
                : { policies: { type: 'array' } }),
            },
            required: ['name', atLeast(request, 64) ? 'policy' : 'policies'],
            additionalProperties: false,
          },
        },
        required: ['server_group'],
        additionalProperties: false,
      },
      request.body,
    )
    const body = (request.body as { server_group: Record<string, unknown> }).server_group
    let policy: string
    const rules: Record<string, number> = {}
    if (atLeast(request, 64)) {
      policy = String(body.policy)
      const max = (body.rules as Record<string, unknown> | undefined)?.max_server_per_host
      if (max !== undefined) {
        if (policy !== 'anti-affinity')
          throw badRequest('Only anti-affinity policy supports "max_server_per_host" rule.')
        const n = Number(max)
        if (!Number.isInteger(n) || n < 1) throw badRequest('max_server_per_host must be a positive integer')
        rules.max_server_per_host = n
      }
    } else {
      const list = body.policies as unknown[]
      if (list.length !== 1 || typeof list[0] !== 'string' || !allowed.includes(list[0]))
        throw badRequest(`Invalid input for field/attribute policies. Value: ${JSON.stringify(list)}.`)
      policy = list[0]
    }
    const limit = servers.serverGroupQuota
    if (limit !== undefined && limit >= 0) {
      const used = (await load({ projectId: caller.projectId })).length
      if (used + 1 > limit) throw new ApiFault(403, 'Quota exceeded, too many server groups.')
    }
    const uuid = randomUUID()
    await k
      .insertInto('instance_groups')
      .values({
        uuid,
        name: body.name as string,
        user_id: caller.userId,
        project_id: caller.projectId,
        created_at: now(),
        updated_at: now(),
      })
      .execute()
    const [row] = await load({ uuid })
    await k
      .insertInto('instance_group_policy')
      .values({
        group_id: row!.id,
        policy,
        rules: JSON.stringify(rules),
        created_at: now(),
        updated_at: now(),
      })
      .execute()
    const [group] = await load({ uuid })
    return { server_group: view(request, group!) }
  })
}
