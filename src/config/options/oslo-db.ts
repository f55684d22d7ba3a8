import { boolOpt, intOpt, strOpt } from '../opt.js'

/**
 * The oslo.db options shared by `[database]`, `[api_database]` and `[placement_database]` (a template, not a
 * section): `what` names the database in the help texts.
 */
export function osloDbSection(what: string) {
  return {
    connection: strOpt({
      secret: true,
      help: `SQLAlchemy-style URL of ${what}: sqlite:////path/file.sqlite, postgresql://user:pass@host/db or mysql+pymysql://user:pass@host/db?charset=utf8. Unset: an SQLite file under state_path.`,
    }),
    slave_connection: strOpt({ secret: true, help: `Read-only replica URL of ${what}.` }),
    connection_debug: intOpt({
      default: 0,
      min: 0,
      max: 100,
      help: 'SQL debug verbosity: 0 none, 100 everything.',
    }),
    max_pool_size: intOpt({ default: 5, min: 1, help: 'Connections kept open per process.' }),
    max_overflow: intOpt({ default: 50, min: 0, help: 'Connections allowed over max_pool_size.' }),
    max_retries: intOpt({ default: 10, min: -1, help: 'Connection attempts at start (-1: forever).' }),
    retry_interval: intOpt({ default: 10, min: 0, help: 'Seconds between connection attempts.' }),
    pool_timeout: intOpt({ default: 30, min: 1, help: 'Seconds to wait for a free pooled connection.' }),
    connection_recycle_time: intOpt({
      default: 3600,
      min: 1,
      help: 'Seconds after which a pooled connection is replaced.',
    }),
    mysql_sql_mode: strOpt({ default: 'TRADITIONAL', help: 'SQL mode set on MySQL connections.' }),
    sqlite_synchronous: boolOpt({ default: true, help: 'Use synchronous mode for SQLite.' }),
  } as const
}
