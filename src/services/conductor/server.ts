import type { RpcEndpoints } from '../../bus/index.js'
import { Invalid } from '../../common/errors/index.js'
import type { ServiceIdentity } from '../../service/service-registry.js'
import type { ConductorDeps } from './conductor-deps.js'
import { registerService } from '../../service/database-service-registry.js'

/** Maps the conductor's RPC methods to what they do; no logic beyond argument checks lives here. */
export function conductorEndpoints(deps: ConductorDeps): RpcEndpoints {
  return {
    service_register: async (_ctx, args) => await registerService(deps.services, identityArg(args.identity)),
    service_heartbeat: async (_ctx, args) => {
      if (typeof args.service_id !== 'number')
        throw new Invalid('service_heartbeat needs a numeric service_id')
      await deps.services.heartbeat(args.service_id, deps.clock.now())
      return null
    },
  }
}

function identityArg(value: unknown): ServiceIdentity {
  const v = (value ?? {}) as Record<string, unknown>
  if (typeof v.host !== 'string' || typeof v.binary !== 'string' || typeof v.version !== 'number') {
    throw new Invalid('service_register needs identity {host, binary, topic, version}')
  }
  return {
    host: v.host,
    binary: v.binary,
    topic: typeof v.topic === 'string' ? v.topic : undefined,
    version: v.version,
  }
}
