import type { IdentityDb } from './identity-db.js'

/** A revocation event: every token matching all the given fields and issued before `issuedBefore` is invalid. */
export interface RevocationEvent {
  readonly userId?: string
  readonly projectId?: string
  readonly auditId?: string
  readonly appCredId?: string
  readonly issuedBefore: Date
}

/** Keystone's revocation events, kept in the database so revocations survive restarts. */
export function createRevocationStore(idb: IdentityDb) {
  const { k, d } = idb
  return {
    async add(event: RevocationEvent): Promise<void> {
      await k
        .insertInto('identity_revocations')
        .values({
          user_id: event.userId ?? null,
          project_id: event.projectId ?? null,
          audit_id: event.auditId ?? null,
          app_cred_id: event.appCredId ?? null,
          issued_before: d.toDbDate(event.issuedBefore),
          revoked_at: d.toDbDate(new Date()),
        })
        .execute()
    },
    /** Events recorded at or after `since` (all when undefined). Older than the token lifetime can be pruned. */
    async list(since?: Date): Promise<RevocationEvent[]> {
      let q = k.selectFrom('identity_revocations').selectAll()
      if (since !== undefined) q = q.where('revoked_at', '>=', d.toDbDate(since))
      const rows = await q.execute()
      return rows.map((r) => ({
        ...(r.user_id === null ? {} : { userId: String(r.user_id) }),
        ...(r.project_id === null ? {} : { projectId: String(r.project_id) }),
        ...(r.audit_id === null ? {} : { auditId: String(r.audit_id) }),
        ...(r.app_cred_id === null || r.app_cred_id === undefined
          ? {}
          : { appCredId: String(r.app_cred_id) }),
        issuedBefore: d.fromDbDate(r.issued_before)!,
      }))
    },
    async prune(before: Date): Promise<void> {
      await k.deleteFrom('identity_revocations').where('issued_before', '<', d.toDbDate(before)).execute()
    },
  }
}

export type RevocationStore = ReturnType<typeof createRevocationStore>

/** True when the token (its user, project, audit ids, issue time) is covered by one of the events. */
export function isRevoked(
  events: readonly RevocationEvent[],
  token: {
    readonly userId: string
    readonly projectId?: string
    readonly auditIds: readonly string[]
    readonly issuedAt: Date
    readonly appCredId?: string
  },
): boolean {
  return events.some(
    (e) =>
      token.issuedAt.getTime() <= e.issuedBefore.getTime() &&
      (e.userId === undefined || e.userId === token.userId) &&
      (e.projectId === undefined || e.projectId === token.projectId) &&
      (e.auditId === undefined || token.auditIds.includes(e.auditId)) &&
      (e.appCredId === undefined || e.appCredId === token.appCredId),
  )
}
