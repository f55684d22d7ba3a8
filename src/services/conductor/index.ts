import type { Logger } from '../../common/logger.js'
import type { MessageBus } from '../../bus/index.js'
import { createRpcService } from '../../service/rpc-service.js'
import type { Service } from '../../service/service.js'
import type { ServiceRegistry } from '../../service/service-registry.js'
import { CONDUCTOR_RPC_VERSION, CONDUCTOR_TOPIC } from './client.js'
import type { ConductorDeps } from './conductor-deps.js'
import { enforceInstanceDeadlines, type InstanceDeadlines } from './deadlines.js'
import { confirmOverdueResizes } from './moves.js'
import { conductorEndpoints } from './server.js'

export { enforceInstanceDeadlines, type InstanceDeadlines, type DeadlineResult } from './deadlines.js'
export { eventNotificationsFor, type EventNotifications } from './notifications.js'

/** How often the conductor looks for instances past their BUILD or delete deadline. */
const DEADLINE_CHECK_SPACING_S = 60

export interface ConductorServiceOptions extends ConductorDeps {
  readonly host: string
  readonly bus: MessageBus
  readonly registry: ServiceRegistry
  readonly reportIntervalS: number
  readonly serviceVersion: number
  readonly logger: Logger
  /** BUILD and delete deadlines (with the build flow only); undefined or 0: none. */
  readonly deadlines?: InstanceDeadlines
  /** `[DEFAULT] resize_confirm_window` (with the moves only): resizes left unconfirmed that long are confirmed. */
  readonly resizeConfirmWindowS?: number
}

/**
 * nova-conductor: the database proxy for computes and the orchestrator of builds; with `deadlines`, it also puts
 * instances stuck in BUILD in ERROR and finishes overdue deletes (deadlines.ts).
 */
export function createConductorService(options: ConductorServiceOptions): Service {
  const { build, deadlines } = options
  const periodicTasks =
    build !== undefined &&
    deadlines !== undefined &&
    (deadlines.buildTimeoutS > 0 || deadlines.deleteTimeoutS > 0)
      ? [
          {
            name: 'enforce_instance_deadlines',
            spacingS: Math.max(
              1,
              Math.min(
                DEADLINE_CHECK_SPACING_S,
                ...[deadlines.buildTimeoutS, deadlines.deleteTimeoutS].filter((s) => s > 0),
              ),
            ),
            run: async () => {
              await enforceInstanceDeadlines(build, options.clock, deadlines)
            },
          },
        ]
      : []
  const window = options.resizeConfirmWindowS ?? 0
  if (build?.moves !== undefined && window > 0)
    periodicTasks.push({
      name: '_poll_unconfirmed_resizes',
      spacingS: Math.max(1, Math.min(DEADLINE_CHECK_SPACING_S, window)),
      run: async () => {
        await confirmOverdueResizes(options, window, options.clock.now())
      },
    })
  return createRpcService({
    identity: {
      host: options.host,
      binary: 'nova-conductor',
      topic: CONDUCTOR_TOPIC,
      version: options.serviceVersion,
    },
    rpcVersion: CONDUCTOR_RPC_VERSION,
    endpoints: conductorEndpoints(options),
    bus: options.bus,
    registry: options.registry,
    reportIntervalS: options.reportIntervalS,
    periodicTasks,
    logger: options.logger,
  })
}
