// Every resource class and trait a parsed request names, so that the caller can answer 400 for unknown ones
// ("Invalid resource class in resources parameter", "No such trait(s)") from its database.
import type { CandidateRequest, TraitExpression } from './model.js'

export interface RequestNames {
  /** Sorted, without repeats. */
  readonly resourceClasses: readonly string[]
  /** Sorted, without repeats; from `required*` (plain, forbidden and `in:`) and `root_required`. */
  readonly traits: readonly string[]
}

export function namesInRequest(request: CandidateRequest): RequestNames {
  const resourceClasses = new Set<string>()
  const traits = new Set<string>()
  const addTraits = (expr: TraitExpression): void => {
    expr.allOf.forEach((name) => traits.add(name))
    expr.forbidden.forEach((name) => traits.add(name))
    expr.anyOf.forEach((set) => set.forEach((name) => traits.add(name)))
  }
  for (const group of request.groups) {
    for (const name of group.resources.keys()) resourceClasses.add(name)
    addTraits(group.required)
  }
  addTraits(request.rootRequired)
  return { resourceClasses: [...resourceClasses].sort(), traits: [...traits].sort() }
}
