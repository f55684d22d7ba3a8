/** A `$reference` inside a value: `$name` / `${name}` (section undefined) or `${section.name}`. */
export interface Reference {
  readonly section: string | undefined
  readonly name: string
}

/** oslo's Template: `$$`, `${id}`, `$id` where id is `[_a-z][._a-z0-9]*`, case-insensitive. */
const PATTERN = /\$(?:(\$)|\{([_a-z][._a-z0-9]*)\}|([_a-z][._a-z0-9]*))/gi

/**
 * oslo.config's substitution (string.Template.safe_substitute over option values): `$name`, `${name}` and
 * `${section.name}` are replaced by `lookup`'s text; `$$` and `\$` give a literal `$`; a `$` not followed by
 * a name is left alone. `lookup` throws when the reference cannot be resolved; that error propagates.
 */
export function interpolate(value: string, lookup: (ref: Reference) => string): string {
  if (!value.includes('$')) return value
  return value
    .replaceAll('\\$', '$$$$')
    .replace(PATTERN, (_whole, dollar?: string, braced?: string, bare?: string) => {
      if (dollar !== undefined) return '$'
      const ref = (braced ?? bare)!
      const dot = ref.indexOf('.')
      return lookup(
        dot < 0
          ? { section: undefined, name: ref }
          : { section: ref.slice(0, dot), name: ref.slice(dot + 1) },
      )
    })
}
