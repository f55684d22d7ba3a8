/** Prints rows as an aligned text table. */
export function printTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)))
  const line = (r: readonly (string | number)[]) => r.map((c, i) => String(c).padEnd(widths[i]!)).join(' | ')
  process.stdout.write(`${line(headers)}\n${widths.map((w) => '-'.repeat(w)).join('-+-')}\n`)
  for (const r of cells.slice(1)) process.stdout.write(`${line(r)}\n`)
}

function formatNumber(n: number): string {
  return n >= 100 ? Math.round(n).toString() : n.toFixed(2)
}

/** Percentile of sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
}
