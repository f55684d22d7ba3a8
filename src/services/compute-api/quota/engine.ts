import type { Database, UntypedExecutor, UntypedKysely } from '../../../db/index.js'

/** Every quota resource of os-quota-sets, in Nova's order. */
export const QUOTA_RESOURCES = [
  'instances',
  'cores',
  'ram',
  'floating_ips',
  'fixed_ips',
  'metadata_items',
  'injected_files',
  'injected_file_content_bytes',
  'injected_file_path_bytes',
  'key_pairs',
  'security_groups',
  'security_group_rules',
  'server_groups',
  'server_group_members',
] as const

/** Where limits and usage are read: the API database (limits), the cell database (instances), `[quota]`. */
export interface QuotaSources {
  readonly apiDb: Database<unknown>
  readonly mainDb: Database<unknown>
  /** `[quota]` defaults by quota resource name (see quotaDefaultsOf). */
  readonly defaults: Readonly<Record<string, number>>
}

/** Instances, cores and ram in use by a project (or one of its users). */
export interface InstanceUsage {
  readonly instances: number
  readonly cores: number
  readonly ram: number
}

type LimitRow = { resource: string; hard_limit: number | null }

/**
 * Nova's DbQuotaDriver over the API database: limits by user → project → class `default` → `[quota]`; usage
 * counted from the cell database (instances, cores, ram) and the API database (key pairs, server groups).
 * Reads take an executor so a caller inside a transaction reads through it (SQLite has one connection).
 */
export class QuotaEngine {
  readonly #sources: QuotaSources
  constructor(sources: QuotaSources) {
    this.#sources = sources
  }
  get #api(): UntypedKysely {
    return this.#sources.apiDb.kysely as UntypedKysely
  }

  /** Config defaults overridden by the quota class (network quotas: -1, Neutron enforces them). */
  async classLimits(className = 'default', k: UntypedExecutor = this.#api): Promise<Record<string, number>> {
    const limits: Record<string, number> = Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, -1]))
    Object.assign(limits, this.#sources.defaults)
    const rows = (await k
      .selectFrom('quota_classes')
      .select(['resource', 'hard_limit'])
      .where('class_name', '=', className)
      .execute()) as LimitRow[]
    for (const r of rows) if (r.hard_limit !== null) limits[r.resource] = Number(r.hard_limit)
    return limits
  }

  async projectLimits(projectId: string, k: UntypedExecutor = this.#api): Promise<Record<string, number>> {
    const limits = await this.classLimits('default', k)
    const rows = (await k
      .selectFrom('quotas')
      .select(['resource', 'hard_limit'])
      .where('project_id', '=', projectId)
      .execute()) as LimitRow[]
    for (const r of rows) if (r.hard_limit !== null) limits[r.resource] = Number(r.hard_limit)
    return limits
  }

  /** The project's limits, overridden by the user's own ones when a user is given. */
  async limits(
    projectId: string,
    userId?: string,
    k: UntypedExecutor = this.#api,
  ): Promise<Record<string, number>> {
    const limits = await this.projectLimits(projectId, k)
    if (userId === undefined) return limits
    const rows = (await k
      .selectFrom('project_user_quotas')
      .select(['resource', 'hard_limit'])
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .execute()) as LimitRow[]
    for (const r of rows) if (r.hard_limit !== null) limits[r.resource] = Number(r.hard_limit)
    return limits
  }

  /**
   * Live (not deleted) instances of the project, or of one user in it, with their vcpus and memory; soft-deleted
   * ones do not count (Nova's not_soft_deleted: a restore checks the quota again).
   */
  async instanceUsage(projectId: string, userId?: string, api?: UntypedExecutor): Promise<InstanceUsage> {
    const main = this.#sources.mainDb.kysely as UntypedKysely
    let q = main
      .selectFrom('instances')
      .select((eb) => [
        eb.fn.countAll().as('n'),
        eb.fn.sum('vcpus').as('cores'),
        eb.fn.sum('memory_mb').as('ram'),
      ])
      .where('project_id', '=', projectId)
      .where('deleted', '=', 0)
      .where((eb) => eb.or([eb('vm_state', '!=', 'soft-delete'), eb('vm_state', 'is', null)]))
    if (userId !== undefined) q = q.where('user_id', '=', userId)
    const row = (await q.executeTakeFirst()) as { n: unknown; cores: unknown; ram: unknown } | undefined
    const usage = {
      instances: Number(row?.n ?? 0),
      cores: Number(row?.cores ?? 0),
      ram: Number(row?.ram ?? 0),
    }
    // Servers still only build requests (API database) count too, unless the conductor already made their
    // instance (it deletes the build request just after).
    const requests = (
      (await (api ?? this.#api)
        .selectFrom('build_requests')
        .select(['instance_uuid', 'instance'])
        .where('project_id', '=', projectId)
        .execute()) as { instance_uuid: string; instance: string }[]
    )
      .map((r): Record<string, unknown> & { uuid: string } => ({
        ...(JSON.parse(r.instance) as Record<string, unknown>),
        uuid: r.instance_uuid,
      }))
      .filter((r) => userId === undefined || r.user_id === userId)
    if (requests.length === 0) return usage
    const inCell = new Set(
      (
        (await main
          .selectFrom('instances')
          .select('uuid')
          .where(
            'uuid',
            'in',
            requests.map((r) => r.uuid),
          )
          .where('deleted', '=', 0)
          .execute()) as { uuid: string }[]
      ).map((r) => r.uuid),
    )
    for (const r of requests)
      if (!inCell.has(r.uuid)) {
        usage.instances += 1
        usage.cores += Number(r.vcpus ?? 0)
        usage.ram += Number(r.memory_mb ?? 0)
      }
    return usage
  }

  /** What is in use: instances, cores and ram of live instances; key pairs of the user; server groups. */
  async usage(
    projectId: string,
    userId: string | undefined,
    keypairUser: string,
  ): Promise<Record<string, number>> {
    const instances = await this.instanceUsage(projectId, userId)
    const keypairs = (await this.#api
      .selectFrom('key_pairs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('user_id', '=', keypairUser)
      .executeTakeFirst()) as { n: unknown } | undefined
    let g = this.#api
      .selectFrom('instance_groups')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('project_id', '=', projectId)
    if (userId !== undefined) g = g.where('user_id', '=', userId)
    const groups = (await g.executeTakeFirst()) as { n: unknown } | undefined
    const usage: Record<string, number> = Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, 0]))
    Object.assign(usage, instances)
    usage.key_pairs = Number(keypairs?.n ?? 0)
    usage.server_groups = Number(groups?.n ?? 0)
    return usage
  }

  async setLimit(
    table: 'quotas' | 'project_user_quotas' | 'quota_classes',
    keys: Record<string, string>,
    resource: string,
    limit: number,
  ): Promise<void> {
    let del = this.#api.deleteFrom(table).where('resource', '=', resource)
    for (const [column, value] of Object.entries(keys)) del = del.where(column, '=', value)
    await del.execute()
    await this.#api
      .insertInto(table)
      .values({
        ...keys,
        resource,
        hard_limit: limit,
        created_at: this.#sources.apiDb.differences.toDbDate(new Date()),
      })
      .execute()
  }

  async deleteLimits(projectId: string, userId?: string): Promise<void> {
    if (userId !== undefined) {
      await this.#api
        .deleteFrom('project_user_quotas')
        .where('project_id', '=', projectId)
        .where('user_id', '=', userId)
        .execute()
      return
    }
    await this.#api.deleteFrom('project_user_quotas').where('project_id', '=', projectId).execute()
    await this.#api.deleteFrom('quotas').where('project_id', '=', projectId).execute()
  }
}
