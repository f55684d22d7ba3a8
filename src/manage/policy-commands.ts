import { PolicyEnforcer, type RuleDefault } from '../policy/index.js'
import { IDENTITY_POLICIES } from '../services/identity/manage.js'

/** Every service's registered policy defaults (services add theirs as they arrive). */
const ALL_POLICIES: readonly RuleDefault[] = [...IDENTITY_POLICIES]

/** `nova-manage policy list`: every rule, its default check and what it governs. */
export function policyListCommand(): number {
  for (const rule of new PolicyEnforcer(ALL_POLICIES).list()) {
    process.stdout.write(
      `${rule.name}\n    ${rule.check === '' ? '@' : rule.check}\n    ${rule.description}\n`,
    )
  }
  return 0
}

/**
 * `nova-manage policy check --api-name PREFIX --role R …`: the rules under PREFIX that a caller with these roles
 * (in the given project, as the given user) passes, for a target in the same project and of the same user.
 */
export function policyCheckCommand(opts: {
  apiName?: string
  role: string[]
  userId: string
  projectId: string
}): number {
  const enforcer = new PolicyEnforcer(ALL_POLICIES)
  const creds = {
    user_id: opts.userId,
    project_id: opts.projectId,
    roles: opts.role,
    is_admin: opts.role.includes('admin'),
  }
  const target = {
    project_id: opts.projectId,
    user_id: opts.userId,
    target: {
      project: { id: opts.projectId },
      user: { id: opts.userId },
      token: { user_id: opts.userId },
      credential: { user_id: opts.userId },
    },
  }
  for (const rule of enforcer.list()) {
    if (opts.apiName !== undefined && !rule.name.startsWith(opts.apiName)) continue
    if (!rule.name.includes(':')) continue
    if (enforcer.authorize(rule.name, target, creds)) process.stdout.write(`${rule.name}\n`)
  }
  return 0
}
