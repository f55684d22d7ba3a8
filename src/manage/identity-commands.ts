import type { Logger } from '../common/logger.js'
import type { NovaConfig } from '../config/index.js'
import { databaseUrls, openDatabase, syncSchema } from '../db/index.js'
import {
  identityBootstrap,
  identitySettings,
  manageBootstrap,
  manageFernetRotate,
  manageFernetSetup,
} from '../services/identity/manage.js'

/**
 * `nova-manage identity bootstrap --bootstrap-password P`: the admin user, projects, roles and catalog
 * (keystone-manage bootstrap). Brings the API schema up to date first; safe to run again.
 */
export async function identityBootstrapCommand(
  config: NovaConfig,
  password: string,
  logger: Logger,
): Promise<number> {
  const db = await openDatabase<unknown>(databaseUrls(config).api, { logger })
  try {
    await syncSchema(db, 'api')
    const result = await manageBootstrap(
      db,
      identitySettings(config),
      config.fernet_tokens.key_repository,
      identityBootstrap(config, password),
      logger,
    )
    process.stdout.write(`admin user ${result.adminUserId}, admin project ${result.adminProjectId}\n`)
    return 0
  } finally {
    await db.close()
  }
}

export function fernetSetupCommand(config: NovaConfig): number {
  const keys = manageFernetSetup(config.fernet_tokens.key_repository)
  process.stdout.write(`${keys} keys in ${config.fernet_tokens.key_repository}\n`)
  return 0
}

export function fernetRotateCommand(config: NovaConfig): number {
  const keys = manageFernetRotate(config.fernet_tokens.key_repository, config.fernet_tokens.max_active_keys)
  process.stdout.write(`rotated; ${keys} keys in ${config.fernet_tokens.key_repository}\n`)
  return 0
}
