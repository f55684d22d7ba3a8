import { strict as assert } from 'node:assert'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { runBinary, startBinary } from '../support/spawn-binary.js'
import { allInOneConfig } from '../support/all-in-one-config.js'

const dir = mkdtempSync(path.join(tmpdir(), 'nova-launch-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function conf(name: string, text: string): string {
  const file = path.join(dir, name)
  writeFileSync(file, text)
  return file
}

describe('daemons refuse a bad nova.conf', () => {
  const bad = conf('bad.conf', '[DEFAULT]\n# a comment\nhost = node1\nreport_interval = soon\n')
  for (const binary of ['nova-conductor', 'nova-scheduler', 'nova-compute', 'nova-api', 'nova-all']) {
    it(`${binary} exits non-zero naming the option, the file and the line`, async () => {
      const result = await runBinary(binary, ['--config-file', bad, '--state-path', path.join(dir, binary)])
      assert.notEqual(result.code, 0)
      assert.match(result.stderr, /report_interval/)
      assert.ok(result.stderr.includes(`${bad}:4`), result.stderr)
      assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace')
    })
  }

  it('nova-manage exits non-zero on the same file', async () => {
    const result = await runBinary('nova-manage', ['--config-file', bad, 'db', 'version'])
    assert.notEqual(result.code, 0)
    assert.ok(result.stderr.includes(`${bad}:4`), result.stderr)
  })
})

describe('nova-all', () => {
  it('starts on embedded defaults, prints its endpoints, writes clouds.yaml, and stops cleanly on SIGINT', async () => {
    const state = path.join(dir, 'all')
    const { text, ports } = await allInOneConfig({ compute: 'any' })
    const identityPort = ports.identity
    const file = conf('all.conf', text)
    const nova = startBinary('nova-all', ['--config-file', file, '--state-path', state])
    try {
      const [, url] = await nova.waitForOutput(/compute API \(nova-api\)\s+(http:\/\/\S+)\/v2\.1/, 60_000)
      await nova.waitForOutput(/Ctrl-C stops it/, 5_000)
      assert.ok(nova.stdout().includes(`identity (Keystone v3)  http://127.0.0.1:${identityPort}/v3`))
      const cloudsYaml = path.join(state, 'clouds.yaml')
      assert.ok(existsSync(cloudsYaml))
      const password = readFileSync(path.join(state, 'admin-password'), 'utf8').trim()
      assert.ok(readFileSync(cloudsYaml, 'utf8').includes(password))
      assert.ok(nova.stdout().includes(password))
      const res = await fetch(`${url}/`)
      assert.equal(res.status, 200)
      const body = (await res.json()) as { versions: { id: string }[] }
      assert.ok(body.versions.some((v) => v.id === 'v2.1'))
      // Ctrl-C under npm delivers SIGINT twice in a row; both must lead to one clean stop.
      nova.child.kill('SIGINT')
      nova.child.kill('SIGINT')
      assert.equal(await nova.exited(), 0)
      assert.doesNotMatch(nova.stderr(), /^\s+at /m, 'no stack trace')
    } finally {
      nova.child.kill('SIGKILL')
    }
  })
})
