// `npm run conformance -- REGEX`: runs Debian's Tempest against a fresh nova-all (or the cloud named by
// OS_AUTH_URL/OS_PASSWORD) and compares failures with conformance/known-failures.txt. Prints a closing
// "N passed, N failed, N skipped" line; exits non-zero when a test fails that is not a known failure.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { allInOneConfig } from '../test/support/all-in-one-config.js'
import { createConformanceFixtures } from './conformance-fixtures.js'

const root = path.resolve(import.meta.dirname, '..')
const regex =
  process.argv[2] ??
  readFileSync(path.join(root, 'conformance/areas.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .join('|')

const dir = mkdtempSync(path.join(tmpdir(), 'nova-conformance-'))
const workspace = path.join(dir, 'tempest')
const { text, ports } = await allInOneConfig()
const identityPort = ports.identity
const conf = path.join(dir, 'nova.conf')
// One compute host: resize may stay on it, as the reference cloud's nova.conf allows.
writeFileSync(conf, text.replace('[DEFAULT]\n', '[DEFAULT]\nallow_resize_to_same_host = true\n'))
const nova = spawn(
  process.execPath,
  [path.join(root, 'bin/nova-all'), '--config-file', conf, '--state-path', path.join(dir, 'state')],
  {
    stdio: ['ignore', 'pipe', 'pipe'],
  },
)
let out = ''
nova.stdout.on('data', (c: Buffer) => (out += c.toString()))
nova.stderr.resume()
const cleanup = (): void => {
  nova.kill('SIGINT')
}
process.on('exit', cleanup)
const deadline = Date.now() + 60_000
while (!out.includes('Ctrl-C stops it')) {
  if (Date.now() > deadline || nova.exitCode !== null) throw new Error(`nova-all did not start:\n${out}`)
  await new Promise((r) => setTimeout(r, 200))
}
const password = readFileSync(path.join(dir, 'state', 'admin-password'), 'utf8').trim()
const fixtures = await createConformanceFixtures(
  {
    identity: `http://127.0.0.1:${identityPort}`,
    compute: `http://127.0.0.1:${ports.compute}`,
    image: `http://127.0.0.1:${ports.image}`,
  },
  password,
)

// Tempest keeps a registry of workspaces in $HOME/.tempest: give it a private HOME so runs never collide.
const tempestEnv = { ...process.env, HOME: dir }
execFileSync('tempest', ['init', workspace], { stdio: 'ignore', env: tempestEnv })
const template = readFileSync(path.join(root, 'conformance/tempest.conf.in'), 'utf8')
writeFileSync(
  path.join(workspace, 'etc', 'tempest.conf'),
  template
    .replaceAll('{{workspace}}', workspace)
    .replaceAll('{{admin_password}}', password)
    .replaceAll('{{auth_url}}', `http://127.0.0.1:${identityPort}/v3`)
    .replaceAll('{{image_ref}}', fixtures.imageRef)
    .replaceAll('{{image_ref_alt}}', fixtures.imageRefAlt)
    .replaceAll('{{flavor_ref}}', fixtures.flavorRef)
    .replaceAll('{{flavor_ref_alt}}', fixtures.flavorRefAlt),
)

process.stdout.write(`tempest run --regex '${regex}' (workspace ${workspace})\n`)
const tempest = spawn('tempest', ['run', '--regex', regex, '--concurrency', process.env.CONCURRENCY ?? '2'], {
  cwd: workspace,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: tempestEnv,
})
let log = ''
tempest.stdout.on('data', (c: Buffer) => (log += c.toString()))
tempest.stderr.on('data', (c: Buffer) => (log += c.toString()))
await new Promise((resolve) => tempest.on('close', resolve))
writeFileSync(path.join(dir, 'tempest-run.log'), log)

const count = (label: string): number => Number(new RegExp(`- ${label}: (\\d+)`).exec(log)?.[1] ?? 0)
const passed = count('Passed')
const failed = count('Failed')
const skipped = count('Skipped')
// Test ids, and class fixtures as `setUpClass (tempest.api…Class)`, that failed.
const failing = [
  ...log.matchAll(/\{\d+\} ((?:setUpClass|tearDownClass) \([^)]+\)|\S+?)(?: \[[^\]]*\])? \.\.\. FAILED/g),
].map((m) => m[1]!)
const knownFile = path.join(root, 'conformance/known-failures.txt')
const known = existsSync(knownFile)
  ? readFileSync(knownFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .map((l) => l.split(/\s+#\s+/)[0]!.trim())
  : []
const unexpected = failing.filter((id) => !known.some((k) => id.startsWith(k)))
for (const id of failing)
  process.stdout.write(`${unexpected.includes(id) ? 'FAILED (unexpected)' : 'failed (known)'} ${id}\n`)
process.stdout.write(`log: ${path.join(dir, 'tempest-run.log')}\n`)
nova.kill('SIGINT')
if (process.env.KEEP_CONFORMANCE !== '1' && unexpected.length === 0)
  rmSync(dir, { recursive: true, force: true })
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`)
process.exit(unexpected.length === 0 && (passed > 0 || failed === 0) ? 0 : 1)
