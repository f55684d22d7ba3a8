import type { TokenPayload } from '../../src/services/identity/client.js'

/**
 * A validated token as an API sees it, for tests that stand a table of personas in for identity's
 * TokenVerifier: a user `user-<project>` scoped to `project` with these role names.
 */
export const persona = (project: string, roles: string[]): TokenPayload => ({
  userId: `user-${project}`,
  methods: ['password'],
  projectId: project,
  roles: roles.map((name) => ({ id: name, name })),
  issuedAt: new Date(),
  expiresAt: new Date(Date.now() + 3600_000),
  auditIds: ['x'],
})
