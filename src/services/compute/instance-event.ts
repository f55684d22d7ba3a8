import type { RequestContext } from '../../common/context.js'
import type { Logger } from '../../common/logger.js'
import type { ConductorClient } from '../conductor/client.js'

/** An error as an instance fault's details or an event's traceback: its stack, else its text. */
export const errorText = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? error.message) : String(error)

/** What recording an event needs: the conductor, this compute's host name and a logger. */
export interface InstanceEventDeps {
  readonly conductor: ConductorClient
  readonly host: string
  readonly logger: Logger
}

/**
 * Runs `fn` as the instance action event `event` on this host (Nova's wrap_instance_event): the event starts,
 * then ends Success, or Error with the failure as its traceback (and the failure is thrown on). Failing to
 * record an event is logged, never a reason to fail the operation.
 */
export async function withInstanceEvent<T>(
  deps: InstanceEventDeps,
  ctx: RequestContext,
  uuid: string,
  event: string,
  fn: () => Promise<T>,
): Promise<T> {
  const { conductor, host, logger } = deps
  const id = await conductor.actionEventStart(ctx, uuid, event, host).catch((error: unknown) => {
    logger.warn({ err: error, instance: uuid }, `could not record the start of ${event}`)
    return null
  })
  const done = async (result: 'Success' | 'Error', traceback?: string) => {
    if (id !== null)
      await conductor.actionEventFinish(ctx, id, result, traceback).catch((error: unknown) => {
        logger.warn({ err: error, instance: uuid }, `could not record the end of ${event}`)
      })
  }
  try {
    const value = await fn()
    await done('Success')
    return value
  } catch (error) {
    await done('Error', errorText(error))
    throw error
  }
}
