import type { UntypedKysely } from '../../untyped.js'
import type { SqlDifferences } from '../../sql-differences.js'
import { createTable, type TableSpec } from '../table-builder.js'

// The identity service's tables (Keystone v3's model), in the API database: global, like Nova's API tables.
// Ids are Keystone-style 32-hex strings; `domain_id` '<<null>>' marks a global role, as in Keystone.

const str = (name: string, n = 255, notNull = false) => ({ name, kind: `string(${n})` as const, notNull })
const id = (name = 'id') => ({ name, kind: 'string(64)' as const, notNull: true })

const TABLES: readonly TableSpec[] = [
  {
    name: 'identity_domains',
    columns: [
      id(),
      str('name', 64, true),
      { name: 'description', kind: 'text' },
      { name: 'enabled', kind: 'bool', notNull: true, default: 1 },
    ],
    primaryKey: ['id'],
    unique: [['name']],
    softDelete: false,
  },
  {
    name: 'identity_projects',
    columns: [
      id(),
      str('name', 64, true),
      id('domain_id'),
      str('parent_id', 64),
      { name: 'description', kind: 'text' },
      { name: 'enabled', kind: 'bool', notNull: true, default: 1 },
      { name: 'tags', kind: 'text' },
    ],
    primaryKey: ['id'],
    unique: [['domain_id', 'name']],
    softDelete: false,
  },
  {
    name: 'identity_users',
    columns: [
      id(),
      str('name', 255, true),
      id('domain_id'),
      { name: 'enabled', kind: 'bool', notNull: true, default: 1 },
      str('default_project_id', 64),
      str('password_hash', 255),
      { name: 'password_expires_at', kind: 'datetime' },
      { name: 'failed_auth_count', kind: 'int', notNull: true, default: 0 },
      { name: 'last_failed_auth_at', kind: 'datetime' },
      { name: 'extra', kind: 'text' },
    ],
    primaryKey: ['id'],
    unique: [['domain_id', 'name']],
    softDelete: false,
  },
  {
    name: 'identity_groups',
    columns: [id(), str('name', 64, true), id('domain_id'), { name: 'description', kind: 'text' }],
    primaryKey: ['id'],
    unique: [['domain_id', 'name']],
    softDelete: false,
  },
  {
    name: 'identity_group_members',
    columns: [id('group_id'), id('user_id')],
    primaryKey: ['group_id', 'user_id'],
    softDelete: false,
  },
  {
    name: 'identity_roles',
    columns: [id(), str('name', 255, true), id('domain_id'), { name: 'description', kind: 'text' }],
    primaryKey: ['id'],
    unique: [['name', 'domain_id']],
    softDelete: false,
  },
  {
    name: 'identity_implied_roles',
    columns: [id('prior_role_id'), id('implied_role_id')],
    primaryKey: ['prior_role_id', 'implied_role_id'],
    softDelete: false,
  },
  {
    name: 'identity_assignments',
    columns: [
      str('type', 16, true),
      id('actor_id'),
      id('target_id'),
      id('role_id'),
      { name: 'inherited', kind: 'bool', notNull: true, default: 0 },
    ],
    primaryKey: ['type', 'actor_id', 'target_id', 'role_id', 'inherited'],
    indexes: [['actor_id'], ['target_id'], ['role_id']],
    softDelete: false,
  },
  {
    name: 'identity_regions',
    columns: [id(), { name: 'description', kind: 'text' }, str('parent_region_id', 255)],
    primaryKey: ['id'],
    softDelete: false,
  },
  {
    name: 'identity_services',
    columns: [
      id(),
      str('type', 255, true),
      str('name', 255),
      { name: 'description', kind: 'text' },
      { name: 'enabled', kind: 'bool', notNull: true, default: 1 },
    ],
    primaryKey: ['id'],
    softDelete: false,
  },
  {
    name: 'identity_endpoints',
    columns: [
      id(),
      id('service_id'),
      str('interface', 8, true),
      str('region_id', 255),
      { name: 'url', kind: 'text', notNull: true },
      { name: 'enabled', kind: 'bool', notNull: true, default: 1 },
    ],
    primaryKey: ['id'],
    indexes: [['service_id']],
    softDelete: false,
  },
  {
    name: 'identity_revocations',
    columns: [
      { name: 'id', kind: 'id' },
      str('user_id', 64),
      str('project_id', 64),
      str('audit_id', 64),
      { name: 'issued_before', kind: 'datetime', notNull: true },
      { name: 'revoked_at', kind: 'datetime', notNull: true },
    ],
    indexes: [['revoked_at']],
    softDelete: false,
  },
]

export const migration = (d: SqlDifferences) => ({
  async up(db: UntypedKysely): Promise<void> {
    for (const table of TABLES) await createTable(db, d, table)
  },
})
