import type { Logger } from '../../common/logger.js'
import type { Database } from '../../db/index.js'
import { bootstrapIdentity, type BootstrapOptions } from './bootstrap.js'
import type { IdentitySettings } from './identity-deps.js'
import { buildIdentityDeps } from './index.js'
import { FernetKeyRepository } from './tokens/key-repository.js'

/** `nova-manage identity bootstrap` (keystone-manage bootstrap): idempotent. */
export async function manageBootstrap(
  db: Database<unknown>,
  settings: IdentitySettings,
  keyRepository: string,
  bootstrap: BootstrapOptions,
  logger: Logger,
): Promise<{ adminUserId: string; adminProjectId: string }> {
  const deps = await buildIdentityDeps(db, settings, keyRepository, logger)
  return await bootstrapIdentity(deps, bootstrap)
}

/** `nova-manage identity fernet_setup`: creates the key repository when empty. Returns the number of keys. */
export function manageFernetSetup(keyRepository: string): number {
  const repo = new FernetKeyRepository(keyRepository)
  repo.setup()
  return repo.all.length
}

/** `nova-manage identity fernet_rotate`: promotes the staged key, stages a new one, drops the oldest. */
export function manageFernetRotate(keyRepository: string, maxActiveKeys: number): number {
  const repo = new FernetKeyRepository(keyRepository)
  repo.load()
  repo.rotate(maxActiveKeys)
  return repo.all.length
}
export { identityBootstrap, identityPublicUrl, identitySettings } from './settings-from-config.js'
export { IDENTITY_POLICIES } from './policies.js'
