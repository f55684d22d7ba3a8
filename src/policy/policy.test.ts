import { strict as assert } from 'node:assert'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { Invalid } from '../common/errors/index.js'
import { PolicyEnforcer, parseRule, readPolicyFile } from './index.js'

const member = { user_id: 'u1', project_id: 'p1', roles: ['member', 'reader'] }
const admin = { user_id: 'a', project_id: 'adminp', roles: ['admin', 'member', 'reader'], is_admin: true }

describe('oslo.policy rule language', () => {
  const enforcer = new PolicyEnforcer([
    { name: 'admin_required', check: 'role:admin', description: '' },
    { name: 'owner', check: 'project_id:%(project_id)s', description: '' },
    { name: 'admin_or_owner', check: 'rule:admin_required or rule:owner', description: '' },
    { name: 'os_compute_api:servers:show', check: 'rule:admin_or_owner', description: 'show a server' },
    { name: 'reader_not_admin', check: 'role:reader and not role:admin', description: '' },
    {
      name: 'grouped',
      check: '(role:member or role:observer) and (user_id:%(target.user.id)s or is_admin:True)',
      description: '',
    },
    { name: 'anyone', check: '@', description: '' },
    { name: 'nobody', check: '!', description: '' },
    { name: 'empty', check: '', description: '' },
    { name: 'literal', check: "project_id:'p1'", description: '' },
  ])

  it('evaluates roles, rules, substitutions, not/and/or with precedence and parentheses', () => {
    assert.equal(enforcer.authorize('os_compute_api:servers:show', { project_id: 'p1' }, member), true)
    assert.equal(enforcer.authorize('os_compute_api:servers:show', { project_id: 'p2' }, member), false)
    assert.equal(enforcer.authorize('os_compute_api:servers:show', { project_id: 'p2' }, admin), true)
    assert.equal(enforcer.authorize('reader_not_admin', {}, member), true)
    assert.equal(enforcer.authorize('reader_not_admin', {}, admin), false)
    assert.equal(enforcer.authorize('grouped', { target: { user: { id: 'u1' } } }, member), true)
    assert.equal(enforcer.authorize('grouped', { target: { user: { id: 'other' } } }, member), false)
    assert.equal(
      enforcer.authorize('grouped', { target: { user: { id: 'other' } } }, { ...admin, roles: ['member'] }),
      true,
    )
    assert.equal(enforcer.authorize('anyone', {}, { roles: [] }), true)
    assert.equal(enforcer.authorize('nobody', {}, admin), false)
    assert.equal(enforcer.authorize('empty', {}, { roles: [] }), true)
    assert.equal(enforcer.authorize('literal', {}, member), true)
    assert.equal(enforcer.authorize('owner', {}, member), false, 'a missing target key never matches')
  })

  it('binds and tighter than or', () => {
    const e = new PolicyEnforcer([{ name: 'r', check: 'role:a or role:b and role:c', description: '' }])
    assert.equal(e.authorize('r', {}, { roles: ['a'] }), true)
    assert.equal(e.authorize('r', {}, { roles: ['b'] }), false)
    assert.equal(e.authorize('r', {}, { roles: ['b', 'c'] }), true)
  })

  it('refuses malformed rules and unknown rule names', () => {
    assert.throws(() => parseRule('role:admin or'), Invalid)
    assert.throws(() => parseRule('(role:admin'), Invalid)
    assert.throws(() => parseRule('admin'), Invalid)
    assert.throws(() => enforcer.authorize('no_such_rule', {}, admin), /not registered/)
  })

  it('takes overrides from a YAML or JSON policy file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'))
    const yaml = path.join(dir, 'policy.yaml')
    writeFileSync(
      yaml,
      '# operators may loosen or tighten\n"os_compute_api:servers:show": "role:admin"\nanyone: "!"\n',
    )
    const json = path.join(dir, 'policy.json')
    writeFileSync(json, JSON.stringify({ 'os_compute_api:servers:show': '@' }))
    const overridden = new PolicyEnforcer(
      [
        { name: 'os_compute_api:servers:show', check: 'project_id:%(project_id)s', description: '' },
        { name: 'anyone', check: '@', description: '' },
      ],
      readPolicyFile(yaml),
    )
    assert.equal(overridden.authorize('os_compute_api:servers:show', { project_id: 'p1' }, member), false)
    assert.equal(overridden.authorize('anyone', {}, admin), false)
    assert.deepEqual(readPolicyFile(json).get('os_compute_api:servers:show'), '@')
    assert.ok(overridden.list().find((r) => r.name === 'anyone')?.overridden)
    writeFileSync(yaml, 'this is not a policy\n')
    assert.throws(() => readPolicyFile(yaml), /policy.yaml:1/)
  })
})
