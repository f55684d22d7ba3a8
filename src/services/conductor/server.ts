import type { RpcEndpoints } from '../../bus/index.js'
import { Invalid } from '../../common/errors/index.js'
import {
  COMPUTE_NODE_NUMBER_FIELDS,
  COMPUTE_NODE_TEXT_FIELDS,
  type ComputeNodeFields,
  type ComputeNodeRecord,
} from '../../db/index.js'
import type { ServiceIdentity } from '../../service/service-registry.js'
import type { ComputeNodeView } from './client.js'
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
    compute_node_update: async (_ctx, args) => {
      if (
        typeof args.host !== 'string' ||
        args.host === '' ||
        typeof args.nodename !== 'string' ||
        args.nodename === ''
      )
        throw new Invalid('compute_node_update needs a host and a nodename')
      const service = await deps.services.getByHostAndBinary(args.host, 'nova-compute')
      const record = await deps.computeNodes.update(
        args.host,
        args.nodename,
        fieldsArg(args.fields, 'fields'),
        {
          defaults: fieldsArg(args.defaults ?? {}, 'defaults'),
          ...(service === undefined ? {} : { serviceId: service.id }),
        },
      )
      return nodeView(record, service?.disabled ?? false)
    },
  }
}

function nodeView(record: ComputeNodeRecord, serviceDisabled: boolean): ComputeNodeView {
  return {
    ...record,
    created_at: record.created_at?.toISOString() ?? null,
    updated_at: record.updated_at?.toISOString() ?? null,
    service_disabled: serviceDisabled,
  }
}

const NUMBER_FIELDS: ReadonlySet<string> = new Set(COMPUTE_NODE_NUMBER_FIELDS)
const TEXT_FIELDS: ReadonlySet<string> = new Set(COMPUTE_NODE_TEXT_FIELDS)

/** Only the columns a compute node reports, each of its type (or null): never uuid, host, ids or deleted. */
function fieldsArg(value: unknown, name: string): ComputeNodeFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Invalid(`compute_node_update needs ${name} as an object`)
  for (const [key, v] of Object.entries(value)) {
    if (NUMBER_FIELDS.has(key)) {
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v)))
        throw new Invalid(`compute_node_update: ${key} must be a number`)
    } else if (TEXT_FIELDS.has(key)) {
      if (v !== null && typeof v !== 'string')
        throw new Invalid(`compute_node_update: ${key} must be a string`)
    } else throw new Invalid(`compute_node_update: ${key} is not a field a compute node reports`)
  }
  return value as ComputeNodeFields
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
