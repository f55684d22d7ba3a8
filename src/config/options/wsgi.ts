import { boolOpt, intOpt, strOpt } from '../opt.js'

/** `[wsgi]`: the HTTP servers of the API services. */
export const wsgi = {
  api_paste_config: strOpt({
    default: 'api-paste.ini',
    help: 'Accepted for compatibility; nova-ts has no paste pipeline.',
  }),
  keep_alive: boolOpt({ default: true, help: 'Keep HTTP connections alive.' }),
  client_socket_timeout: intOpt({
    default: 900,
    min: 0,
    help: 'Seconds an idle client connection is kept; 0 waits forever.',
  }),
  default_pool_size: intOpt({ default: 1000, min: 1, help: 'Concurrent requests per API worker.' }),
} as const
