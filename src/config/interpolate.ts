/**
 * oslo.config's `$name` / `${name}` / `${section.name}` substitution in string values; `$$` is a literal `$`.
 * `lookup` returns the referenced option's raw value, or undefined when there is no such option.
 * Throws a plain string naming the reference it could not resolve (the loader says where).
 */
export function interpolate(
  value: string,
  lookup: (section: string | undefined, name: string) => string | undefined,
  depth = 0,
): string {
  if (!value.includes('$')) return value
  if (depth > 10) throw 'references nest too deeply (a loop?)'
  return value.replace(
    /\$(\$|\{([A-Za-z0-9_.]+)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (whole, _all: string, braced?: string, bare?: string) => {
      if (whole === '$$') return '$'
      const ref = braced ?? bare!
      const dot = ref.indexOf('.')
      const section = dot < 0 ? undefined : ref.slice(0, dot)
      const name = dot < 0 ? ref : ref.slice(dot + 1)
      const raw = lookup(section, name)
      if (raw === undefined) throw `unknown reference $${ref}`
      return interpolate(raw, lookup, depth + 1)
    },
  )
}
