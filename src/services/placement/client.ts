import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { PlacementServiceUnavailable } from '../../common/errors/index.js'
import type { NovaConfig } from '../../config/index.js'
import { identityPublicUrl, placementPublicUrl, type PasswordCredentials } from '../identity/client.js'

/** One HTTP exchange with placement; `fetchTransport` in production, an in-process one in tests. */
export type PlacementTransport = (request: {
  method: string
  path: string
  headers: Record<string, string>
  body?: string
}) => Promise<{ status: number; body: string }>

/** Placement over HTTP with a token from `token()` (a service token). */
export function fetchTransport(baseUrl: string, token: () => string | Promise<string>): PlacementTransport {
  const base = baseUrl.replace(/\/+$/, '')
  return async ({ method, path, headers, body }) => {
    let res: Response
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { ...headers, 'x-auth-token': await token() },
        ...(body === undefined ? {} : { body }),
      })
    } catch (error) {
      throw new PlacementServiceUnavailable({ status: 0, detail: (error as Error).message }, { cause: error })
    }
    return { status: res.status, body: await res.text() }
  }
}

export type Resources = Readonly<Record<string, number>>
/** Provider uuid → what to take from it. */
export type Allocations = Readonly<Record<string, { readonly resources: Resources }>>

export interface CandidatesAnswer {
  readonly allocation_requests: readonly { allocations: Allocations; mappings?: Record<string, string[]> }[]
  readonly provider_summaries: Readonly<
    Record<
      string,
      {
        resources: Record<string, { capacity: number; used: number }>
        traits: string[]
        parent_provider_uuid: string | null
        root_provider_uuid: string
      }
    >
  >
}

export interface ConsumerAllocations {
  readonly allocations: Readonly<Record<string, { generation: number; resources: Resources }>>
  readonly project_id?: string
  readonly user_id?: string
  readonly consumer_generation?: number
  readonly consumer_type?: string
}

export interface InventoryRecord {
  readonly total: number
  readonly reserved?: number
  readonly min_unit?: number
  readonly max_unit?: number
  readonly step_size?: number
  readonly allocation_ratio?: number
}

/** What a write of allocations came to: done, or refused for capacity / a concurrent change. */
export type ClaimOutcome = 'claimed' | 'no-capacity' | 'conflict'

// Placement answers are JSON of many shapes; each method reads the fields it needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const MICROVERSION = 'placement 1.39'
const RETRIES = 4

/**
 * Placement as nova-scheduler and nova-compute use it (Nova's SchedulerReportClient): allocation candidates,
 * claims, and the resource tracker's feed (provider, inventories, traits, aggregates) with the generation
 * retries a concurrent writer makes necessary.
 */
export class PlacementClient {
  readonly #send: PlacementTransport

  constructor(transport: PlacementTransport) {
    this.#send = transport
  }

  async #call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
    const res = await this.#send({
      method,
      path,
      headers: {
        'openstack-api-version': MICROVERSION,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: res.status, json: res.body === '' ? undefined : JSON.parse(res.body) }
  }

  #fail(res: { status: number; json: Json }): never {
    const detail = res.json?.errors?.[0]?.detail ?? JSON.stringify(res.json ?? '')
    throw new PlacementServiceUnavailable({ status: res.status, detail: String(detail).slice(0, 300) })
  }

  #isGenerationConflict(res: { status: number; json: Json }): boolean {
    return res.status === 409 && res.json?.errors?.[0]?.code === 'placement.concurrent_update'
  }

  /** `GET /allocation_candidates?<query>`. */
  async allocationCandidates(query: URLSearchParams | string): Promise<CandidatesAnswer> {
    const res = await this.#call('GET', `/allocation_candidates?${query.toString()}`)
    if (res.status !== 200) this.#fail(res)
    return res.json as CandidatesAnswer
  }

  async allocationsOf(consumer: string): Promise<ConsumerAllocations> {
    const res = await this.#call('GET', `/allocations/${consumer}`)
    if (res.status !== 200) this.#fail(res)
    return res.json as ConsumerAllocations
  }

  /**
   * Writes a consumer's allocations (the scheduler's claim). `consumerGeneration` null: a new consumer.
   * Capacity taken meanwhile → 'no-capacity'; the consumer changed meanwhile → 'conflict'.
   */
  async claim(
    consumer: string,
    allocations: Allocations,
    owner: { projectId: string; userId: string; consumerType?: string },
    consumerGeneration: number | null = null,
  ): Promise<ClaimOutcome> {
    const res = await this.#call('PUT', `/allocations/${consumer}`, {
      allocations,
      project_id: owner.projectId,
      user_id: owner.userId,
      consumer_generation: consumerGeneration,
      consumer_type: owner.consumerType ?? 'INSTANCE',
    })
    if (res.status === 204) return 'claimed'
    if (this.#isGenerationConflict(res)) return 'conflict'
    if (res.status === 409) return 'no-capacity'
    this.#fail(res)
  }

  /** Removes a consumer's allocations; false when it had none. */
  async deleteAllocations(consumer: string): Promise<boolean> {
    const res = await this.#call('DELETE', `/allocations/${consumer}`)
    if (res.status === 204) return true
    if (res.status === 404) return false
    this.#fail(res)
  }

  /**
   * Takes a consumer's allocation off one provider, keeping the rest (the consumer goes when nothing is left).
   * False when it had none there or changed meanwhile.
   */
  async removeFromProvider(consumer: string, providerUuid: string): Promise<boolean> {
    const current = await this.allocationsOf(consumer)
    if (current.allocations[providerUuid] === undefined) return false
    const others = Object.entries(current.allocations).filter(([rp]) => rp !== providerUuid)
    if (others.length === 0) return this.deleteAllocations(consumer)
    const outcome = await this.claim(
      consumer,
      Object.fromEntries(others.map(([rp, a]) => [rp, { resources: a.resources }])),
      {
        projectId: current.project_id ?? '',
        userId: current.user_id ?? '',
        consumerType: current.consumer_type ?? 'INSTANCE',
      },
      current.consumer_generation ?? null,
    )
    return outcome === 'claimed'
  }

  /**
   * Nova's move_allocations: in one POST /allocations, `target` gets `source`'s allocations (replacing its own)
   * and `source` is emptied. False when `source` had none; 'conflict' retried up to 3 times. `keepTarget`: the
   * target keeps its own allocations besides (an evacuated instance holds its source and its destination).
   */
  async moveAllocations(
    source: string,
    target: string,
    targetType = 'INSTANCE',
    keepTarget = false,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const from = await this.allocationsOf(source)
      if (Object.keys(from.allocations).length === 0) return false
      const to = await this.allocationsOf(target)
      const owner = { project_id: from.project_id ?? '', user_id: from.user_id ?? '' }
      const res = await this.#call('POST', '/allocations', {
        [target]: {
          allocations: Object.fromEntries(
            Object.entries({ ...(keepTarget ? to.allocations : {}), ...from.allocations }).map(([rp, a]) => [
              rp,
              { resources: a.resources },
            ]),
          ),
          ...owner,
          consumer_generation: to.consumer_generation ?? null,
          consumer_type: targetType,
        },
        [source]: {
          allocations: {},
          ...owner,
          consumer_generation: from.consumer_generation ?? null,
          consumer_type: from.consumer_type ?? 'INSTANCE',
        },
      })
      if (res.status === 204) return true
      if (!this.#isGenerationConflict(res)) this.#fail(res)
    }
    throw new PlacementServiceUnavailable({ status: 409, detail: `allocations of ${source} kept changing` })
  }

  /** consumer → resources, of one provider. */
  async providerAllocations(provider: string): Promise<Record<string, { resources: Resources }>> {
    const res = await this.#call('GET', `/resource_providers/${provider}/allocations`)
    if (res.status === 404) return {}
    if (res.status !== 200) this.#fail(res)
    return res.json.allocations
  }

  /** Creates the provider unless it exists (the resource tracker's first report). Returns its generation. */
  async ensureProvider(uuid: string, name: string, parentUuid?: string): Promise<number> {
    const got = await this.#call('GET', `/resource_providers/${uuid}`)
    if (got.status === 200) return got.json.generation as number
    const res = await this.#call('POST', '/resource_providers', {
      uuid,
      name,
      ...(parentUuid === undefined ? {} : { parent_provider_uuid: parentUuid }),
    })
    if (res.status === 201) return res.json.generation as number
    if (res.status === 409) {
      const again = await this.#call('GET', `/resource_providers/${uuid}`)
      if (again.status === 200) return again.json.generation as number
    }
    this.#fail(res)
  }

  async deleteProvider(uuid: string): Promise<boolean> {
    const res = await this.#call('DELETE', `/resource_providers/${uuid}`)
    if (res.status === 204) return true
    if (res.status === 404) return false
    this.#fail(res)
  }

  /** Reads the provider's generation, applies `write`, retries on a generation conflict. */
  async #withGeneration(
    uuid: string,
    write: (generation: number) => Promise<{ status: number; json: Json }>,
  ) {
    for (let attempt = 1; ; attempt++) {
      const got = await this.#call('GET', `/resource_providers/${uuid}`)
      if (got.status !== 200) this.#fail(got)
      const res = await write(got.json.generation as number)
      if (res.status === 200 || res.status === 204) return res
      if (!this.#isGenerationConflict(res) || attempt >= RETRIES) this.#fail(res)
    }
  }

  /** Makes the provider's inventory exactly `inventories`. */
  async setInventories(uuid: string, inventories: Readonly<Record<string, InventoryRecord>>): Promise<void> {
    await this.#withGeneration(uuid, (generation) =>
      this.#call('PUT', `/resource_providers/${uuid}/inventories`, {
        resource_provider_generation: generation,
        inventories,
      }),
    )
  }

  /** Makes the provider's traits exactly `traits`, creating custom ones first. */
  async setTraits(uuid: string, traits: readonly string[]): Promise<void> {
    for (const trait of traits.filter((t) => t.startsWith('CUSTOM_'))) {
      const res = await this.#call('PUT', `/traits/${trait}`)
      if (res.status !== 201 && res.status !== 204) this.#fail(res)
    }
    await this.#withGeneration(uuid, (generation) =>
      this.#call('PUT', `/resource_providers/${uuid}/traits`, {
        resource_provider_generation: generation,
        traits,
      }),
    )
  }

  async traitsOf(uuid: string): Promise<string[]> {
    const res = await this.#call('GET', `/resource_providers/${uuid}/traits`)
    if (res.status !== 200) this.#fail(res)
    return res.json.traits as string[]
  }

  async setAggregates(uuid: string, aggregates: readonly string[]): Promise<void> {
    await this.#withGeneration(uuid, (generation) =>
      this.#call('PUT', `/resource_providers/${uuid}/aggregates`, {
        resource_provider_generation: generation,
        aggregates,
      }),
    )
  }
}

/**
 * How Nova's services reach placement: `[placement]` keystoneauth options (username, password, project, auth_url,
 * endpoint_override), as in nova.conf. nova-all on its embedded defaults, with no service user configured, acts
 * as its own admin (the password nova-all keeps in `<state_path>/admin-password`).
 */
export function placementAccess(
  config: NovaConfig,
  adminPassword: string | undefined = allInOneAdminPassword(config),
): { readonly url: string; readonly credentials: PasswordCredentials } {
  const p = config.placement
  const authUrl = (p.auth_url ?? `${identityPublicUrl(config)}/v3`).replace(/\/+$/, '')
  const url = (p.endpoint_override ?? placementPublicUrl(config)).replace(/\/+$/, '')
  if (p.username !== undefined && p.password !== undefined)
    return {
      url,
      credentials: {
        authUrl,
        username: p.username,
        password: p.password,
        projectName: p.project_name,
        userDomainName: p.user_domain_name,
        projectDomainName: p.project_domain_name,
      },
    }
  return {
    url,
    credentials: {
      authUrl,
      username: 'admin',
      password: adminPassword ?? '',
      projectName: 'admin',
      userDomainName: 'Default',
      projectDomainName: 'Default',
    },
  }
}

function allInOneAdminPassword(config: NovaConfig): string | undefined {
  const file = path.join(config.DEFAULT.state_path, 'admin-password')
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined
}

export {
  ComputeNodeReporter,
  type ComputeNodeReport,
  type HealResult,
  type HostedInstance,
} from './report-client.js'

/** The standard (os-traits, os-resource-classes) names placement knows without their being created. */
export { STANDARD_TRAITS } from './standard-traits.js'
export { STANDARD_RESOURCE_CLASSES } from './standard-classes.js'
