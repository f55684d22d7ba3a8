import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { UntypedKysely } from '../../../db/index.js'
import { ApiFault, badRequest } from '../faults.js'
import { atLeast } from '../microversion.js'
import { authorize } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import { nameType, validate, type Schema } from '../validation.js'
import { isoTime, notFound, paramOf, tryPlacement } from './common.js'
import type { AdminDeps } from './deps.js'

const POLICY = 'os_compute_api:os-aggregates'
const AZ_KEY = 'availability_zone'

interface Aggregate {
  readonly id: number
  readonly uuid: string
  readonly name: string
  readonly hosts: string[]
  readonly metadata: Record<string, string>
  readonly createdAt: Date | undefined
  readonly updatedAt: Date | undefined
}

const azType: Schema = { type: ['string', 'null'], minLength: 1, maxLength: 255, format: 'name' }
const CREATE: Schema = {
  type: 'object',
  properties: {
    aggregate: {
      type: 'object',
      properties: { name: nameType, availability_zone: azType },
      required: ['name'],
      additionalProperties: false,
    },
  },
  required: ['aggregate'],
  additionalProperties: false,
}
const UPDATE: Schema = {
  type: 'object',
  properties: {
    aggregate: {
      type: 'object',
      properties: { name: nameType, availability_zone: azType },
      additionalProperties: false,
      minProperties: 1,
    },
  },
  required: ['aggregate'],
  additionalProperties: false,
}
const HOST_ACTION: Schema = {
  type: 'object',
  properties: { host: { type: 'string', minLength: 1, maxLength: 255 } },
  required: ['host'],
  additionalProperties: false,
}
const SET_METADATA: Schema = {
  type: 'object',
  properties: {
    metadata: {
      type: 'object',
      patternProperties: {
        '^[a-zA-Z0-9-_:. ]{1,255}$': { type: ['string', 'null'], maxLength: 255 },
      },
      additionalProperties: false,
    },
  },
  required: ['metadata'],
  additionalProperties: false,
}

/** The API database's host aggregates (aggregates, aggregate_hosts, aggregate_metadata). */
class AggregateStore {
  readonly #admin: AdminDeps
  constructor(admin: AdminDeps) {
    this.#admin = admin
  }
  get #k(): UntypedKysely {
    return this.#admin.apiDb.kysely as UntypedKysely
  }
  get #d() {
    return this.#admin.apiDb.differences
  }

  async list(): Promise<Aggregate[]> {
    const rows = (await this.#k.selectFrom('aggregates').selectAll().orderBy('id').execute()) as Record<
      string,
      unknown
    >[]
    const hosts = (await this.#k.selectFrom('aggregate_hosts').selectAll().orderBy('id').execute()) as {
      aggregate_id: number
      host: string
    }[]
    const meta = (await this.#k.selectFrom('aggregate_metadata').selectAll().orderBy('id').execute()) as {
      aggregate_id: number
      key: string
      value: string
    }[]
    return rows.map((r) => {
      const id = Number(r.id)
      return {
        id,
        uuid: String(r.uuid),
        name: String(r.name),
        hosts: hosts.filter((h) => Number(h.aggregate_id) === id).map((h) => h.host),
        metadata: Object.fromEntries(
          meta.filter((m) => Number(m.aggregate_id) === id).map((m) => [m.key, m.value]),
        ),
        createdAt: this.#d.fromDbDate(r.created_at),
        updatedAt: this.#d.fromDbDate(r.updated_at),
      }
    })
  }

  async get(id: string): Promise<Aggregate> {
    const found = /^\d+$/.test(id) ? (await this.list()).find((a) => a.id === Number(id)) : undefined
    if (found === undefined) throw notFound(`Aggregate ${id} could not be found.`)
    return found
  }

  async create(name: string): Promise<number> {
    try {
      await this.#k
        .insertInto('aggregates')
        .values({ uuid: randomUUID(), name, created_at: this.#d.toDbDate(new Date()) })
        .execute()
    } catch (error) {
      if (this.#d.isUniqueViolation(error)) throw new ApiFault(409, `Aggregate ${name} already exists.`)
      throw error
    }
    const row = (await this.#k
      .selectFrom('aggregates')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst()) as {
      id: number
    }
    return Number(row.id)
  }

  async rename(id: number, name: string): Promise<void> {
    try {
      await this.#k
        .updateTable('aggregates')
        .set({ name, updated_at: this.#d.toDbDate(new Date()) })
        .where('id', '=', id)
        .execute()
    } catch (error) {
      if (this.#d.isUniqueViolation(error)) throw new ApiFault(409, `Aggregate ${name} already exists.`)
      throw error
    }
  }

  async touch(id: number): Promise<void> {
    await this.#k
      .updateTable('aggregates')
      .set({ updated_at: this.#d.toDbDate(new Date()) })
      .where('id', '=', id)
      .execute()
  }

  /** Sets metadata keys; a null value removes the key. */
  async setMetadata(id: number, changes: Readonly<Record<string, string | null>>): Promise<void> {
    for (const [key, value] of Object.entries(changes)) {
      await this.#k
        .deleteFrom('aggregate_metadata')
        .where('aggregate_id', '=', id)
        .where('key', '=', key)
        .execute()
      if (value !== null)
        await this.#k
          .insertInto('aggregate_metadata')
          .values({ aggregate_id: id, key, value, created_at: this.#d.toDbDate(new Date()) })
          .execute()
    }
    await this.touch(id)
  }

  async addHost(id: number, host: string): Promise<void> {
    await this.#k
      .insertInto('aggregate_hosts')
      .values({ aggregate_id: id, host, created_at: this.#d.toDbDate(new Date()) })
      .execute()
  }

  async removeHost(id: number, host: string): Promise<void> {
    await this.#k
      .deleteFrom('aggregate_hosts')
      .where('aggregate_id', '=', id)
      .where('host', '=', host)
      .execute()
  }

  async delete(id: number): Promise<void> {
    await this.#k.deleteFrom('aggregate_metadata').where('aggregate_id', '=', id).execute()
    await this.#k.deleteFrom('aggregates').where('id', '=', id).execute()
  }
}

type AggregateAction = 'add' | 'update' | 'update-meta'
const refusal = (action: AggregateAction, id: number, reason: string): ApiFault =>
  badRequest(
    action === 'add'
      ? `Cannot add host to aggregate ${id}. Reason: ${reason}.`
      : action === 'update'
        ? `Cannot update aggregate ${id}. Reason: ${reason}.`
        : `Cannot update metadata of aggregate ${id}. Reason: ${reason}.`,
  )

export function registerAggregateRoutes(app: FastifyInstance, deps: ComputeApiDeps, admin: AdminDeps): void {
  const { settings } = deps
  const store = new AggregateStore(admin)

  const view = (request: FastifyRequest, a: Aggregate) => ({
    availability_zone: a.metadata[AZ_KEY] ?? null,
    created_at: isoTime(a.createdAt),
    deleted: false,
    deleted_at: null,
    hosts: a.hosts,
    id: a.id,
    metadata: a.metadata,
    name: a.name,
    updated_at: isoTime(a.updatedAt),
    ...(atLeast(request, 41) ? { uuid: a.uuid } : {}),
  })

  /**
   * Nova's `is_safe_to_update_az`: an empty zone name is refused, and so is a zone that would put a host of
   * `hosts` in two zones (another zone aggregate of the host names a different zone).
   */
  const checkZone = async (
    action: AggregateAction,
    aggregate: Aggregate,
    zone: string | null | undefined,
    hosts: readonly string[],
  ) => {
    if (zone === undefined || zone === null) return
    if (zone === '')
      throw refusal(
        action,
        aggregate.id,
        `Aggregate ${aggregate.name} does not support empty named availability zone`,
      )
    if (zone === admin.settings.internalAvailabilityZone)
      throw refusal(
        action,
        aggregate.id,
        `The availability zone ${zone} is the internal service availability zone`,
      )
    const others = (await store.list()).filter(
      (a) =>
        a.id !== aggregate.id &&
        a.metadata[AZ_KEY] !== undefined &&
        a.metadata[AZ_KEY] !== zone &&
        a.hosts.some((h) => hosts.includes(h)),
    )
    if (others.length > 0)
      throw refusal(
        action,
        aggregate.id,
        `One or more hosts already in availability zone(s) [${others.map((a) => `'${a.metadata[AZ_KEY]}'`).join(', ')}]`,
      )
  }

  /**
   * The placement side of a membership change (Nova's report client `aggregate_add_host`/`_remove_host`): the
   * host's compute node providers are put in exactly the placement aggregates whose uuids are the host
   * aggregates holding the host (PlacementClient replaces a provider's aggregate set; it has no read of it).
   */
  const mirror = async (host: string) => {
    const nodes = await admin.computeNodes.list({ host })
    const uuids = (await store.list()).filter((a) => a.hosts.includes(host)).map((a) => a.uuid)
    await tryPlacement(admin, `putting ${host} in its placement aggregates`, async (client) => {
      for (const node of nodes) await client.setAggregates(node.uuid, uuids)
    })
  }

  route(app, 'GET', '/os-aggregates', async (request) => {
    authorize(request, settings, `${POLICY}:index`)
    return { aggregates: (await store.list()).map((a) => view(request, a)) }
  })

  route(app, 'POST', '/os-aggregates', async (request) => {
    authorize(request, settings, `${POLICY}:create`)
    validate(CREATE, request.body)
    const { name, availability_zone: zone } = (
      request.body as { aggregate: { name: string; availability_zone?: string | null } }
    ).aggregate
    const id = await store.create(name.trim())
    if (zone !== undefined && zone !== null) {
      try {
        await checkZone('update', await store.get(String(id)), zone, [])
      } catch (error) {
        await store.delete(id)
        throw error
      }
      await store.setMetadata(id, { [AZ_KEY]: zone })
    }
    const a = await store.get(String(id))
    // Nova's create answers without hosts and metadata.
    const { hosts: _h, metadata: _m, ...rest } = view(request, a)
    return { aggregate: rest }
  })

  route(app, 'GET', '/os-aggregates/:id', async (request) => {
    authorize(request, settings, `${POLICY}:show`)
    return { aggregate: view(request, await store.get(paramOf(request, 'id'))) }
  })

  route(app, 'PUT', '/os-aggregates/:id', async (request) => {
    authorize(request, settings, `${POLICY}:update`)
    validate(UPDATE, request.body)
    const a = await store.get(paramOf(request, 'id'))
    const body = (request.body as { aggregate: { name?: string; availability_zone?: string | null } })
      .aggregate
    if ('availability_zone' in body) await checkZone('update', a, body.availability_zone, a.hosts)
    if (body.name !== undefined) await store.rename(a.id, body.name.trim())
    if ('availability_zone' in body)
      await store.setMetadata(a.id, { [AZ_KEY]: body.availability_zone ?? null })
    return { aggregate: view(request, await store.get(String(a.id))) }
  })

  route(app, 'DELETE', '/os-aggregates/:id', async (request, reply) => {
    authorize(request, settings, `${POLICY}:delete`)
    const a = await store.get(paramOf(request, 'id'))
    if (a.hosts.length > 0)
      throw badRequest(`Cannot remove host from aggregate ${a.id}. Reason: Host aggregate is not empty.`)
    await store.delete(a.id)
    // Nova answers 200 with no body at all.
    return reply.code(200).send()
  })

  route(app, 'POST', '/os-aggregates/:id/action', async (request) => {
    const body = request.body
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length !== 1)
      throw badRequest('Malformed request body')
    const [action, args] = Object.entries(body)[0]!
    if (!['add_host', 'remove_host', 'set_metadata'].includes(action))
      throw badRequest(`There is no such action: ${action}`)
    authorize(request, settings, `${POLICY}:${action}`)
    validate(action === 'set_metadata' ? SET_METADATA : HOST_ACTION, args)
    const a = await store.get(paramOf(request, 'id'))
    if (action === 'set_metadata') {
      const metadata = (args as { metadata: Record<string, string | null> }).metadata
      if (AZ_KEY in metadata) await checkZone('update-meta', a, metadata[AZ_KEY], a.hosts)
      await store.setMetadata(a.id, metadata)
    } else {
      const host = (args as { host: string }).host
      if (action === 'add_host') {
        if ((await admin.services.getByHostAndBinary(host, 'nova-compute')) === undefined)
          throw notFound(`Compute host ${host} could not be found.`)
        if (a.hosts.includes(host)) throw new ApiFault(409, `Aggregate ${a.id} already has host ${host}.`)
        await checkZone('add', a, a.metadata[AZ_KEY], [host])
        await store.addHost(a.id, host)
        await mirror(host)
      } else {
        if (!a.hosts.includes(host)) throw notFound(`Aggregate ${a.id} has no host ${host}.`)
        await store.removeHost(a.id, host)
        await mirror(host)
      }
      await store.touch(a.id)
    }
    return { aggregate: view(request, await store.get(String(a.id))) }
  })
}
