import type { SectionDefinition } from '../opt.js'
import { api } from './api.js'
import { api_database } from './api-database.js'
import { conductor } from './conductor.js'
import { cors } from './cors.js'
import { database } from './database.js'
import { fake_driver } from './fake-driver.js'
import { DEFAULT } from './default.js'
import { filter_scheduler } from './filter-scheduler.js'
import { glance } from './glance.js'
import { glance_store, image } from './image.js'
import { image_cache } from './image-cache.js'
import { fernet_tokens, identity, security_compliance, token } from './identity.js'
import { keystone } from './keystone.js'
import { keystone_authtoken } from './keystone-authtoken.js'
import { libvirt } from './libvirt.js'
import { metrics } from './metrics.js'
import { neutron } from './neutron.js'
import { notifications } from './notifications.js'
import { oslo_messaging_notifications } from './oslo-messaging-notifications.js'
import { oslo_messaging_rabbit } from './oslo-messaging-rabbit.js'
import { oslo_policy } from './oslo-policy.js'
import { pci } from './pci.js'
import { placement } from './placement.js'
import { placement_database } from './placement-database.js'
import { quota } from './quota.js'
import { scheduler } from './scheduler.js'
import { upgrade_levels } from './upgrade-levels.js'
import { vnc } from './vnc.js'
import { wsgi } from './wsgi.js'

/**
 * Every section nova-ts knows, by Nova's section name (`DEFAULT` first, then alphabetical, as in the sample).
 * Adding a section: one file `options/<section>.ts` exporting `export const <section> = { name: xxxOpt({...}) }
 * as const`, and one line here; the NovaConfig type, the loader, the dump and the sample follow by inference.
 */
export const SECTIONS = {
  DEFAULT,
  api,
  api_database,
  conductor,
  cors,
  database,
  fake_driver,
  fernet_tokens,
  filter_scheduler,
  glance,
  glance_store,
  identity,
  image,
  image_cache,
  keystone,
  keystone_authtoken,
  libvirt,
  metrics,
  neutron,
  notifications,
  oslo_messaging_notifications,
  oslo_messaging_rabbit,
  oslo_policy,
  pci,
  placement,
  placement_database,
  quota,
  scheduler,
  security_compliance,
  token,
  upgrade_levels,
  vnc,
  wsgi,
} as const

/** SECTIONS seen untyped (section → option → Opt), for code that walks every option. */
export const REGISTRY: Readonly<Record<string, SectionDefinition>> = SECTIONS
