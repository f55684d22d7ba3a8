import { IdentityEntityNotFound } from '../../../common/errors/index.js'
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
    async listRegions(): Promise<Region[]> {
      return (await k.selectFrom('identity_regions').selectAll().orderBy('id').execute()).map(toRegion)
    },
  }
}

export type CatalogStore = ReturnType<typeof createCatalogStore>
