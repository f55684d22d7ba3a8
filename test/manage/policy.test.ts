import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { runBinary } from '../support/spawn-binary.js'

describe('nova-manage policy', () => {
  it('lists every rule with its default check', async () => {
    const result = await runBinary('nova-manage', ['policy', 'list'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^identity:list_projects\n {4}rule:admin_required\n/m)
  })

  it('checks which rules a role passes', async () => {
    const member = await runBinary('nova-manage', [
      'policy',
      'check',
      '--api-name',
      'identity:',
      '--role',
      'member',
    ])
    const admin = await runBinary('nova-manage', [
      'policy',
      'check',
      '--api-name',
      'identity:',
      '--role',
      'admin',
    ])
    const memberRules = member.stdout.trim().split('\n')
    const adminRules = admin.stdout.trim().split('\n')
    assert.ok(memberRules.includes('identity:get_project'), 'a member reads its own project')
    assert.ok(!memberRules.includes('identity:create_project'))
    assert.ok(adminRules.includes('identity:create_project'))
    assert.ok(adminRules.length > memberRules.length)
  })
})
