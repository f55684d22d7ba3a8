import type { Logger } from '../../common/logger.js'
import type { NovaConfig } from '../../config/index.js'
import type { Database } from '../../db/index.js'
import { passwordTokenSource } from '../identity/client.js'
import { fetchTransport, PlacementClient, placementAccess } from '../placement/client.js'
import { auditAllocations, type AuditReport } from './allocation-audit.js'

/** Nova's exit codes of `nova-manage placement audit`. */
export const AUDIT_EXIT = { clean: 0, found: 3, fixed: 4 } as const

/**
 * `nova-manage placement audit [--delete] [--resource_provider U]`: runs the allocation audit against the
 * configured placement and the cell database; `--delete` removes orphans and heals instances without allocations.
 */
export async function managePlacementAudit(
  config: NovaConfig,
  mainDb: Database<unknown>,
  options: { delete: boolean; providerUuid?: string },
  logger: Logger,
): Promise<{ report: AuditReport; exitCode: number }> {
  const access = placementAccess(config)
  const placement = new PlacementClient(fetchTransport(access.url, passwordTokenSource(access.credentials)))
  const report = await auditAllocations(
    { mainDb, placement, logger },
    {
      delete: options.delete,
      heal: options.delete,
      ...(options.providerUuid === undefined ? {} : { providerUuid: options.providerUuid }),
    },
  )
  const found = report.orphans.length + report.missing.length
  const fixed = report.deleted + report.healed
  const exitCode = found === 0 ? AUDIT_EXIT.clean : fixed === found ? AUDIT_EXIT.fixed : AUDIT_EXIT.found
  return { report, exitCode }
}
