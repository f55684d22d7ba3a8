import type { Logger } from '../common/logger.js'
import type { NovaConfig } from '../config/index.js'
import { databaseUrls, openDatabase } from '../db/index.js'
import { managePlacementAudit } from '../services/scheduler/manage.js'

/** `nova-manage placement audit`: prints each finding (and what was done), returns Nova's exit code. */
export async function placementAuditCommand(
  config: NovaConfig,
  opts: { verbose: boolean; delete: boolean; resource_provider?: string },
  logger: Logger,
): Promise<number> {
  const db = await openDatabase<unknown>(databaseUrls(config).main, { logger })
  try {
    const { report, exitCode } = await managePlacementAudit(
      config,
      db,
      {
        delete: opts.delete,
        ...(opts.resource_provider === undefined ? {} : { providerUuid: opts.resource_provider }),
      },
      logger,
    )
    const out = (line: string) => process.stdout.write(`${line}\n`)
    for (const o of report.orphans)
      out(
        `Allocations for consumer UUID ${o.consumer} on Resource Provider ${o.provider} can be deleted (${o.reason}): ${JSON.stringify(o.resources)}`,
      )
    for (const m of report.missing)
      out(
        `Instance ${m.instance} has no allocations on Resource Provider ${m.provider}: needs ${JSON.stringify(m.resources)}`,
      )
    if (opts.verbose || report.orphans.length + report.missing.length > 0)
      out(
        `Processed: ${report.orphans.length} orphaned allocation(s) (${report.deleted} deleted), ` +
          `${report.missing.length} instance(s) without allocations (${report.healed} healed).`,
      )
    return exitCode
  } finally {
    await db.close()
  }
}
