import path from 'node:path'
import { createLogger, logDestination, type Logger } from '../common/logger.js'
import {
  findDefaultConfigFiles,
  loadConfig,
  redactedConfigDump,
  type ConfigOverrides,
  type NovaConfig,
} from '../config/index.js'
import type { Daemon } from './binaries.js'
import { buildProcess, type ProcessParts } from './build-process.js'
import { parseDaemonArgs } from './cli.js'
import { ensureAdminPassword } from './client-config.js'
import { chooseAllInOneDriver, type AllInOneDriverChoice } from './real-guests.js'

export interface LaunchOptions {
  /** The name the process runs as (`nova-all`, `nova-conductor`, …). */
  readonly binary: string
  readonly daemons: readonly Daemon[]
  readonly description: string
  readonly argv: readonly string[]
  /** nova-all: sync the schema itself and write clouds.yaml; split daemons do neither. */
  readonly allInOne: boolean
  /** Runs once everything started, e.g. to print endpoints and write clouds.yaml. */
  readonly afterStart?: (parts: ProcessParts, config: NovaConfig, logger: Logger) => Promise<void>
}

/**
 * Runs a daemon until SIGINT/SIGTERM: reads the configuration (a bad value exits non-zero naming option,
 * file and line), builds and starts the services, and on a signal stops them gracefully and exits 0.
 */
export async function launch(options: LaunchOptions): Promise<void> {
  const args = parseDaemonArgs(options.binary, options.argv, options.description)
  let config: NovaConfig
  let warnings: readonly string[]
  let sources: readonly string[] = []
  let notice: AllInOneDriverChoice['notice']
  try {
    const configFiles =
      args.configFiles.length > 0 ? args.configFiles : findDefaultConfigFiles('nova', options.binary)
    const overrides: Record<string, Record<string, string>> = { DEFAULT: {} }
    if (args.statePath !== undefined) overrides.DEFAULT!.state_path = args.statePath
    if (args.debug) overrides.DEFAULT!.debug = 'true'
    const load = (extra: ConfigOverrides = {}) =>
      loadConfig({
        configFiles,
        configDirs: args.configDirs,
        overrides: { ...extra, ...overrides, DEFAULT: { ...extra.DEFAULT, ...overrides.DEFAULT } },
      })
    let loaded = load()
    if (options.allInOne) {
      // nova-all picks its hypervisor when nova.conf names none: real guests when the host can run them.
      const choice = await chooseAllInOneDriver(loaded)
      notice = choice.notice
      if (Object.keys(choice.overrides).length > 0) loaded = load(choice.overrides)
    }
    ;({ config, warnings, sources } = loaded)
  } catch (error) {
    fail(options.binary, error)
  }

  const logger = createLogger({
    binary: options.binary,
    host: config.DEFAULT.host,
    level: config.DEFAULT.debug ? 'debug' : 'info',
    destination: logDestination(config.DEFAULT.log_file, config.DEFAULT.log_dir),
  })
  for (const warning of warnings) logger.warn(warning)
  if (notice !== undefined) logger[notice.level](notice.message)
  logger.debug({ options: redactedConfigDump(config) }, 'configuration')

  let parts: ProcessParts
  try {
    parts = await buildProcess({
      config,
      daemons: options.daemons,
      logger,
      autoSyncSchema: options.allInOne,
      configDirs: [...new Set(sources.map((file) => path.dirname(path.resolve(file))))],
      ...(options.allInOne ? { adminPassword: ensureAdminPassword(config.DEFAULT.state_path) } : {}),
    })
    await parts.start()
    await options.afterStart?.(parts, config, logger)
  } catch (error) {
    logger.error({ err: error }, 'failed to start')
    fail(options.binary, error)
  }

  // Ctrl-C under `npm start` delivers SIGINT twice (the terminal's and npm's forwarded copy): only a signal
  // that comes well after the first one means "stop now".
  let stoppingSince: number | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < 2000) return
      process.stderr.write(`${options.binary}: ${signal} again, exiting now\n`)
      process.exit(1)
    }
    stoppingSince = Date.now()
    logger.info({ signal }, 'stopping')
    parts
      .stop(config.DEFAULT.graceful_shutdown_timeout * 1000)
      .then(() => {
        logger.info('stopped')
        process.exit(0)
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error while stopping')
        process.exit(1)
      })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

function fail(binary: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`${binary}: ERROR: ${message}\n`)
  process.exit(1)
}
