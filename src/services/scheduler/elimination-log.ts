import type { HostElimination } from '../../common/errors/index.js'

interface Entry {
  readonly step: string
  readonly reason: string
  count: number
  readonly hosts: string[]
  detail?: string
}

/**
 * Which step removed which hosts and why, while one request is placed: the material of the NoValidHost
 * explanation. Hosts removed for the same reason by the same step are grouped; the order is the order in
 * which steps and reasons first removed a host.
 */
export class EliminationLog {
  readonly #entries = new Map<string, Entry>()

  #entry(step: string, reason: string): Entry {
    const key = `${step}\u0000${reason}`
    let entry = this.#entries.get(key)
    if (entry === undefined) {
      entry = { step, reason, count: 0, hosts: [] }
      this.#entries.set(key, entry)
    }
    return entry
  }

  /** `host` was removed by `step` for `reason` (which never names hosts). */
  record(step: string, reason: string, host: string): void {
    const entry = this.#entry(step, reason)
    entry.count += 1
    entry.hosts.push(host)
  }

  /** `count` hosts, of which `hosts` are known by name, were removed; `detail` is for admins. */
  recordMany(step: string, reason: string, count: number, hosts: readonly string[], detail?: string): void {
    if (count <= 0) return
    const entry = this.#entry(step, reason)
    entry.count += count
    entry.hosts.push(...hosts)
    if (detail !== undefined) entry.detail = detail
  }

  /** Removes the entries of `step` (recomputed ones replace them). */
  clear(step: string): void {
    for (const [key, entry] of this.#entries) if (entry.step === step) this.#entries.delete(key)
  }

  get total(): number {
    let total = 0
    for (const entry of this.#entries.values()) total += entry.count
    return total
  }

  entries(): HostElimination[] {
    return [...this.#entries.values()].map((e) => ({
      step: e.step,
      reason: e.reason,
      count: e.count,
      hosts: [...e.hosts].sort(),
      ...(e.detail === undefined ? {} : { detail: e.detail }),
    }))
  }

  /** `placement: 40 not in availability zone az2, 10 lack MEMORY_MB 4096 (…); ComputeFilter: 2 …`. */
  summary(): string {
    const bySteps = new Map<string, string[]>()
    for (const e of this.#entries.values()) {
      const parts = bySteps.get(e.step) ?? []
      parts.push(`${e.count} ${e.reason}`)
      bySteps.set(e.step, parts)
    }
    return [...bySteps].map(([step, parts]) => `${step}: ${parts.join(', ')}`).join('; ')
  }
}
