import { Command } from 'commander'
import { findDefaultConfigFiles, loadConfig, renderSampleConfig, type NovaConfig } from '../config/index.js'
import { createLogger, logDestination } from '../common/logger.js'
import { archiveCommand, purgeCommand, syncCommand, versionCommand } from './db-commands.js'
import { placementAuditCommand } from './placement-commands.js'
import { policyCheckCommand, policyListCommand } from './policy-commands.js'
import { fernetRotateCommand, fernetSetupCommand, identityBootstrapCommand } from './identity-commands.js'
import { buildTestImageCommand, DEFAULT_DEB_DIR } from './image-commands.js'

const collect = (value: string, previous: string[]): string[] => [...previous, value]

/**
 * `nova-manage`: the operator's command line (Nova's names): `db sync|version|archive_deleted_rows|purge`,
 * `api_db sync|version`, `placement audit`, `image build-test`, `config sample`. Returns the exit code.
 */
export async function novaManage(argv: readonly string[]): Promise<number> {
  const program = new Command('nova-manage')
    .description('nova-ts management commands')
    .enablePositionalOptions()
    .option('--config-file <path>', 'a nova.conf to read; repeatable', collect, [])
    .option('--config-dir <path>', 'a directory of *.conf files; repeatable', collect, [])
    .exitOverride()
  const config = (): NovaConfig => {
    const opts = program.opts<{ configFile: string[]; configDir: string[] }>()
    const files = opts.configFile.length > 0 ? opts.configFile : findDefaultConfigFiles('nova', 'nova-manage')
    const { config: loaded, warnings } = loadConfig({ configFiles: files, configDirs: opts.configDir })
    for (const warning of warnings) process.stderr.write(`WARNING: ${warning}\n`)
    return loaded
  }
  const logger = createLogger({
    binary: 'nova-manage',
    level: process.env.NOVA_LOG_LEVEL ?? 'warn',
    destination: logDestination(),
  })
  let code = 0
  const run = (fn: () => Promise<number>) => async () => {
    code = await fn()
  }

  for (const kind of ['main', 'api'] as const) {
    const group = program
      .command(kind === 'main' ? 'db' : 'api_db')
      .description(kind === 'main' ? 'the main (cell) database' : 'the API database')
    group
      .command('sync')
      .description('upgrade the schema to the latest (or the given) version')
      .option('--version <n>', 'target schema version')
      .action(async (opts: { version?: string }) => {
        await run(() => syncCommand(config(), kind, opts.version, logger))()
      })
    group
      .command('version')
      .description('print the current schema version')
      .action(run(() => versionCommand(config(), kind, logger)))
    if (kind === 'main') {
      group
        .command('archive_deleted_rows')
        .description('move soft-deleted rows to the shadow tables')
        .option('--max_rows <n>', 'rows to archive in one batch', '1000')
        .option('--before <date>', 'only rows deleted before this date')
        .option('--verbose', 'print the number of rows archived per table', false)
        .option('--until-complete', 'repeat in batches until nothing is left', false)
        .action(
          async (opts: { max_rows: string; before?: string; verbose: boolean; untilComplete: boolean }) => {
            await run(() => archiveCommand(config(), opts, logger))()
          },
        )
      group
        .command('purge')
        .description('delete rows from the shadow tables')
        .option('--before <date>', 'only rows deleted before this date')
        .option('--all', 'purge every shadow row', false)
        .option('--verbose', 'print the number of rows purged per table', false)
        .action(async (opts: { before?: string; all: boolean; verbose: boolean }) => {
          await run(() => purgeCommand(config(), opts, logger))()
        })
    }
  }
  const identity = program.command('identity').description('the identity service (keystone-manage)')
  identity
    .command('bootstrap')
    .description('create the admin user, projects, roles and the service catalog; safe to run again')
    .requiredOption('--bootstrap-password <password>', 'the admin user’s password')
    .action(async (opts: { bootstrapPassword: string }) => {
      await run(() => identityBootstrapCommand(config(), opts.bootstrapPassword, logger))()
    })
  identity
    .command('fernet_setup')
    .description('create the Fernet key repository')
    .action(async () => {
      code = fernetSetupCommand(config())
    })
  identity
    .command('fernet_rotate')
    .description('rotate the Fernet keys')
    .action(async () => {
      code = fernetRotateCommand(config())
    })
  program
    .command('placement')
    .description('placement allocations')
    .command('audit')
    .description(
      'find allocations of no instance (orphans) and instances without allocations; --delete fixes both',
    )
    .option('--verbose', 'print a summary even when nothing is found', false)
    .option('--delete', 'delete orphaned allocations and heal instances without allocations', false)
    .option('--resource_provider <uuid>', 'only this compute node resource provider')
    .action(async (opts: { verbose: boolean; delete: boolean; resource_provider?: string }) => {
      await run(() => placementAuditCommand(config(), opts, logger))()
    })
  const policy = program.command('policy').description('API access policy (oslo.policy)')
  policy
    .command('list')
    .description('print every policy rule with its default and what it governs')
    .action(async () => {
      code = policyListCommand()
    })
  policy
    .command('check')
    .description('print the rules a caller with these roles passes')
    .option('--api-name <prefix>', 'only rules whose name starts with this, e.g. identity:')
    .option('--role <role>', 'a role of the caller (repeatable)', collect, [])
    .option('--user-id <id>', 'the caller', 'user')
    .option('--project-id <id>', "the caller's project", 'project')
    .action(async (opts: { apiName?: string; role: string[]; userId: string; projectId: string }) => {
      code = policyCheckCommand(opts)
    })
  program
    .command('image')
    .description('guest images')
    .command('build-test')
    .description(
      'build the tiny test guest (Debian cloud kernel + busybox-static initramfs) offline, for the QEMU driver',
    )
    .option(
      '--output <dir>',
      'where to write vmlinuz, initramfs.gz and disk.raw (default $state_path/test-image)',
    )
    .option('--deb-dir <dir>', 'where the linux-image-*-cloud-amd64 .deb is', DEFAULT_DEB_DIR)
    .action(async (opts: { output?: string; debDir: string }) => {
      const output = opts.output ?? `${config().DEFAULT.state_path}/test-image`
      code = await buildTestImageCommand({ output, debDir: opts.debDir })
    })
  program
    .command('config')
    .description('configuration helpers')
    .command('sample')
    .description('print a commented sample nova.conf with every option, its default and its help')
    .action(async () => {
      process.stdout.write(renderSampleConfig())
    })

  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (error) {
    const e = error as { code?: string; exitCode?: number; message?: string }
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : (e.exitCode ?? 2)
    }
    process.stderr.write(`nova-manage: ERROR: ${e.message ?? String(error)}\n`)
    return 1
  }
  return code
}
