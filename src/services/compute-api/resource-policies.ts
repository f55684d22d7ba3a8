import type { RuleDefault } from '../../policy/index.js'

// Nova's policy defaults for the images-era and support resources: ips, server password, diagnostics, external
// events, migrations, simple tenant usage, extensions and the usage audit log.

const ADMIN = 'rule:context_is_admin'
const READER = 'rule:project_reader_or_admin'
const MEMBER = 'rule:project_member_or_admin'

const api = (name: string, check: string, description: string, operations: string[]): RuleDefault => ({
  name: `os_compute_api:${name}`,
  check,
  description,
  operations,
})

export const RESOURCE_POLICIES: readonly RuleDefault[] = [
  api('ips:index', READER, 'List IP addresses that are assigned to a server', [
    'GET /servers/{server_id}/ips',
  ]),
  api('ips:show', READER, 'Show IP addresses details for a network label of a server', [
    'GET /servers/{server_id}/ips/{network_label}',
  ]),
  api('os-server-password:show', READER, 'Show the encrypted administrative password of a server', [
    'GET /servers/{server_id}/os-server-password',
  ]),
  api('os-server-password:clear', MEMBER, 'Clear the encrypted administrative password of a server', [
    'DELETE /servers/{server_id}/os-server-password',
  ]),
  api('os-server-diagnostics', ADMIN, 'Show the usage data for a server', [
    'GET /servers/{server_id}/diagnostics',
  ]),
  api('os-server-external-events:create', 'rule:service_or_admin', 'Create one or more external events', [
    'POST /os-server-external-events',
  ]),
  api('os-migrations:index', ADMIN, 'List migrations', ['GET /os-migrations']),
  api('servers:migrations:index', ADMIN, 'Lists in-progress live migrations for a given server', [
    'GET /servers/{server_id}/migrations',
  ]),
  api('servers:migrations:show', ADMIN, 'Show details for an in-progress live migration for a given server', [
    'GET /servers/{server_id}/migrations/{migration_id}',
  ]),
  api(
    'servers:migrations:force_complete',
    ADMIN,
    'Force an in-progress live migration for a given server to complete',
    ['POST /servers/{server_id}/migrations/{migration_id}/action (force_complete)'],
  ),
  api('servers:migrations:delete', ADMIN, 'Delete(Abort) an in-progress live migration', [
    'DELETE /servers/{server_id}/migrations/{migration_id}',
  ]),
  api('os-simple-tenant-usage:list', ADMIN, 'List per tenant usage statistics for all tenants', [
    'GET /os-simple-tenant-usage',
  ]),
  api('os-simple-tenant-usage:show', READER, 'Show usage statistics for a specific tenant', [
    'GET /os-simple-tenant-usage/{tenant_id}',
  ]),
  api('extensions', '@', 'List available extensions and show information for an extension by alias', [
    'GET /extensions',
    'GET /extensions/{alias}',
  ]),
  api('os-instance-usage-audit-log:list', ADMIN, 'List all usage audits', [
    'GET /os-instance_usage_audit_log',
  ]),
  api('os-instance-usage-audit-log:show', ADMIN, 'List all usage audits occurred before a specified time', [
    'GET /os-instance_usage_audit_log/{before_timestamp}',
  ]),
]
