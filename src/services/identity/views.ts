import type { Role } from './store/roles.js'
import type { CatalogService, Endpoint, Region } from './store/catalog.js'
import type { Domain, Project } from './store/projects.js'
import type { User } from './store/users.js'

/** Keystone's timestamp format: microseconds and a Z. */
export function keystoneTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}

export function domainView(base: string, d: Domain) {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    enabled: d.enabled,
    tags: [],
    options: {},
    links: { self: `${base}/v3/domains/${d.id}` },
  }
}

export function projectView(base: string, p: Project) {
  return {
    id: p.id,
    name: p.name,
    domain_id: p.domainId,
    description: p.description,
    enabled: p.enabled,
    parent_id: p.parentId ?? p.domainId,
    is_domain: false,
    tags: p.tags,
    options: {},
    links: { self: `${base}/v3/projects/${p.id}` },
  }
}

export function userView(base: string, u: User) {
  return {
    ...u.extra,
    id: u.id,
    name: u.name,
    domain_id: u.domainId,
    enabled: u.enabled,
    password_expires_at: u.passwordExpiresAt === undefined ? null : keystoneTime(u.passwordExpiresAt),
    options: {},
    ...(u.defaultProjectId === undefined ? {} : { default_project_id: u.defaultProjectId }),
    links: { self: `${base}/v3/users/${u.id}` },
  }
}

export function roleView(base: string, r: Role) {
  return {
    id: r.id,
    name: r.name,
    domain_id: r.domainId ?? null,
    description: r.description,
    options: {},
    links: { self: `${base}/v3/roles/${r.id}` },
  }
}

export function serviceView(base: string, s: CatalogService) {
  return {
    id: s.id,
    type: s.type,
    name: s.name,
    description: s.description,
    enabled: s.enabled,
    links: { self: `${base}/v3/services/${s.id}` },
  }
}

export function endpointView(base: string, e: Endpoint) {
  return {
    id: e.id,
    interface: e.interface,
    region: e.regionId ?? null,
    region_id: e.regionId ?? null,
    service_id: e.serviceId,
    url: e.url,
    enabled: e.enabled,
    links: { self: `${base}/v3/endpoints/${e.id}` },
  }
}

export function regionView(base: string, r: Region) {
  return {
    id: r.id,
    description: r.description,
    parent_region_id: r.parentRegionId ?? null,
    links: { self: `${base}/v3/regions/${r.id}` },
  }
}

/** A collection body with Keystone's links block. */
export function collection(base: string, path: string, key: string, items: readonly unknown[]) {
  return { [key]: items, links: { self: `${base}${path}`, previous: null, next: null } }
}

/** The catalog as tokens and /v3/auth/catalog carry it: enabled services with their enabled endpoints. */
export function catalogView(services: readonly CatalogService[], endpoints: readonly Endpoint[]) {
  return services
    .filter((s) => s.enabled)
    .map((s) => ({
      id: s.id,
      type: s.type,
      name: s.name,
      endpoints: endpoints
        .filter((e) => e.serviceId === s.id && e.enabled)
        .map((e) => ({
          id: e.id,
          interface: e.interface,
          region: e.regionId ?? null,
          region_id: e.regionId ?? null,
          url: e.url,
        })),
    }))
}
