import { IdentityDuplicate, IdentityEntityNotFound } from '../../../common/errors/index.js'
import { newId } from './ids.js'
import type { IdentityDb } from './identity-db.js'

export interface CatalogService {
  readonly id: string
  readonly type: string
  readonly name: string
  readonly description: string
  readonly enabled: boolean
}

export type EndpointInterface = 'public' | 'internal' | 'admin'

export interface Endpoint {
  readonly id: string
  readonly serviceId: string
  readonly interface: EndpointInterface
  readonly regionId: string | undefined
  readonly url: string
  readonly enabled: boolean
}

export interface Region {
  readonly id: string
  readonly description: string
  readonly parentRegionId: string | undefined
}

/** Services, endpoints and regions: the service catalog tokens carry. */
export function createCatalogStore(idb: IdentityDb) {
  const { k, d } = idb
  const toService = (r: Record<string, unknown>): CatalogService => ({
    id: String(r.id),
    type: String(r.type),
    name: (r.name as string | null) ?? '',
    description: (r.description as string | null) ?? '',
    enabled: d.fromDbBool(r.enabled),
  })
  const toEndpoint = (r: Record<string, unknown>): Endpoint => ({
    id: String(r.id),
    serviceId: String(r.service_id),
    interface: r.interface as EndpointInterface,
    regionId: (r.region_id as string | null) ?? undefined,
    url: String(r.url),
    enabled: d.fromDbBool(r.enabled),
  })
  const toRegion = (r: Record<string, unknown>): Region => ({
    id: String(r.id),
    description: (r.description as string | null) ?? '',
    parentRegionId: (r.parent_region_id as string | null) ?? undefined,
  })
  const now = () => d.toDbDate(new Date())

  return {
    async createService(fields: {
      type: string
      name?: string
      description?: string
      enabled?: boolean
    }): Promise<CatalogService> {
      const id = newId()
      await k
        .insertInto('identity_services')
        .values({
          id,
          type: fields.type,
          name: fields.name ?? '',
          description: fields.description ?? '',
          enabled: d.toDbBool(fields.enabled ?? true),
          created_at: now(),
        })
        .execute()
      return await this.getService(id)
    },
    async getService(id: string): Promise<CatalogService> {
      const row = await k.selectFrom('identity_services').selectAll().where('id', '=', id).executeTakeFirst()
      if (row === undefined) throw new IdentityEntityNotFound({ entity: 'service', id })
      return toService(row)
    },
    async listServices(filter: { type?: string; name?: string } = {}): Promise<CatalogService[]> {
      let q = k.selectFrom('identity_services').selectAll().orderBy('type')
      if (filter.type !== undefined) q = q.where('type', '=', filter.type)
      if (filter.name !== undefined) q = q.where('name', '=', filter.name)
      return (await q.execute()).map(toService)
    },
    async updateService(
      id: string,
      changes: { type?: string; name?: string; description?: string; enabled?: boolean },
    ): Promise<CatalogService> {
      await this.getService(id)
      const set: Record<string, unknown> = { updated_at: now() }
      if (changes.type !== undefined) set.type = changes.type
      if (changes.name !== undefined) set.name = changes.name
      if (changes.description !== undefined) set.description = changes.description
      if (changes.enabled !== undefined) set.enabled = d.toDbBool(changes.enabled)
      await k.updateTable('identity_services').set(set).where('id', '=', id).execute()
      return await this.getService(id)
    },

    async deleteService(id: string): Promise<void> {
      await this.getService(id)
      await k.deleteFrom('identity_endpoints').where('service_id', '=', id).execute()
      await k.deleteFrom('identity_services').where('id', '=', id).execute()
    },

    async createEndpoint(fields: {
      serviceId: string
      interface: EndpointInterface
      regionId?: string
      url: string
      enabled?: boolean
    }): Promise<Endpoint> {
      await this.getService(fields.serviceId)
      if (fields.regionId !== undefined) await this.ensureRegion(fields.regionId)
      const id = newId()
      await k
        .insertInto('identity_endpoints')
        .values({
          id,
          service_id: fields.serviceId,
          interface: fields.interface,
          region_id: fields.regionId ?? null,
          url: fields.url,
          enabled: d.toDbBool(fields.enabled ?? true),
          created_at: now(),
        })
        .execute()
      return await this.getEndpoint(id)
    },
    async getEndpoint(id: string): Promise<Endpoint> {
      const row = await k.selectFrom('identity_endpoints').selectAll().where('id', '=', id).executeTakeFirst()
      if (row === undefined) throw new IdentityEntityNotFound({ entity: 'endpoint', id })
      return toEndpoint(row)
    },
    async listEndpoints(
      filter: { serviceId?: string; interface?: string; regionId?: string } = {},
    ): Promise<Endpoint[]> {
      let q = k.selectFrom('identity_endpoints').selectAll().orderBy('id')
      if (filter.serviceId !== undefined) q = q.where('service_id', '=', filter.serviceId)
      if (filter.interface !== undefined) q = q.where('interface', '=', filter.interface)
      if (filter.regionId !== undefined) q = q.where('region_id', '=', filter.regionId)
      return (await q.execute()).map(toEndpoint)
    },
    async updateEndpoint(
      id: string,
      changes: {
        serviceId?: string
        interface?: EndpointInterface
        regionId?: string
        url?: string
        enabled?: boolean
      },
    ): Promise<Endpoint> {
      await this.getEndpoint(id)
      if (changes.serviceId !== undefined) await this.getService(changes.serviceId)
      if (changes.regionId !== undefined) await this.ensureRegion(changes.regionId)
      const set: Record<string, unknown> = { updated_at: now() }
      if (changes.serviceId !== undefined) set.service_id = changes.serviceId
      if (changes.interface !== undefined) set.interface = changes.interface
      if (changes.regionId !== undefined) set.region_id = changes.regionId
      if (changes.url !== undefined) set.url = changes.url
      if (changes.enabled !== undefined) set.enabled = d.toDbBool(changes.enabled)
      await k.updateTable('identity_endpoints').set(set).where('id', '=', id).execute()
      return await this.getEndpoint(id)
    },

    async updateEndpointUrl(id: string, url: string): Promise<void> {
      await k.updateTable('identity_endpoints').set({ url, updated_at: now() }).where('id', '=', id).execute()
    },
    async deleteEndpoint(id: string): Promise<void> {
      const result = await k.deleteFrom('identity_endpoints').where('id', '=', id).executeTakeFirst()
      if (Number(result.numDeletedRows) === 0) throw new IdentityEntityNotFound({ entity: 'endpoint', id })
    },

    async ensureRegion(id: string, description = ''): Promise<Region> {
      const row = await k.selectFrom('identity_regions').selectAll().where('id', '=', id).executeTakeFirst()
      if (row !== undefined) return toRegion(row)
      await k
        .insertInto('identity_regions')
        .values({ id, description, parent_region_id: null, created_at: now() })
        .execute()
      return { id, description, parentRegionId: undefined }
    },
    async getRegion(id: string): Promise<Region> {
      const row = await k.selectFrom('identity_regions').selectAll().where('id', '=', id).executeTakeFirst()
      if (row === undefined) throw new IdentityEntityNotFound({ entity: 'region', id })
      return toRegion(row)
    },
    async createRegion(fields: {
      id?: string
      description?: string
      parentRegionId?: string
    }): Promise<Region> {
      const id = fields.id ?? newId()
      if (fields.parentRegionId !== undefined) await this.getRegion(fields.parentRegionId)
      const exists = await k
        .selectFrom('identity_regions')
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst()
      if (exists !== undefined)
        throw new IdentityDuplicate({ entity: 'region', detail: `Duplicate ID, ${id}` })
      await k
        .insertInto('identity_regions')
        .values({
          id,
          description: fields.description ?? '',
          parent_region_id: fields.parentRegionId ?? null,
          created_at: now(),
        })
        .execute()
      return await this.getRegion(id)
    },
    async updateRegion(
      id: string,
      changes: { description?: string; parentRegionId?: string },
    ): Promise<Region> {
      await this.getRegion(id)
      if (changes.parentRegionId !== undefined) await this.getRegion(changes.parentRegionId)
      const set: Record<string, unknown> = { updated_at: now() }
      if (changes.description !== undefined) set.description = changes.description
      if (changes.parentRegionId !== undefined) set.parent_region_id = changes.parentRegionId
      await k.updateTable('identity_regions').set(set).where('id', '=', id).execute()
      return await this.getRegion(id)
    },
    async deleteRegion(id: string): Promise<void> {
      await this.getRegion(id)
      await k.deleteFrom('identity_regions').where('id', '=', id).execute()
    },

    async listRegions(): Promise<Region[]> {
      return (await k.selectFrom('identity_regions').selectAll().orderBy('id').execute()).map(toRegion)
    },
  }
}

export type CatalogStore = ReturnType<typeof createCatalogStore>
