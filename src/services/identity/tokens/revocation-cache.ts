import { isRevoked, type RevocationEvent, type RevocationStore } from '../store/revocations.js'

/**
 * The revocation events in memory, so that validating a token costs no database query. The identity service
 * adds to it as it revokes; `reload()` reads the table again (at start, and when another process says so).
 */
export class RevocationCache {
  readonly #store: RevocationStore
  #events: readonly RevocationEvent[] = []

  constructor(store: RevocationStore) {
    this.#store = store
  }

  async reload(): Promise<void> {
    this.#events = await this.#store.list()
  }

  /** Records the event durably, then in memory. */
  async revoke(event: RevocationEvent): Promise<void> {
    await this.#store.add(event)
    this.#events = [...this.#events, event]
  }

  covers(token: {
    userId: string
    projectId?: string
    auditIds: readonly string[]
    issuedAt: Date
  }): boolean {
    return isRevoked(this.#events, token)
  }
}
