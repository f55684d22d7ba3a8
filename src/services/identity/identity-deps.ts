import type { Logger } from '../../common/logger.js'
import type { CatalogStore } from './store/catalog.js'
import type { CredentialStore } from './store/credentials.js'
import type { GroupStore } from './store/groups.js'
import type { ProjectStore } from './store/projects.js'
import type { RevocationStore } from './store/revocations.js'
import type { RoleStore } from './store/roles.js'
import type { UserStore } from './store/users.js'
import type { FernetKeyRepository } from './tokens/key-repository.js'
import type { RevocationCache } from './tokens/revocation-cache.js'

export interface IdentitySettings {
  /** `[token] expiration`, seconds. */
  readonly tokenExpirationS: number
  readonly defaultDomainId: string
  readonly passwordHashRounds: number
  readonly lockoutFailureAttempts: number | undefined
  readonly lockoutDurationS: number
  /** Base URL of this service as clients reach it, e.g. `http://10.0.0.5:5000`. */
  readonly publicUrl: string
}

/** Everything the identity operations need, built once by createIdentityService. */
export interface IdentityDeps {
  readonly projects: ProjectStore
  readonly users: UserStore
  readonly roles: RoleStore
  readonly catalog: CatalogStore
  readonly credentials: CredentialStore
  readonly groups: GroupStore
  readonly revocations: RevocationStore
  readonly revocationCache: RevocationCache
  readonly keys: FernetKeyRepository
  readonly settings: IdentitySettings
  readonly logger: Logger
}
