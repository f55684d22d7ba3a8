// Trait expressions (`required`, `root_required`) checked against one provider or against the providers
// that together serve the unsuffixed group.
import type { TraitExpression } from './model.js'

/** True when the expression asks for nothing. */
export function isEmptyTraitExpression(expr: TraitExpression): boolean {
  return expr.allOf.length === 0 && expr.forbidden.length === 0 && expr.anyOf.length === 0
}

/** True when `traits` holds at least one of `names`. */
export function hasAnyTrait(traits: ReadonlySet<string>, names: readonly string[]): boolean {
  for (const name of names) if (traits.has(name)) return true
  return false
}

/** One provider: every `allOf` trait, one of each `anyOf` set, no `forbidden` trait. */
export function providerMatchesTraits(traits: ReadonlySet<string>, expr: TraitExpression): boolean {
  for (const name of expr.allOf) if (!traits.has(name)) return false
  if (hasAnyTrait(traits, expr.forbidden)) return false
  for (const set of expr.anyOf) if (!hasAnyTrait(traits, set)) return false
  return true
}

/**
 * Several providers together (the unsuffixed group): the required part (`allOf`, `anyOf`) is met by the union
 * of their traits. Forbidden traits are not looked at here; a provider that has one may not contribute at all,
 * which the caller checks per provider.
 */
export function unionMeetsRequiredTraits(
  traitSets: readonly ReadonlySet<string>[],
  expr: TraitExpression,
): boolean {
  const anyHas = (name: string): boolean => traitSets.some((traits) => traits.has(name))
  for (const name of expr.allOf) if (!anyHas(name)) return false
  for (const set of expr.anyOf) if (!set.some(anyHas)) return false
  return true
}
