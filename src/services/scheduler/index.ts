import type { Logger } from '../../common/logger.js'
import type { MessageBus } from '../../bus/index.js'
import { createRpcService } from '../../service/rpc-service.js'
import type { Service } from '../../service/service.js'
import type { ServiceRegistry } from '../../service/service-registry.js'
import { SCHEDULER_RPC_VERSION, SCHEDULER_TOPIC } from './client.js'
import type { SelectionDeps } from './selection.js'
import { schedulerEndpoints } from './server.js'
import { auditAllocations, type AuditDeps } from './allocation-audit.js'

export type { HostState, RequestSpec } from './host-state.js'
export type { AggregateRecord, AggregateSource } from './request-filters/index.js'
export type {
  AllocationRequest,
  HostStateSource,
  InstanceSelection,
  SchedulerPlacement,
  Selection,
  SelectionDeps,
} from './selection.js'
export {
  selectionDepsFromConfig,
  selectionSettingsFromConfig,
  type SelectionSettings,
} from './selection-settings.js'
export { selectDestinations } from './select-destinations.js'
export { createDbAggregateSource } from './sources/db-aggregates.js'
export { createDbHostStateSource, SINGLE_CELL_UUID } from './sources/db-host-states.js'

export interface SchedulerServiceOptions {
  readonly host: string
  readonly bus: MessageBus
  readonly registry: ServiceRegistry
  readonly reportIntervalS: number
  readonly serviceVersion: number
  readonly logger: Logger
  /** Placement, host states, aggregates, filters and weighers: without them select_destinations refuses. */
  readonly selection?: SelectionDeps
  /** The periodic allocation audit (`[scheduler] allocation_audit_interval`); absent: none. */
  readonly audit?: { readonly intervalS: number; readonly deps: AuditDeps }
}

/** nova-scheduler: serves the `scheduler` topic (select_destinations). */
export function createSchedulerService(options: SchedulerServiceOptions): Service {
  return createRpcService({
    identity: {
      host: options.host,
      binary: 'nova-scheduler',
      topic: SCHEDULER_TOPIC,
      version: options.serviceVersion,
    },
    rpcVersion: SCHEDULER_RPC_VERSION,
    endpoints: schedulerEndpoints(options.selection),
    bus: options.bus,
    registry: options.registry,
    reportIntervalS: options.reportIntervalS,
    periodicTasks:
      options.audit === undefined || options.audit.intervalS < 0
        ? []
        : [
            {
              name: 'allocation_audit',
              spacingS: options.audit.intervalS,
              run: async () => {
                await auditAllocations(options.audit!.deps, { delete: true, heal: true })
              },
            },
          ],
    logger: options.logger,
  })
}
