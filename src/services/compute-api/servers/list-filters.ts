import type { FastifyRequest } from 'fastify'
import { FlavorNotFound } from '../../../common/errors/index.js'
import type { InstanceFilter } from '../../../db/repositories/instances.js'
import { badRequest } from '../faults.js'
import { param, type Caller } from '../request.js'
import type { FlavorStore } from '../store/flavors.js'

type MutableFilter = { -readonly [K in keyof InstanceFilter]: InstanceFilter[K] }

/** ISO 8601 as Nova's `date-time` format accepts it (date, time, optional fraction and zone). */
const ISO_8601 = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/i

/** A `changes-since`/`changes-before` value: 400 unless ISO 8601. */
export function isoFilterTime(name: string, value: string): Date {
  const at = ISO_8601.test(value.trim()) ? new Date(value.trim().replace(' ', 'T')) : new Date(NaN)
  if (Number.isNaN(at.getTime())) throw badRequest(`Invalid filter field: ${name}.`)
  // A time without a zone is UTC, as Nova reads it.
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(value.trim())) return new Date(`${value.trim().replace(' ', 'T')}Z`)
  return at
}

/**
 * The list filters of `GET /servers` that need more than a column copy: `name` (a regular expression searched in
 * the name), `flavor` (a flavor id, matched by the flavor's row), and an admin's `tenant_id`/`project_id` with
 * `all_tenants`. Returns false when nothing can match (an unknown flavor, an invalid expression): the list is
 * empty, as in Nova.
 */
export async function addListFilters(
  request: FastifyRequest,
  caller: Caller,
  filter: MutableFilter,
  flavors: FlavorStore,
): Promise<boolean> {
  const name = param(request, 'name')
  if (name !== undefined) {
    try {
      new RegExp(name)
    } catch {
      return false
    }
    filter.nameRegexp = name
  }
  const flavorId = param(request, 'flavor')
  if (flavorId !== undefined) {
    try {
      filter.instanceTypeId = (await flavors.get(flavorId)).id
    } catch (error) {
      if (error instanceof FlavorNotFound) return false
      throw error
    }
  }
  if (caller.isAdmin && param(request, 'all_tenants') !== undefined) {
    const project = param(request, 'project_id') ?? param(request, 'tenant_id')
    if (project !== undefined) filter.projectId = project
  }
  return true
}
