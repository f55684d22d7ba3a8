// `member_of` expressions checked against the aggregates of a provider.
import type { AggregateExpression } from './model.js'

/** In at least one aggregate of every `anyOf` set (true when there are no sets). */
export function meetsRequiredAggregates(aggregates: ReadonlySet<string>, expr: AggregateExpression): boolean {
  for (const set of expr.anyOf) {
    if (!set.some((agg) => aggregates.has(agg))) return false
  }
  return true
}

/** In any aggregate of `forbidden`. */
export function inForbiddenAggregate(aggregates: ReadonlySet<string>, expr: AggregateExpression): boolean {
  for (const agg of expr.forbidden) if (aggregates.has(agg)) return true
  return false
}

/** A single provider's own membership: the rule for granular groups. */
export function providerMatchesAggregates(
  aggregates: ReadonlySet<string>,
  expr: AggregateExpression,
): boolean {
  return meetsRequiredAggregates(aggregates, expr) && !inForbiddenAggregate(aggregates, expr)
}
