import type { IdentityDeps } from './identity-deps.js'
import { hashPassword, verifyPassword } from './password.js'
import { SYSTEM_TARGET } from './store/roles.js'

export interface BootstrapOptions {
  readonly adminPassword: string
  readonly regionId: string
  /** Catalog entries to make sure of: type, name, public URL. */
  readonly endpoints: readonly { readonly type: string; readonly name: string; readonly url: string }[]
}

/**
 * `keystone-manage bootstrap`: the Default domain, the admin and service projects, the roles admin ⇒ member ⇒
 * reader, the admin user with the admin role on its project and on the system, and the catalog. Idempotent:
 * what exists is kept (an endpoint's URL is updated; the admin password is reset when it differs).
 */
export async function bootstrapIdentity(
  deps: IdentityDeps,
  options: BootstrapOptions,
): Promise<{ adminUserId: string; adminProjectId: string }> {
  const { projects, users, roles, catalog, settings } = deps
  const domainId = settings.defaultDomainId
  if ((await projects.listDomains({ ids: [domainId] })).length === 0) {
    await projects.createDomain({ id: domainId, name: 'Default', description: 'The default domain' })
  }
  const project = async (name: string) =>
    (await projects.findProjectByName(name, domainId)) ??
    (await projects.createProject({ name, domainId, description: `Bootstrap project ${name}` }))
  const adminProject = await project('admin')
  await project('service')

  const role = async (name: string) => (await roles.findByName(name)) ?? (await roles.create({ name }))
  const [admin, member, reader] = [await role('admin'), await role('member'), await role('reader')]
  await role('service')
  await roles.addImplied(admin.id, member.id)
  await roles.addImplied(member.id, reader.id)

  let adminUser = await users.findByName('admin', domainId)
  if (adminUser === undefined) {
    await users.create({
      name: 'admin',
      domainId,
      passwordHash: await hashPassword(options.adminPassword, settings.passwordHashRounds),
    })
    adminUser = (await users.findByName('admin', domainId))!
  } else if (!(await verifyPassword(options.adminPassword, adminUser.passwordHash))) {
    await users.update(adminUser.id, {
      passwordHash: await hashPassword(options.adminPassword, settings.passwordHashRounds),
      enabled: true,
    })
  }
  await roles.grant({
    type: 'UserProject',
    actorId: adminUser.id,
    targetId: adminProject.id,
    roleId: admin.id,
  })
  await roles.grant({ type: 'UserSystem', actorId: adminUser.id, targetId: SYSTEM_TARGET, roleId: admin.id })

  await catalog.ensureRegion(options.regionId)
  for (const entry of options.endpoints) {
    const service =
      (await catalog.listServices({ type: entry.type }))[0] ??
      (await catalog.createService({ type: entry.type, name: entry.name }))
    for (const iface of ['public', 'internal', 'admin'] as const) {
      const existing = (
        await catalog.listEndpoints({ serviceId: service.id, interface: iface, regionId: options.regionId })
      )[0]
      if (existing === undefined)
        await catalog.createEndpoint({
          serviceId: service.id,
          interface: iface,
          regionId: options.regionId,
          url: entry.url,
        })
      else if (existing.url !== entry.url) await catalog.updateEndpointUrl(existing.id, entry.url)
    }
  }
  return { adminUserId: adminUser.id, adminProjectId: adminProject.id }
}
