import type { FastifyInstance, FastifyRequest } from 'fastify'
import { adminContext } from '../../../common/context.js'
import type { ComputeNodeRecord, ServiceRecord, UntypedKysely } from '../../../db/index.js'
import { ApiFault, badRequest } from '../faults.js'
import { atLeast, requireVersion } from '../microversion.js'
import { authorize, collectionLinks, pageOf, param, type Page } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import { booleanType, toBool, validate } from '../validation.js'
import { notFound, paramOf, serviceUp, UUID_PATTERN } from './common.js'
import type { AdminDeps } from './deps.js'

const POLICY = 'os_compute_api:os-hypervisors'

interface Hypervisor {
  readonly node: ComputeNodeRecord
  readonly service: ServiceRecord
}

const STAT_FIELDS = [
  'vcpus',
  'memory_mb',
  'local_gb',
  'vcpus_used',
  'memory_mb_used',
  'local_gb_used',
  'free_ram_mb',
  'free_disk_gb',
  'current_workload',
  'running_vms',
  'disk_available_least',
] as const

export function registerHypervisorRoutes(app: FastifyInstance, deps: ComputeApiDeps, admin: AdminDeps): void {
  const { settings } = deps

  /** Compute nodes with their nova-compute service (nodes whose service is gone are not hypervisors). */
  const hypervisors = async (): Promise<Hypervisor[]> => {
    const services = await admin.services.list({ binary: 'nova-compute' })
    const out: Hypervisor[] = []
    for (const node of await admin.computeNodes.list()) {
      const service =
        services.find((s) => s.id === node.service_id) ?? services.find((s) => s.host === node.host)
      if (service !== undefined) out.push({ node, service })
    }
    return out
  }

  const serversOf = async (h: Hypervisor) => {
    const k = admin.mainDb.kysely as UntypedKysely
    const rows = (await k
      .selectFrom('instances')
      .select(['uuid', 'display_name', 'hostname'])
      .where('host', '=', h.node.host)
      .where('node', '=', h.node.hypervisor_hostname)
      .where('deleted', '=', 0)
      .orderBy('id')
      .execute()) as { uuid: string; display_name: string | null }[]
    return rows.map((r) => ({ name: r.display_name ?? '', uuid: r.uuid }))
  }

  const idOf = (request: FastifyRequest, h: Hypervisor): string | number =>
    atLeast(request, 53) ? h.node.uuid : h.node.id

  const brief = (request: FastifyRequest, h: Hypervisor) => ({
    id: idOf(request, h),
    hypervisor_hostname: h.node.hypervisor_hostname,
    state: serviceUp(admin, h.service) ? 'up' : 'down',
    status: h.service.disabled ? 'disabled' : 'enabled',
  })

  const cpuInfo = (request: FastifyRequest, text: string | null): unknown => {
    if (!atLeast(request, 28)) return text ?? ''
    try {
      return text === null || text === '' ? {} : JSON.parse(text)
    } catch {
      return {}
    }
  }

  const detail = (request: FastifyRequest, h: Hypervisor) => {
    const n = h.node
    const service = {
      host: h.service.host,
      id: atLeast(request, 53) ? h.service.uuid : h.service.id,
      disabled_reason: h.service.disabledReason ?? null,
    }
    const common = {
      ...brief(request, h),
      host_ip: n.host_ip,
      hypervisor_type: n.hypervisor_type,
      hypervisor_version: n.hypervisor_version,
      service,
    }
    // The list leaves the uptime out (null); show asks the compute (below).
    if (atLeast(request, 88)) return { ...common, uptime: null }
    return {
      ...common,
      ...Object.fromEntries(STAT_FIELDS.map((f) => [f, n[f] ?? 0])),
      cpu_info: cpuInfo(request, n.cpu_info),
    }
  }

  /** `with_servers` (2.53+): servers on each hypervisor; before 2.75 only when there are some. */
  const withServers = async (request: FastifyRequest, h: Hypervisor, view: Record<string, unknown>) => {
    const servers = await serversOf(h)
    if (servers.length > 0 || atLeast(request, 75)) return { ...view, servers }
    return view
  }

  const index = async (request: FastifyRequest, detailed: boolean) => {
    let all = await hypervisors()
    let serversWanted = false
    if (atLeast(request, 53)) {
      const pattern = param(request, 'hypervisor_hostname_pattern')
      const raw = param(request, 'with_servers')
      if (raw !== undefined) {
        validate(booleanType, raw)
        serversWanted = toBool(raw)
      }
      if (pattern !== undefined) {
        if (param(request, 'limit') !== undefined || param(request, 'marker') !== undefined)
          throw badRequest(
            'Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.',
          )
        all = all.filter((h) => h.node.hypervisor_hostname.includes(pattern))
        if (all.length === 0) throw notFound(`No hypervisor matching '${pattern}' could be found.`)
      }
    }
    let page: Page | undefined
    if (atLeast(request, 33)) {
      page = pageOf(request, settings)
      if (page.marker !== undefined) {
        const at = all.findIndex((h) => String(idOf(request, h)) === page!.marker)
        if (at < 0) throw badRequest(`marker [${page.marker}] not found`)
        all = all.slice(at + 1)
      }
      all = all.slice(0, page.limit)
    }
    const views = []
    for (const h of all) {
      const view = detailed ? detail(request, h) : brief(request, h)
      views.push(serversWanted ? await withServers(request, h, view) : view)
    }
    const links =
      page === undefined
        ? undefined
        : collectionLinks(
            request,
            settings,
            all,
            page,
            detailed ? 'os-hypervisors/detail' : 'os-hypervisors',
            all.length === 0 ? undefined : String(idOf(request, all.at(-1)!)),
          )
    return { hypervisors: views, ...(links === undefined ? {} : { hypervisors_links: links }) }
  }

  const find = async (request: FastifyRequest, id: string): Promise<Hypervisor> => {
    const all = await hypervisors()
    if (atLeast(request, 53)) {
      if (!UUID_PATTERN.test(id)) throw badRequest(`Invalid uuid ${id}`)
      const h = all.find((x) => x.node.uuid === id)
      if (h !== undefined) return h
    } else {
      const h = /^\d+$/.test(id) ? all.find((x) => x.node.id === Number(id)) : undefined
      if (h !== undefined) return h
    }
    throw notFound(`Hypervisor with ID '${id}' could not be found.`)
  }

  /** The host's uptime from its nova-compute (Nova's get_host_uptime): 400 when the service is down; null when
   * the driver cannot tell or no compute client is configured. */
  const uptimeOf = async (h: Hypervisor): Promise<string | null> => {
    if (!serviceUp(admin, h.service))
      throw badRequest(`Compute service of ${h.service.host} is unavailable at this time.`)
    return (await admin.compute?.getHostUptime(adminContext(), h.service.host)) ?? null
  }

  route(app, 'GET', '/os-hypervisors', async (request) => {
    authorize(request, settings, `${POLICY}:list`)
    return await index(request, false)
  })

  route(app, 'GET', '/os-hypervisors/detail', async (request) => {
    authorize(request, settings, `${POLICY}:list-detail`)
    return await index(request, true)
  })

  route(app, 'GET', '/os-hypervisors/statistics', async (request) => {
    requireVersion(request, 1, 87)
    authorize(request, settings, `${POLICY}:statistics`)
    const all = await hypervisors()
    const stats: Record<string, number> = { count: all.length }
    for (const f of STAT_FIELDS) stats[f] = all.reduce((sum, h) => sum + (h.node[f] ?? 0), 0)
    return { hypervisor_statistics: stats }
  })

  route(app, 'GET', '/os-hypervisors/:id', async (request) => {
    authorize(request, settings, `${POLICY}:show`)
    const h = await find(request, paramOf(request, 'id'))
    const view: Record<string, unknown> = detail(request, h)
    // From 2.88 show asks the compute for the uptime (null when it cannot answer).
    if (atLeast(request, 88)) view.uptime = await uptimeOf(h).catch(() => null)
    const raw = atLeast(request, 53) ? param(request, 'with_servers') : undefined
    if (raw !== undefined) validate(booleanType, raw)
    return { hypervisor: raw !== undefined && toBool(raw) ? await withServers(request, h, view) : view }
  })

  route(app, 'GET', '/os-hypervisors/:id/uptime', async (request) => {
    requireVersion(request, 1, 87)
    authorize(request, settings, `${POLICY}:uptime`)
    const h = await find(request, paramOf(request, 'id'))
    const uptime = await uptimeOf(h)
    if (uptime === null) throw new ApiFault(501, 'Virt driver does not implement uptime function.')
    return { hypervisor: { ...brief(request, h), uptime } }
  })

  const byPattern = async (request: FastifyRequest): Promise<Hypervisor[]> => {
    const pattern = paramOf(request, 'id')
    const found = (await hypervisors()).filter((h) => h.node.hypervisor_hostname.includes(pattern))
    if (found.length === 0) throw notFound(`No hypervisor matching '${pattern}' could be found.`)
    return found
  }

  route(app, 'GET', '/os-hypervisors/:id/search', async (request) => {
    requireVersion(request, 1, 52)
    authorize(request, settings, `${POLICY}:search`)
    return { hypervisors: (await byPattern(request)).map((h) => brief(request, h)) }
  })

  route(app, 'GET', '/os-hypervisors/:id/servers', async (request) => {
    requireVersion(request, 1, 52)
    authorize(request, settings, `${POLICY}:servers`)
    const views = []
    for (const h of await byPattern(request)) views.push(await withServers(request, h, brief(request, h)))
    return { hypervisors: views }
  })
}
