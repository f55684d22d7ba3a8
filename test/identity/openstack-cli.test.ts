import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { openstackCliPresent, startCliCloud, type CliCloud, type CliJson } from '../support/cli-cloud.js'

const haveCli = await openstackCliPresent()

describe(
  '[cli:openstack] the openstack CLI against nova-all',
  { skip: haveCli ? false : 'openstack CLI not installed (apt install python3-openstackclient)' },
  () => {
    let cloud: CliCloud

    before(async () => {
      cloud = await startCliCloud('nova-cli-')
    })
    after(async () => cloud?.stop())

    /** Runs `openstack <args> -f json` (when it prints) as the admin and parses the output. */
    const os = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliJson> =>
      cloud.os({ ...cloud.admin, ...extraEnv }, args)

    it('token issue and catalog list', async () => {
      const token = await os(['token', 'issue', '-f', 'json'])
      assert.match(token.id, /^gAAAAA/)
      assert.match(token.project_id, /^[0-9a-f]{32}$/)
      const catalog = await os(['catalog', 'list', '-f', 'json'])
      assert.deepEqual(catalog.map((c: { Type: string }) => c.Type).sort(), [
        'compute',
        'identity',
        'image',
        'placement',
      ])
    })

    it('project create, list, show, set and delete', async () => {
      const created = await os([
        'project',
        'create',
        'cli-demo',
        '--description',
        'made by the CLI',
        '-f',
        'json',
      ])
      assert.equal(created.name, 'cli-demo')
      const listed = await os(['project', 'list', '-f', 'json'])
      assert.ok(listed.some((p: { Name: string }) => p.Name === 'cli-demo'))
      await os(['project', 'set', '--description', 'changed', 'cli-demo'])
      const shown = await os(['project', 'show', 'cli-demo', '-f', 'json'])
      assert.equal(shown.description, 'changed')
      await os(['project', 'delete', 'cli-demo'])
      const after = await os(['project', 'list', '-f', 'json'])
      assert.ok(!after.some((p: { Name: string }) => p.Name === 'cli-demo'))
    })

    it('user create with a password, role add, role assignment list --names, the user logs in, set and delete', async () => {
      await os(['project', 'create', 'cli-team', '-f', 'json'])
      await os([
        'user',
        'create',
        '--password',
        'pw-carol',
        '--email',
        'carol@example.com',
        'carol',
        '-f',
        'json',
      ])
      await os(['role', 'add', '--user', 'carol', '--project', 'cli-team', 'member'])
      const assignments = await os([
        'role',
        'assignment',
        'list',
        '--names',
        '--project',
        'cli-team',
        '-f',
        'json',
      ])
      assert.deepEqual(
        assignments.map((a: { Role: string; User: string; Project: string }) => [a.Role, a.User, a.Project]),
        [['member', 'carol@Default', 'cli-team@Default']],
      )
      const carol = await os(['token', 'issue', '-f', 'json'], {
        OS_USERNAME: 'carol',
        OS_PASSWORD: 'pw-carol',
        OS_PROJECT_NAME: 'cli-team',
      })
      const team = await os(['project', 'show', 'cli-team', '-f', 'json'])
      assert.equal(carol.project_id, team.id)
      await os(['user', 'set', '--password', 'pw-new', 'carol'])
      await assert.rejects(
        os(['token', 'issue', '-f', 'json'], {
          OS_USERNAME: 'carol',
          OS_PASSWORD: 'pw-carol',
          OS_PROJECT_NAME: 'cli-team',
        }),
      )
      await os(['user', 'delete', 'carol'])
      const users = await os(['user', 'list', '-f', 'json'])
      assert.ok(!users.some((u: { Name: string }) => u.Name === 'carol'))
    })

    it('application credential create, then token issue with v3applicationcredential; deleting it ends its tokens', async () => {
      const cred = await os([
        'application',
        'credential',
        'create',
        'cli-cred',
        '--description',
        'for scripts',
        '-f',
        'json',
      ])
      assert.match(cred.secret, /.{20,}/)
      const appEnv = {
        OS_AUTH_TYPE: 'v3applicationcredential',
        OS_APPLICATION_CREDENTIAL_ID: cred.id,
        OS_APPLICATION_CREDENTIAL_SECRET: cred.secret,
        OS_USERNAME: '',
        OS_PASSWORD: '',
        OS_PROJECT_NAME: '',
      }
      const token = await os(['token', 'issue', '-f', 'json'], appEnv)
      const admin = await os(['project', 'show', 'admin', '-f', 'json'])
      assert.equal(token.project_id, admin.id)
      const listed = await os(['application', 'credential', 'list', '-f', 'json'])
      assert.deepEqual(
        listed.map((c: { Name: string }) => c.Name),
        ['cli-cred'],
      )
      await os(['application', 'credential', 'delete', 'cli-cred'])
      await assert.rejects(os(['token', 'issue', '-f', 'json'], appEnv))
    })

    it('ec2 credentials create and list', async () => {
      const created = await os(['ec2', 'credentials', 'create', '-f', 'json'])
      assert.match(created.access, /^[0-9a-f]{32}$/)
      assert.match(created.secret, /^[0-9a-f]{32}$/)
      const listed = await os(['ec2', 'credentials', 'list', '-f', 'json'])
      assert.ok(listed.some((c: { Access: string }) => c.Access === created.access))
      await os(['ec2', 'credentials', 'delete', created.access])
      assert.ok(
        !(await os(['ec2', 'credentials', 'list', '-f', 'json'])).some(
          (c: { Access: string }) => c.Access === created.access,
        ),
      )
    })

    it('endpoint list shows identity, image, compute and placement on every interface', async () => {
      const endpoints = await os(['endpoint', 'list', '-f', 'json'])
      assert.equal(endpoints.length, 12)
      assert.ok(
        endpoints.some(
          (e: { 'Service Type': string; URL: string }) =>
            e['Service Type'] === 'compute' && e.URL.endsWith('/v2.1'),
        ),
      )
    })
  },
)
