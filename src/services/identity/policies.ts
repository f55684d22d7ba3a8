import type { RuleDefault } from '../../policy/index.js'

const ADMIN = 'rule:admin_required'

/**
 * The identity service's policy defaults (Keystone's names). The admin role is cloud-wide admin here, as in
 * Keystone's legacy defaults; owners may read themselves, their tokens and their credentials. Operators
 * override any of them in `[oslo_policy] policy_file`.
 */
export const IDENTITY_POLICIES: readonly RuleDefault[] = [
  { name: 'admin_required', check: 'role:admin', description: 'The caller holds the admin role.' },
  { name: 'service_role', check: 'role:service', description: 'The caller is a service user.' },
  {
    name: 'token_subject',
    check: 'user_id:%(target.token.user_id)s',
    description: 'The token belongs to the caller.',
  },
  ...crud('project', { get: `${ADMIN} or project_id:%(target.project.id)s` }),
  {
    name: 'identity:list_user_projects',
    check: `${ADMIN} or user_id:%(target.user.id)s`,
    description: "List a user's projects.",
  },
  ...crud('user', { get: `${ADMIN} or user_id:%(target.user.id)s` }),
  {
    name: 'identity:change_password',
    check: '@',
    description: 'Change a password, given the original one (which is the authorization, as in Keystone).',
  },
  ...crud('domain', { get: '@' }),
  ...crud('role', {}),
  ...crud('group', {}),
  { name: 'identity:add_user_to_group', check: ADMIN, description: 'Add a user to a group.' },
  { name: 'identity:remove_user_from_group', check: ADMIN, description: 'Remove a user from a group.' },
  { name: 'identity:check_user_in_group', check: ADMIN, description: 'Check group membership.' },
  { name: 'identity:list_users_in_group', check: ADMIN, description: 'List the members of a group.' },
  {
    name: 'identity:list_groups_for_user',
    check: `${ADMIN} or user_id:%(target.user.id)s`,
    description: "List a user's groups.",
  },
  { name: 'identity:create_region', check: ADMIN, description: 'Create a region.' },
  { name: 'identity:update_region', check: ADMIN, description: 'Update a region.' },
  { name: 'identity:delete_region', check: ADMIN, description: 'Delete a region.' },
  { name: 'identity:create_implied_role', check: ADMIN, description: 'Make one role imply another.' },
  { name: 'identity:list_implied_roles', check: ADMIN, description: 'List the roles a role implies.' },
  { name: 'identity:get_implied_role', check: ADMIN, description: 'Show a role implication.' },
  { name: 'identity:check_implied_role', check: ADMIN, description: 'Check a role implication.' },
  { name: 'identity:delete_implied_role', check: ADMIN, description: 'Remove a role implication.' },
  { name: 'identity:list_role_inference_rules', check: ADMIN, description: 'List every role implication.' },
  ...crud('service', {}),
  ...crud('endpoint', {}),
  { name: 'identity:list_regions', check: '@', description: 'List regions.' },
  { name: 'identity:get_region', check: '@', description: 'Show a region.' },
  { name: 'identity:list_grants', check: ADMIN, description: 'List the roles an actor holds on a target.' },
  { name: 'identity:check_grant', check: ADMIN, description: 'Check a role assignment.' },
  { name: 'identity:create_grant', check: ADMIN, description: 'Assign a role.' },
  { name: 'identity:revoke_grant', check: ADMIN, description: 'Remove a role assignment.' },
  { name: 'identity:list_role_assignments', check: ADMIN, description: 'List role assignments.' },
  {
    name: 'identity:validate_token',
    check: `${ADMIN} or rule:service_role or rule:token_subject`,
    description: 'Validate a token (GET /v3/auth/tokens).',
  },
  {
    name: 'identity:check_token',
    check: `${ADMIN} or rule:service_role or rule:token_subject`,
    description: 'Check a token (HEAD /v3/auth/tokens).',
  },
  {
    name: 'identity:revoke_token',
    check: `${ADMIN} or rule:service_role or rule:token_subject`,
    description: 'Revoke a token (DELETE /v3/auth/tokens).',
  },
  ...['create', 'list', 'get', 'delete'].map((verb) => ({
    name: `identity:${verb}_application_credential${verb === 'list' ? 's' : ''}`,
    check: verb === 'create' ? 'user_id:%(target.user.id)s' : `${ADMIN} or user_id:%(target.user.id)s`,
    description: `${verb} an application credential (the owner, or an admin except for create).`,
  })),
  ...['create', 'list', 'get', 'delete'].map((verb) => ({
    name: `identity:ec2_${verb}_credential${verb === 'list' ? 's' : ''}`,
    check: `${ADMIN} or user_id:%(target.credential.user_id)s`,
    description: `${verb} an EC2 credential (the owner or an admin).`,
  })),
]

function crud(entity: string, overrides: { get?: string }): RuleDefault[] {
  return [
    { name: `identity:get_${entity}`, check: overrides.get ?? ADMIN, description: `Show a ${entity}.` },
    { name: `identity:list_${entity}s`, check: ADMIN, description: `List ${entity}s.` },
    { name: `identity:create_${entity}`, check: ADMIN, description: `Create a ${entity}.` },
    { name: `identity:update_${entity}`, check: ADMIN, description: `Update a ${entity}.` },
    { name: `identity:delete_${entity}`, check: ADMIN, description: `Delete a ${entity}.` },
  ]
}
