import { isRevoked, type RevocationEvent, type RevocationStore } from '../store/revocations.js'

/**
 * The revocation events in memory, so that validating a token costs no database query. The identity service
 * adds to it as it revokes; `reload()` reads the table again (at start, and when another process says so).
 */
export class RevocationCache {
  readonly #store: RevocationStore
  #events: readonly RevocationEvent[] = []
  #onRevoked: ((event: RevocationEvent) => Promise<void>) | undefined

  constructor(store: RevocationStore) {
    this.#store = store
  }

  /** Called after each revocation is stored: the identity service tells the other services over the bus. */
  onRevoked(listener: (event: RevocationEvent) => Promise<void>): void {
    this.#onRevoked = listener
  }

  async reload(): Promise<void> {
    this.#events = await this.#store.list()
  }

  /** Records the event durably, then in memory. */
  async revoke(event: RevocationEvent): Promise<void> {
    await this.#store.add(event)
    this.#events = [...this.#events, event]
    await this.#onRevoked?.(event)
  }

  covers(token: {
    userId: string
    projectId?: string
    auditIds: readonly string[]
    issuedAt: Date
    appCredId?: string
  }): boolean {
    return isRevoked(this.#events, token)
  }
}
