import type { RuleDefault } from '../../policy/index.js'
import { SERVER_ACTION_POLICIES } from './servers/actions/index.js'
import { RESOURCE_POLICIES } from './resource-policies.js'

// Nova's policy defaults (nova/policies/base.py and the per-API files) for the routes this service serves.

const ADMIN = 'rule:context_is_admin'
const PROJECT_READER_OR_ADMIN = 'rule:project_reader_or_admin'
const ADMIN_OR_KEY_OWNER = '(rule:context_is_admin) or user_id:%(user_id)s'

const BASE_RULES: readonly RuleDefault[] = [
  {
    name: 'context_is_admin',
    check: 'role:admin',
    description: 'Decides what is required for the admin context.',
  },
  {
    name: 'admin_or_owner',
    check: 'is_admin:True or project_id:%(project_id)s',
    description: 'Default rule for most non-Admin APIs (deprecated).',
  },
  {
    name: 'admin_api',
    check: 'is_admin:True',
    description: 'Default rule for most Admin APIs (deprecated).',
  },
  {
    name: 'project_manager_api',
    check: 'role:manager and project_id:%(project_id)s',
    description: 'Default rule for Project level management APIs.',
  },
  {
    name: 'project_member_api',
    check: 'role:member and project_id:%(project_id)s',
    description: 'Default rule for Project level non admin APIs.',
  },
  {
    name: 'project_reader_api',
    check: 'role:reader and project_id:%(project_id)s',
    description: 'Default rule for Project level read only APIs.',
  },
  { name: 'service_api', check: 'role:service', description: 'Default rule for service-to-service APIs.' },
  {
    name: 'project_manager_or_admin',
    check: 'rule:project_manager_api or rule:context_is_admin',
    description: 'Default rule for Project Manager or admin APIs.',
  },
  {
    name: 'project_member_or_admin',
    check: 'rule:project_member_api or rule:context_is_admin',
    description: 'Default rule for Project Member or admin APIs.',
  },
  {
    name: 'project_reader_or_admin',
    check: 'rule:project_reader_api or rule:context_is_admin',
    description: 'Default rule for Project reader or admin APIs.',
  },
  {
    name: 'service_or_admin',
    check: 'rule:service_api or rule:context_is_admin',
    description: 'Default rule for a service or admin APIs.',
  },
]

const api = (name: string, check: string, description: string, operations: string[]): RuleDefault => ({
  name: `os_compute_api:${name}`,
  check,
  description,
  operations,
})

const API_RULES: readonly RuleDefault[] = [
  api('os-flavor-manage:create', ADMIN, 'Create a flavor', ['POST /flavors']),
  api('os-flavor-manage:update', ADMIN, 'Update a flavor', ['PUT /flavors/{flavor_id}']),
  api('os-flavor-manage:delete', ADMIN, 'Delete a flavor', ['DELETE /flavors/{flavor_id}']),
  api('os-flavor-access', ADMIN, 'List flavor access information', [
    'GET /flavors/{flavor_id}/os-flavor-access',
  ]),
  api('os-flavor-access:add_tenant_access', ADMIN, 'Add flavor access to a tenant', [
    'POST /flavors/{flavor_id}/action (addTenantAccess)',
  ]),
  api('os-flavor-access:remove_tenant_access', ADMIN, 'Remove flavor access from a tenant', [
    'POST /flavors/{flavor_id}/action (removeTenantAccess)',
  ]),
  api('os-flavor-extra-specs:index', PROJECT_READER_OR_ADMIN, 'List extra specs for a flavor', [
    'GET /flavors/{flavor_id}/os-extra_specs',
    'GET /flavors (extra_specs in views, 2.61+)',
  ]),
  api('os-flavor-extra-specs:show', PROJECT_READER_OR_ADMIN, 'Show an extra spec for a flavor', [
    'GET /flavors/{flavor_id}/os-extra_specs/{flavor_extra_spec_key}',
  ]),
  api('os-flavor-extra-specs:create', ADMIN, 'Create extra specs for a flavor', [
    'POST /flavors/{flavor_id}/os-extra_specs',
  ]),
  api('os-flavor-extra-specs:update', ADMIN, 'Update an extra spec for a flavor', [
    'PUT /flavors/{flavor_id}/os-extra_specs/{flavor_extra_spec_key}',
  ]),
  api('os-flavor-extra-specs:delete', ADMIN, 'Delete an extra spec for a flavor', [
    'DELETE /flavors/{flavor_id}/os-extra_specs/{flavor_extra_spec_key}',
  ]),
  api('os-keypairs:index', ADMIN_OR_KEY_OWNER, 'List all keypairs', ['GET /os-keypairs']),
  api('os-keypairs:create', ADMIN_OR_KEY_OWNER, 'Create a keypair', ['POST /os-keypairs']),
  api('os-keypairs:show', ADMIN_OR_KEY_OWNER, 'Show details of a keypair', [
    'GET /os-keypairs/{keypair_name}',
  ]),
  api('os-keypairs:delete', ADMIN_OR_KEY_OWNER, 'Delete a keypair', ['DELETE /os-keypairs/{keypair_name}']),
  api('os-services:list', ADMIN, 'List all running Compute services in a region', ['GET /os-services']),
  api('os-services:update', ADMIN, 'Update a Compute service', ['PUT /os-services/{service_id}']),
  api('os-services:delete', ADMIN, 'Delete a Compute service', ['DELETE /os-services/{service_id}']),
  api('os-hosts:list', ADMIN, 'List physical hosts (deprecated, up to 2.42)', ['GET /os-hosts']),
  api('os-hosts:show', ADMIN, 'Show the resources of a physical host', ['GET /os-hosts/{host_name}']),
  api('os-hosts:update', ADMIN, 'Enable or disable a physical host', ['PUT /os-hosts/{host_name}']),
  api('os-hosts:reboot', ADMIN, 'Reboot a physical host', ['GET /os-hosts/{host_name}/reboot']),
  api('os-hosts:shutdown', ADMIN, 'Shut down a physical host', ['GET /os-hosts/{host_name}/shutdown']),
  api('os-hosts:start', ADMIN, 'Start a physical host', ['GET /os-hosts/{host_name}/startup']),
  api('os-hypervisors:list', ADMIN, 'List all hypervisors', ['GET /os-hypervisors']),
  api('os-hypervisors:list-detail', ADMIN, 'List all hypervisors with details', [
    'GET /os-hypervisors/detail',
  ]),
  api('os-hypervisors:statistics', ADMIN, 'Show summary statistics for all hypervisors', [
    'GET /os-hypervisors/statistics',
  ]),
  api('os-hypervisors:show', ADMIN, 'Show details for a hypervisor', ['GET /os-hypervisors/{hypervisor_id}']),
  api('os-hypervisors:uptime', ADMIN, 'Show the uptime of a hypervisor', [
    'GET /os-hypervisors/{hypervisor_id}/uptime',
  ]),
  api('os-hypervisors:search', ADMIN, 'Search hypervisor by hypervisor_hostname pattern', [
    'GET /os-hypervisors/{hypervisor_hostname_pattern}/search',
  ]),
  api('os-hypervisors:servers', ADMIN, 'List all servers on hypervisors', [
    'GET /os-hypervisors/{hypervisor_hostname_pattern}/servers',
  ]),
  api('os-availability-zone:list', '@', 'List availability zone information without host information', [
    'GET /os-availability-zone',
  ]),
  api(
    'os-availability-zone:detail',
    ADMIN,
    'List detailed availability zone information with host information',
    ['GET /os-availability-zone/detail'],
  ),
  api('os-aggregates:index', ADMIN, 'List all aggregates', ['GET /os-aggregates']),
  api('os-aggregates:create', ADMIN, 'Create an aggregate', ['POST /os-aggregates']),
  api('os-aggregates:show', ADMIN, 'Show details for an aggregate', ['GET /os-aggregates/{aggregate_id}']),
  api('os-aggregates:update', ADMIN, 'Update name and/or availability zone for an aggregate', [
    'PUT /os-aggregates/{aggregate_id}',
  ]),
  api('os-aggregates:delete', ADMIN, 'Delete an aggregate', ['DELETE /os-aggregates/{aggregate_id}']),
  api('os-aggregates:add_host', ADMIN, 'Add a host to an aggregate', [
    'POST /os-aggregates/{aggregate_id}/action (add_host)',
  ]),
  api('os-aggregates:remove_host', ADMIN, 'Remove a host from an aggregate', [
    'POST /os-aggregates/{aggregate_id}/action (remove_host)',
  ]),
  api('os-aggregates:set_metadata', ADMIN, 'Create or replace metadata for an aggregate', [
    'POST /os-aggregates/{aggregate_id}/action (set_metadata)',
  ]),
  api('limits', '@', 'Show rate and absolute limits for the current user project', ['GET /limits']),
  api('limits:other_project', ADMIN, 'Show rate and absolute limits of the project', ['GET /limits']),
  api('os-quota-sets:show', PROJECT_READER_OR_ADMIN, 'Show a quota', ['GET /os-quota-sets/{tenant_id}']),
  api('os-quota-sets:update', ADMIN, 'Update the quotas', ['PUT /os-quota-sets/{tenant_id}']),
  api('os-quota-sets:defaults', '@', 'List default quotas', ['GET /os-quota-sets/{tenant_id}/defaults']),
  api('os-quota-sets:delete', ADMIN, 'Revert quotas to defaults', ['DELETE /os-quota-sets/{tenant_id}']),
  api('os-quota-sets:detail', PROJECT_READER_OR_ADMIN, 'Show the detail of quota', [
    'GET /os-quota-sets/{tenant_id}/detail',
  ]),
  api(
    'os-quota-class-sets:show',
    '(rule:context_is_admin) or quota_class:%(quota_class)s',
    'List quotas for specific quota classs',
    ['GET /os-quota-class-sets/{quota_class}'],
  ),
  api('os-quota-class-sets:update', ADMIN, 'Update quotas for specific quota class', [
    'PUT /os-quota-class-sets/{quota_class}',
  ]),
]

/** Every rule nova-api registers: the base rules and one per API operation it serves. */
const SERVER_GROUP_RULES: readonly RuleDefault[] = [
  api('os-server-groups:create', 'rule:project_member_or_admin', 'Create a server group', [
    'POST /os-server-groups',
  ]),
  api('os-server-groups:delete', 'rule:project_member_or_admin', 'Delete a server group', [
    'DELETE /os-server-groups/{server_group_id}',
  ]),
  api('os-server-groups:index', 'rule:project_reader_or_admin', 'List server groups', [
    'GET /os-server-groups',
  ]),
  api('os-server-groups:index:all_projects', ADMIN, 'List server groups of all projects', [
    'GET /os-server-groups',
  ]),
  api('os-server-groups:show', 'rule:project_reader_or_admin', 'Show a server group', [
    'GET /os-server-groups/{server_group_id}',
  ]),
]

export const COMPUTE_POLICIES: readonly RuleDefault[] = [
  ...BASE_RULES,
  ...API_RULES,
  ...SERVER_GROUP_RULES,
  ...SERVER_ACTION_POLICIES,
  ...RESOURCE_POLICIES,
]
