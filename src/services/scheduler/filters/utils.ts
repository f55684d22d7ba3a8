// Helpers shared by the filters and weighers: aggregate metadata, per-aggregate numbers, scheduler hints.
import type { HostState, RequestSpec } from '../host-state.js'
import { parsePyFloat, parsePyInt } from './py.js'

/** The distinct values of one metadata key over the host's aggregates (Nova's aggregate_values_from_key). */
export function aggregateValues(host: HostState, key: string): Set<string> {
  const values = new Set<string>()
  for (const aggregate of host.aggregates) {
    const value = aggregate.metadata[key]
    if (value !== undefined) values.add(value)
  }
  return values
}

/**
 * Every metadata key of the host's aggregates → the union of its comma-separated, trimmed values (Nova's
 * aggregate_metadata_get_by_host). With `onlyWithKey`, only aggregates having that key contribute.
 */
export function aggregateMetadata(host: HostState, onlyWithKey?: string): Map<string, Set<string>> {
  const metadata = new Map<string, Set<string>>()
  for (const aggregate of host.aggregates) {
    if (onlyWithKey !== undefined && !Object.hasOwn(aggregate.metadata, onlyWithKey)) continue
    for (const [key, value] of Object.entries(aggregate.metadata)) {
      let set = metadata.get(key)
      if (set === undefined) metadata.set(key, (set = new Set()))
      for (const part of value.split(',')) set.add(part.trim())
    }
  }
  return metadata
}

/**
 * A number set per aggregate (Nova's validate_num_values with min): the smallest of the host's aggregates'
 * values for `key`, or `fallback` when no aggregate sets it or when any value is not a number (Nova logs a
 * warning and uses the configured value then).
 */
export function aggregateNumber(
  host: HostState,
  key: string,
  fallback: number,
  kind: 'int' | 'float',
): number {
  const values = aggregateValues(host, key)
  if (values.size === 0) return fallback
  const parse = kind === 'int' ? parsePyInt : parsePyFloat
  let min = Infinity
  for (const value of values) {
    const n = parse(value)
    if (n === undefined) return fallback
    min = Math.min(min, n)
  }
  return min
}

/**
 * A scheduler hint as Nova's RequestSpec.get_scheduler_hint returns it: a one-element list becomes its element,
 * longer lists stay lists, a missing hint is `fallback`.
 */
export function schedulerHint(
  spec: RequestSpec,
  name: string,
  fallback?: string,
): string | readonly string[] | undefined {
  const value = spec.schedulerHints[name]
  if (value === undefined) return fallback
  return value.length === 1 ? value[0] : value
}

/** The hint's values as a list (a single value becomes a one-element list); empty when absent. */
export function schedulerHintList(spec: RequestSpec, name: string): readonly string[] {
  const value = schedulerHint(spec, name)
  if (value === undefined) return []
  return typeof value === 'string' ? [value] : value
}

/** Whether the host runs any of these instances (Nova's instance_uuids_overlap). */
export function runsAnyInstance(host: HostState, uuids: readonly string[]): boolean {
  return uuids.some((uuid) => host.instances.has(uuid))
}
