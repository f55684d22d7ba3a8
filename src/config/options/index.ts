import { api_database, database, placement_database } from './database.js'
import { DEFAULT } from './default.js'
import { fernet_tokens, identity, security_compliance, token } from './identity.js'
import { glance, keystone, keystone_authtoken, neutron, placement } from './keystone.js'
import {
  api,
  conductor,
  cors,
  libvirt,
  notifications,
  oslo_messaging_notifications,
  oslo_messaging_rabbit,
  pci,
  quota,
  upgrade_levels,
  vnc,
  wsgi,
} from './misc.js'
import { filter_scheduler, scheduler } from './scheduler.js'

/**
 * Every section nova-ts knows, by Nova's section name. Adding a section: one file exporting its options
 * (`{ name: xxxOpt({...}) } as const`) and one line here; the config type follows by inference.
 */
export const SECTIONS = {
  DEFAULT,
  api,
  api_database,
  conductor,
  cors,
  database,
  fernet_tokens,
  filter_scheduler,
  glance,
  identity,
  keystone,
  keystone_authtoken,
  libvirt,
  neutron,
  notifications,
  oslo_messaging_notifications,
  oslo_messaging_rabbit,
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
