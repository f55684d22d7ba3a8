// Compact builders for snapshots and requests, for tests and benchmarks (and any caller that prefers plain
// objects to Maps and Sets).
import type {
  AggregateExpression,
  CandidateRequest,
  InventorySnapshot,
  PlacementSnapshot,
  ProviderSnapshot,
  RequestGroup,
  TraitExpression,
} from './model.js'

/** An inventory as a bare total, or with any of the other fields (defaults: nothing reserved, ratio 1, unit 1). */
export type InventorySpec = number | (Partial<InventorySnapshot> & { readonly total: number })

export interface ProviderSpec {
  readonly uuid: string
  readonly name?: string
  readonly parent?: string
  readonly generation?: number
  readonly inventories?: Readonly<Record<string, InventorySpec>>
  readonly traits?: readonly string[]
  readonly aggregates?: readonly string[]
}

export function inventoryOf(spec: InventorySpec): InventorySnapshot {
  const s = typeof spec === 'number' ? { total: spec } : spec
  return {
    total: s.total,
    reserved: s.reserved ?? 0,
    minUnit: s.minUnit ?? 1,
    maxUnit: s.maxUnit ?? s.total,
    stepSize: s.stepSize ?? 1,
    allocationRatio: s.allocationRatio ?? 1,
    used: s.used ?? 0,
  }
}

/** Providers in any order; parents must be among them. Root uuids are derived from the parent links. */
export function buildSnapshot(specs: readonly ProviderSpec[]): PlacementSnapshot {
  const byUuid = new Map(specs.map((spec) => [spec.uuid, spec]))
  const rootOf = (uuid: string): string => {
    let current = byUuid.get(uuid)
    const seen = new Set<string>()
    while (current?.parent !== undefined && !seen.has(current.uuid)) {
      seen.add(current.uuid)
      const parent = byUuid.get(current.parent)
      if (parent === undefined)
        throw new Error(`parent ${current.parent} of ${current.uuid} is not in the snapshot`)
      current = parent
    }
    return current?.uuid ?? uuid
  }
  const providers = new Map<string, ProviderSnapshot>()
  for (const spec of specs) {
    providers.set(spec.uuid, {
      uuid: spec.uuid,
      name: spec.name ?? spec.uuid,
      generation: spec.generation ?? 1,
      parentUuid: spec.parent ?? null,
      rootUuid: rootOf(spec.uuid),
      inventories: new Map(Object.entries(spec.inventories ?? {}).map(([rc, inv]) => [rc, inventoryOf(inv)])),
      traits: new Set(spec.traits ?? []),
      aggregates: new Set(spec.aggregates ?? []),
    })
  }
  return { providers }
}

export interface GroupSpec {
  readonly suffix?: string
  readonly resources?: Readonly<Record<string, number>>
  readonly required?: Partial<TraitExpression>
  readonly memberOf?: Partial<AggregateExpression>
  readonly inTree?: string
}

export function traitExpression(spec: Partial<TraitExpression> = {}): TraitExpression {
  return { allOf: spec.allOf ?? [], forbidden: spec.forbidden ?? [], anyOf: spec.anyOf ?? [] }
}

export function buildGroup(spec: GroupSpec): RequestGroup {
  return {
    suffix: spec.suffix ?? '',
    resources: new Map(Object.entries(spec.resources ?? {})),
    required: traitExpression(spec.required),
    memberOf: { anyOf: spec.memberOf?.anyOf ?? [], forbidden: spec.memberOf?.forbidden ?? [] },
    ...(spec.inTree === undefined ? {} : { inTree: spec.inTree }),
  }
}

export interface RequestSpec {
  readonly groups: readonly GroupSpec[]
  readonly groupPolicy?: 'none' | 'isolate'
  readonly limit?: number
  readonly rootRequired?: Partial<TraitExpression>
  readonly sameSubtree?: readonly (readonly string[])[]
  readonly randomize?: boolean
  readonly nestedAware?: boolean
}

export function buildRequest(spec: RequestSpec): CandidateRequest {
  return {
    groups: spec.groups.map(buildGroup),
    ...(spec.groupPolicy === undefined ? {} : { groupPolicy: spec.groupPolicy }),
    ...(spec.limit === undefined ? {} : { limit: spec.limit }),
    rootRequired: traitExpression(spec.rootRequired),
    sameSubtree: spec.sameSubtree ?? [],
    randomize: spec.randomize ?? false,
    ...(spec.nestedAware === undefined ? {} : { nestedAware: spec.nestedAware }),
  }
}
