import type { ServiceRecord, UntypedKysely } from '../../../db/index.js'
import { badRequest } from '../faults.js'
import type { AdminDeps } from './deps.js'

/**
 * Nova's check when a nova-compute is forced up again (bug 1922053): evacuations from its host still `done` mean
 * it has not restarted (and cleaned up its evacuated guests) since it was fenced, so the request is 400.
 */
export async function refuseForceUpWithDoneEvacuations(
  admin: AdminDeps,
  service: ServiceRecord,
): Promise<void> {
  if (service.binary !== 'nova-compute') return
  const done = await (admin.mainDb.kysely as UntypedKysely)
    .selectFrom('migrations')
    .select('id')
    .where('source_compute', '=', service.host)
    .where('migration_type', '=', 'evacuation')
    .where('status', '=', 'done')
    .where('deleted', '=', 0)
    .executeTakeFirst()
  if (done !== undefined)
    throw badRequest(
      `Unable to force up host ${service.host} as \`done\` evacuation migration records remain associated ` +
        'with the host. Ensure the compute service has been restarted, allowing these records to move to ' +
        '`completed` before retrying this request.',
    )
}
