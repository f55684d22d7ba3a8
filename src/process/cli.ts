import { Command } from 'commander'

/** The oslo-style command line every daemon accepts. */
export interface DaemonArgs {
  readonly configFiles: readonly string[]
  readonly configDirs: readonly string[]
  readonly statePath?: string
  readonly debug: boolean
}

const collect = (value: string, previous: string[]): string[] => [...previous, value]

/**
 * Parses `--config-file` (repeatable), `--config-dir` (repeatable), `--state-path` and `--debug`, like
 * oslo.config's command line. `--help` prints usage and exits 0; a bad flag exits 1 with a message.
 */
export function parseDaemonArgs(binary: string, argv: readonly string[], description: string): DaemonArgs {
  const program = new Command(binary)
    .description(description)
    .option(
      '--config-file <path>',
      'a nova.conf to read; repeatable, later files override earlier ones',
      collect,
      [],
    )
    .option(
      '--config-dir <path>',
      'a directory whose *.conf files are read in sorted order; repeatable',
      collect,
      [],
    )
    .option('--state-path <path>', 'override [DEFAULT] state_path')
    .option('-d, --debug', 'log at debug level ([DEFAULT] debug)', false)
    .allowExcessArguments(false)
  program.parse([...argv], { from: 'user' })
  const opts = program.opts<{
    configFile: string[]
    configDir: string[]
    statePath?: string
    debug: boolean
  }>()
  return {
    configFiles: opts.configFile,
    configDirs: opts.configDir,
    ...(opts.statePath === undefined ? {} : { statePath: opts.statePath }),
    debug: opts.debug,
  }
}
