import type { RuleDefault } from '../../policy/index.js'

const DEFAULT = 'rule:admin_or_service_api'

/** Route (method + fastify url pattern) → the placement policy rule that guards it (placement's names). */
export const ROUTE_POLICIES: Readonly<Record<string, string>> = {
  'GET /resource_providers': 'placement:resource_providers:list',
  'POST /resource_providers': 'placement:resource_providers:create',
  'GET /resource_providers/:uuid': 'placement:resource_providers:show',
  'PUT /resource_providers/:uuid': 'placement:resource_providers:update',
  'DELETE /resource_providers/:uuid': 'placement:resource_providers:delete',
  'GET /resource_providers/:uuid/inventories': 'placement:resource_providers:inventories:list',
  'POST /resource_providers/:uuid/inventories': 'placement:resource_providers:inventories:create',
  'PUT /resource_providers/:uuid/inventories': 'placement:resource_providers:inventories:update',
  'DELETE /resource_providers/:uuid/inventories': 'placement:resource_providers:inventories:delete',
  'GET /resource_providers/:uuid/inventories/:rc': 'placement:resource_providers:inventories:show',
  'PUT /resource_providers/:uuid/inventories/:rc': 'placement:resource_providers:inventories:update',
  'DELETE /resource_providers/:uuid/inventories/:rc': 'placement:resource_providers:inventories:delete',
  'GET /resource_providers/:uuid/aggregates': 'placement:resource_providers:aggregates:list',
  'PUT /resource_providers/:uuid/aggregates': 'placement:resource_providers:aggregates:update',
  'GET /resource_providers/:uuid/traits': 'placement:resource_providers:traits:list',
  'PUT /resource_providers/:uuid/traits': 'placement:resource_providers:traits:update',
  'DELETE /resource_providers/:uuid/traits': 'placement:resource_providers:traits:delete',
  'GET /resource_providers/:uuid/usages': 'placement:resource_providers:usages',
  'GET /resource_providers/:uuid/allocations': 'placement:resource_providers:allocations:list',
  'GET /usages': 'placement:usages',
  'GET /traits': 'placement:traits:list',
  'GET /traits/:name': 'placement:traits:show',
  'PUT /traits/:name': 'placement:traits:update',
  'DELETE /traits/:name': 'placement:traits:delete',
  'GET /resource_classes': 'placement:resource_classes:list',
  'POST /resource_classes': 'placement:resource_classes:create',
  'GET /resource_classes/:name': 'placement:resource_classes:show',
  'PUT /resource_classes/:name': 'placement:resource_classes:update',
  'DELETE /resource_classes/:name': 'placement:resource_classes:delete',
  'GET /allocations/:consumer': 'placement:allocations:list',
  'PUT /allocations/:consumer': 'placement:allocations:update',
  'POST /allocations': 'placement:allocations:manage',
  'DELETE /allocations/:consumer': 'placement:allocations:delete',
  'GET /allocation_candidates': 'placement:allocation_candidates:list',
  'POST /reshaper': 'placement:reshaper:reshape',
}

/** Placement's policy defaults: the admin role (operators) or the service role (nova's own calls). */
export const PLACEMENT_POLICIES: readonly RuleDefault[] = [
  { name: 'admin_api', check: 'role:admin', description: 'The caller holds the admin role.' },
  { name: 'service_api', check: 'role:service', description: 'The caller is a service user.' },
  {
    name: 'admin_or_service_api',
    check: 'rule:admin_api or rule:service_api',
    description: 'An operator or a service.',
  },
  ...[...new Set(Object.values(ROUTE_POLICIES))].map((name) => ({
    name,
    check: DEFAULT,
    description: `Placement API: ${name.slice('placement:'.length).replace(/:/g, ' ')}.`,
    operations: Object.entries(ROUTE_POLICIES)
      .filter(([, rule]) => rule === name)
      .map(([route]) => route),
  })),
]
