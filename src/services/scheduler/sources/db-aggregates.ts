import type { Database } from '../../../db/index.js'
import type { UntypedKysely } from '../../../db/untyped.js'
import type { AggregateRecord, AggregateSource } from '../request-filters/index.js'

/** An aggregate with its database id (HostState's aggregates carry it). */
export interface DbAggregate extends AggregateRecord {
  readonly id: number
}

/** Host aggregates from the API database: three queries, whatever the number of aggregates. */
export function createDbAggregateSource(apiDb: Database<unknown>): AggregateSource & {
  list(): Promise<readonly DbAggregate[]>
} {
  const k = apiDb.kysely as UntypedKysely
  return {
    async list(): Promise<readonly DbAggregate[]> {
      const [aggregates, hosts, metadata] = await Promise.all([
        k.selectFrom('aggregates').select(['id', 'uuid', 'name']).orderBy('id').execute(),
        k.selectFrom('aggregate_hosts').select(['aggregate_id', 'host']).execute(),
        k.selectFrom('aggregate_metadata').select(['aggregate_id', 'key', 'value']).execute(),
      ])
      return (aggregates as Record<string, unknown>[]).map((a) => {
        const id = Number(a.id)
        return {
          id,
          uuid: String(a.uuid),
          name: String(a.name),
          hosts: (hosts as Record<string, unknown>[])
            .filter((h) => Number(h.aggregate_id) === id)
            .map((h) => String(h.host)),
          metadata: Object.fromEntries(
            (metadata as Record<string, unknown>[])
              .filter((m) => Number(m.aggregate_id) === id)
              .map((m) => [String(m.key), String(m.value)]),
          ),
        }
      })
    },
  }
}
