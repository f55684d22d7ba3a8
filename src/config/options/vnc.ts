import { boolOpt, hostOpt, portOpt, strOpt, uriOpt } from '../opt.js'

/** `[vnc]`: VNC consoles of instances and the noVNC proxy. */
export const vnc = {
  enabled: boolOpt({
    default: true,
    deprecated: [{ section: 'DEFAULT', name: 'vnc_enabled' }],
    help: 'Give instances a VNC console.',
  }),
  server_listen: hostOpt({ default: '127.0.0.1', help: 'Address the guest VNC servers listen on.' }),
  server_proxyclient_address: hostOpt({
    default: '127.0.0.1',
    help: 'Address the console proxy uses to reach guest VNC servers on this host.',
  }),
  novncproxy_base_url: uriOpt({
    deprecated: [{ section: 'DEFAULT' }],
    default: 'http://127.0.0.1:6080/vnc_auto.html',
    help: 'Public URL of the noVNC console page.',
  }),
  novncproxy_host: strOpt({
    deprecated: [{ section: 'DEFAULT' }],
    default: '0.0.0.0',
    help: 'Address nova-novncproxy listens on.',
  }),
  novncproxy_port: portOpt({
    deprecated: [{ section: 'DEFAULT' }],
    default: 6080,
    help: 'Port nova-novncproxy listens on.',
  }),
} as const
