import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino'
import { currentContext } from './context.js'

export type Logger = PinoLogger

/** Field paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'adminPass',
  '*.adminPass',
  'auth_token',
  '*.auth_token',
  'authToken',
  '*.authToken',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'transport_url',
  '*.transport_url',
  'connection',
  '*.connection',
  'headers["x-auth-token"]',
  'headers["x-subject-token"]',
  'req.headers["x-auth-token"]',
  'req.headers["x-subject-token"]',
]

export interface LoggerOptions {
  readonly level?: string
  /** Service binary, e.g. `nova-conductor`; every line carries it. */
  readonly binary?: string
  readonly host?: string
  readonly destination?: DestinationStream
}

/**
 * A structured JSON logger. Each line carries the request id (and global request id, user, project) of the
 * context the code runs under, so a request can be followed across services.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base: Record<string, unknown> = { pid: process.pid }
  if (options.binary !== undefined) base.binary = options.binary
  if (options.host !== undefined) base.host = options.host
  const pinoOptions = {
    level: options.level ?? process.env.NOVA_LOG_LEVEL ?? 'info',
    base,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin(): Record<string, unknown> {
      const ctx = currentContext()
      if (ctx === undefined) return {}
      const fields: Record<string, unknown> = { request_id: ctx.requestId }
      if (ctx.globalRequestId !== undefined) fields.global_request_id = ctx.globalRequestId
      if (ctx.userId !== undefined) fields.user_id = ctx.userId
      if (ctx.projectId !== undefined) fields.project_id = ctx.projectId
      return fields
    },
  }
  return options.destination === undefined ? pino(pinoOptions) : pino(pinoOptions, options.destination)
}

/** A logger that drops everything; for unit tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}

/**
 * Where a daemon's log lines go: the file `[DEFAULT] log_file` (under `log_dir` when relative) or standard error,
 * leaving standard output to what the program prints for people.
 */
export function logDestination(logFile?: string, logDir?: string): DestinationStream {
  if (logFile === undefined) return pino.destination({ dest: 2, sync: true })
  const file = logDir !== undefined && !logFile.startsWith('/') ? `${logDir}/${logFile}` : logFile
  return pino.destination({ dest: file, mkdir: true, sync: true })
}
