import type { UntypedKysely } from '../untyped.js'
import type { Database } from '../dialects.js'

export type InstanceActionsRepository = ReturnType<typeof createInstanceActionsRepository>

/**
 * `instance_actions` and their `instance_actions_events` (os-instance-actions): what was asked of a server,
 * by whom and in which request, and each step's result.
 */
export function createInstanceActionsRepository(db: Database<unknown>) {
  const k = db.kysely as UntypedKysely
  const d = db.differences
  const now = () => d.toDbDate(new Date())
  return {
    /** Starts an instance action (os-instance-actions) for a request; returns its id. */
    async startAction(
      uuid: string,
      action: { action: string; requestId: string; userId: string | null; projectId: string | null },
    ): Promise<number> {
      const values = {
        instance_uuid: uuid,
        action: action.action,
        request_id: action.requestId,
        user_id: action.userId,
        project_id: action.projectId,
        start_time: now(),
        deleted: 0,
        created_at: now(),
        updated_at: now(),
      }
      await k.insertInto('instance_actions').values(values).execute()
      const row = (await k
        .selectFrom('instance_actions')
        .select('id')
        .where('instance_uuid', '=', uuid)
        .where('request_id', '=', action.requestId)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow()) as { id: unknown }
      return Number(row.id)
    },

    /** Starts an event of an action (e.g. compute__do_build_and_run_instance); returns its id. */
    async startEvent(actionId: number, event: string, host: string | null): Promise<number> {
      await k
        .insertInto('instance_actions_events')
        .values({
          action_id: actionId,
          event,
          host,
          start_time: now(),
          deleted: 0,
          created_at: now(),
          updated_at: now(),
        })
        .execute()
      const row = (await k
        .selectFrom('instance_actions_events')
        .select('id')
        .where('action_id', '=', actionId)
        .where('event', '=', event)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow()) as { id: unknown }
      return Number(row.id)
    },

    /** The instance, name and host of an event (undefined when there is no such event). */
    async eventInfo(
      eventId: number,
    ): Promise<{ instanceUuid: string; event: string; host: string | null } | undefined> {
      const row = (await k
        .selectFrom('instance_actions_events')
        .innerJoin('instance_actions', 'instance_actions.id', 'instance_actions_events.action_id')
        .select([
          'instance_actions.instance_uuid as instance_uuid',
          'instance_actions_events.event as event',
          'instance_actions_events.host as host',
        ])
        .where('instance_actions_events.id', '=', eventId)
        .executeTakeFirst()) as { instance_uuid: string; event: string; host: string | null } | undefined
      return row === undefined
        ? undefined
        : { instanceUuid: row.instance_uuid, event: row.event, host: row.host }
    },

    /** Ends an event with 'Success' or 'Error' (and the error's text as traceback). */
    async finishEvent(eventId: number, result: 'Success' | 'Error', traceback?: string): Promise<void> {
      await k
        .updateTable('instance_actions_events')
        .set({ result, traceback: traceback ?? null, finish_time: now(), updated_at: now() })
        .where('id', '=', eventId)
        .execute()
    },

    async finishAction(actionId: number, message?: string): Promise<void> {
      await k
        .updateTable('instance_actions')
        .set({ finish_time: now(), updated_at: now(), ...(message === undefined ? {} : { message }) })
        .where('id', '=', actionId)
        .execute()
    },

    /** The actions of an instance, newest first, each with its events (two queries). */
    async actions(uuid: string) {
      const actions = (await k
        .selectFrom('instance_actions')
        .selectAll()
        .where('instance_uuid', '=', uuid)
        .orderBy('id', 'desc')
        .execute()) as Record<string, unknown>[]
      const ids = actions.map((a) => Number(a.id))
      const events =
        ids.length === 0
          ? []
          : ((await k
              .selectFrom('instance_actions_events')
              .selectAll()
              .where('action_id', 'in', ids)
              .orderBy('id')
              .execute()) as Record<string, unknown>[])
      return actions.map((a) => ({
        id: Number(a.id),
        action: String(a.action),
        request_id: String(a.request_id),
        user_id: (a.user_id as string | null) ?? null,
        project_id: (a.project_id as string | null) ?? null,
        start_time: d.fromDbDate(a.start_time) ?? null,
        finish_time: d.fromDbDate(a.finish_time) ?? null,
        message: (a.message as string | null) ?? null,
        events: events
          .filter((e) => Number(e.action_id) === Number(a.id))
          .map((e) => ({
            event: String(e.event),
            result: (e.result as string | null) ?? null,
            traceback: (e.traceback as string | null) ?? null,
            host: (e.host as string | null) ?? null,
            start_time: d.fromDbDate(e.start_time) ?? null,
            finish_time: d.fromDbDate(e.finish_time) ?? null,
          })),
      }))
    },
  }
}
