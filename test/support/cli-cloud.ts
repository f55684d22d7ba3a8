import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { allInOneConfig, type AllInOnePorts } from './all-in-one-config.js'
import { startBinary, type RunningBinary } from './spawn-binary.js'

const run = promisify(execFile)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CliJson = any

const inCi = process.env.CI === 'true' || process.env.CI === '1'

/** Whether Debian's `openstack` CLI is here; under CI its absence is an error, never a skip. */
export async function openstackCliPresent(): Promise<boolean> {
  const have = await run('openstack', ['--version']).then(
    () => true,
    () => false,
  )
  if (!have && inCi)
    throw new Error('the openstack CLI (python3-openstackclient) is missing; .ci/run installs it')
  return have
}

/** A nova-all of its own on free ports, and the admin's `openstack` environment for it. */
export interface CliCloud {
  readonly dir: string
  readonly nova: RunningBinary
  readonly ports: AllInOnePorts
  /** Environment common to every user (auth URL, domains, region) without credentials. */
  readonly base: NodeJS.ProcessEnv
  readonly admin: NodeJS.ProcessEnv
  /** Runs `openstack args…` and parses its JSON output (undefined for none). */
  os(env: NodeJS.ProcessEnv, args: string[]): Promise<CliJson>
  stop(): Promise<void>
}

/**
 * Starts the nova-all. `driver: 'unset'` leaves compute_driver to nova-all's choice: real QEMU guests here, the
 * test guest registered on the first start as the image `nova-ts-test-guest` (which takes longer).
 */
export async function startCliCloud(
  prefix: string,
  options: { readonly driver?: 'fake' | 'unset' } = {},
): Promise<CliCloud> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  const { text, ports } = await allInOneConfig(options.driver === undefined ? {} : { driver: options.driver })
  const conf = path.join(dir, 'nova.conf')
  writeFileSync(conf, text)
  const nova = startBinary('nova-all', ['--config-file', conf, '--state-path', path.join(dir, 'state')])
  await nova.waitForOutput(/Ctrl-C stops it/, options.driver === 'unset' ? 300_000 : 60_000)
  const base = {
    PATH: process.env.PATH,
    HOME: dir,
    OS_AUTH_URL: `http://127.0.0.1:${ports.identity}/v3`,
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_IDENTITY_API_VERSION: '3',
    OS_REGION_NAME: 'RegionOne',
  }
  const admin = {
    ...base,
    OS_USERNAME: 'admin',
    OS_PASSWORD: readFileSync(path.join(dir, 'state', 'admin-password'), 'utf8').trim(),
    OS_PROJECT_NAME: 'admin',
  }
  return {
    dir,
    nova,
    ports,
    base,
    admin,
    async os(env, args) {
      const { stdout } = await run('openstack', args, { env, maxBuffer: 1 << 24 })
      return stdout.trim() === '' ? undefined : JSON.parse(stdout)
    },
    async stop() {
      nova.child.kill('SIGINT')
      await nova.exited()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
