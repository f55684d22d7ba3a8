// Test factories for the request filters: settings, a context over a fixed list of aggregates.
import { silentLogger } from '../../../common/logger.js'
import type {
  AggregateRecord,
  RequestFilterContext,
  RequestFilterSettings,
} from '../request-filters/index.js'

export function fakeRequestFilterSettings(
  overrides: Partial<RequestFilterSettings> = {},
): RequestFilterSettings {
  return {
    limitTenantsToPlacementAggregate: false,
    placementAggregateRequiredForTenants: false,
    queryPlacementForImageTypeSupport: false,
    enableIsolatedAggregateFiltering: false,
    imageMetadataPrefilter: false,
    defaultAvailabilityZone: 'nova',
    ...overrides,
  }
}

let n = 0

/** An aggregate record with this metadata (and hosts). */
export function aggregateRecord(
  name: string,
  metadata: Record<string, string>,
  hosts: string[] = [],
): AggregateRecord {
  n += 1
  return { uuid: `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name, metadata, hosts }
}

/** A request filter context over `aggregates`; `listed` counts how often they were read. */
export function fakeRequestFilterContext(
  aggregates: readonly AggregateRecord[] = [],
  overrides: Partial<RequestFilterSettings> = {},
): RequestFilterContext & { listed: number; errors: unknown[] } {
  const errors: unknown[] = []
  const logger = silentLogger()
  const ctx = {
    settings: fakeRequestFilterSettings(overrides),
    listed: 0,
    errors,
    logger: Object.assign(Object.create(logger) as typeof logger, {
      error: (obj: unknown) => {
        errors.push(obj)
      },
    }),
    async aggregates() {
      ctx.listed += 1
      return aggregates
    },
  }
  return ctx
}
