import type { UntypedExecutor } from '../../../db/untyped.js'
import { bumpGeneration, type PlacementDb } from './placement-db.js'

export function createAggregateStore(p: PlacementDb) {
  async function ofProvider(providerId: number, executor: UntypedExecutor = p.k): Promise<string[]> {
    const rows = (await executor
      .selectFrom('resource_provider_aggregates')
      .select('aggregate_uuid')
      .where('resource_provider_id', '=', providerId)
      .orderBy('aggregate_uuid')
      .execute()) as { aggregate_uuid: unknown }[]
    return rows.map((r) => String(r.aggregate_uuid))
  }
  return {
    ofProvider,
    /** Replaces the provider's aggregates, generation-guarded (undefined: unguarded, before 1.19). */
    async setForProvider(
      provider: { id: number },
      generation: number | undefined,
      aggregates: readonly string[],
    ): Promise<number> {
      return p.write(async (trx) => {
        const next = await bumpGeneration(trx, provider.id, generation)
        await trx
          .deleteFrom('resource_provider_aggregates')
          .where('resource_provider_id', '=', provider.id)
          .execute()
        const unique = [...new Set(aggregates)]
        if (unique.length > 0)
          await trx
            .insertInto('resource_provider_aggregates')
            .values(unique.map((aggregate_uuid) => ({ resource_provider_id: provider.id, aggregate_uuid })))
            .execute()
        return next
      })
    },
  }
}

export type AggregateStore = ReturnType<typeof createAggregateStore>
