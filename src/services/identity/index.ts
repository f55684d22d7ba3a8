import type { Logger } from '../../common/logger.js'
import type { Database } from '../../db/index.js'
import type { Service } from '../../service/service.js'
import type { MessageBus } from '../../bus/index.js'
import { announceRevocations } from './announce-revocations.js'
import { existsSync } from 'node:fs'
import { PolicyEnforcer, readPolicyFile } from '../../policy/index.js'
import { createIdentityApp } from './app.js'
import { IDENTITY_POLICIES } from './policies.js'
import { bootstrapIdentity, type BootstrapOptions } from './bootstrap.js'
import type { IdentityDeps, IdentitySettings } from './identity-deps.js'
import { createCatalogStore } from './store/catalog.js'
import { createCredentialStore } from './store/credentials.js'
import { createGroupStore } from './store/groups.js'
import { identityDb } from './store/identity-db.js'
import { createProjectStore } from './store/projects.js'
import { createRevocationStore } from './store/revocations.js'
import { createRoleStore } from './store/roles.js'
import { createUserStore } from './store/users.js'
import { FernetKeyRepository } from './tokens/key-repository.js'
import { RevocationCache } from './tokens/revocation-cache.js'
import { closeHttp } from '../../http/serve.js'

export type { BootstrapOptions } from './bootstrap.js'
export type { IdentitySettings } from './identity-deps.js'

/** Builds the identity operations over the API database and a Fernet key directory (created if empty). */
export async function buildIdentityDeps(
  db: Database<unknown>,
  settings: IdentitySettings,
  keyDir: string,
  logger: Logger,
): Promise<IdentityDeps> {
  const idb = identityDb(db)
  const revocations = createRevocationStore(idb)
  const keys = new FernetKeyRepository(keyDir)
  keys.setup()
  const revocationCache = new RevocationCache(revocations)
  await revocationCache.reload()
  return {
    projects: createProjectStore(idb),
    users: createUserStore(idb),
    roles: createRoleStore(idb),
    catalog: createCatalogStore(idb),
    credentials: createCredentialStore(idb),
    groups: createGroupStore(idb),
    revocations,
    revocationCache,
    keys,
    settings,
    logger,
  }
}

export interface IdentityServiceOptions {
  readonly db: Database<unknown>
  readonly settings: IdentitySettings
  readonly keyRepository: string
  readonly listen: string
  readonly port: number
  readonly logger: Logger
  /** Revocations are announced on it, so that every service's token verifier refreshes at once. */
  readonly bus: MessageBus
  /** `[oslo_policy] policy_file`, resolved; a missing file means the defaults apply. */
  readonly policyFile?: string
  /** nova-all bootstraps on start (idempotent); a split identity daemon is bootstrapped by nova-manage. */
  readonly bootstrap?: BootstrapOptions
}

/** The identity service (Keystone v3 subset) on its own port. */
export function createIdentityService(options: IdentityServiceOptions): Service {
  let app: ReturnType<typeof createIdentityApp> | undefined
  return {
    binary: 'nova-identity',
    async start() {
      const deps = await buildIdentityDeps(
        options.db,
        options.settings,
        options.keyRepository,
        options.logger,
      )
      announceRevocations(deps.revocationCache, options.bus, options.logger)
      if (options.bootstrap !== undefined) await bootstrapIdentity(deps, options.bootstrap)
      const overrides =
        options.policyFile !== undefined && existsSync(options.policyFile)
          ? readPolicyFile(options.policyFile)
          : new Map<string, string>()
      app = createIdentityApp(deps, options.logger, new PolicyEnforcer(IDENTITY_POLICIES, overrides))
      await app.listen({ host: options.listen, port: options.port })
    },
    async stop(drainMs) {
      await closeHttp(app, drainMs)
    },
    endpoints: () => [`identity (Keystone v3)  ${options.settings.publicUrl}/v3`],
  }
}
