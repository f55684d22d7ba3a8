import { hostOpt, intOpt, portOpt, strOpt, uriOpt } from '../opt.js'

/** The built-in image service (Glance v2): where it listens and its per-project limits. */
export const image = {
  listen: hostOpt({ default: '0.0.0.0', help: 'Address the image service listens on.' }),
  port: portOpt({ default: 9292, help: 'Port the image service listens on.' }),
  public_endpoint: uriOpt({
    help: 'Base URL clients use for the image service (default: http://<my_ip>:<port>).',
  }),
  image_size_cap: intOpt({
    default: 1099511627776,
    min: 1,
    help: 'Largest image, in bytes (Glance: image_size_cap).',
  }),
  image_count_total: intOpt({ default: 1000, min: 0, help: 'Images one project may hold.' }),
  image_size_total: intOpt({ default: 1048576, min: 0, help: 'MiB of image data one project may store.' }),
} as const

/** Glance's `[glance_store]`: where image data lives. */
export const glance_store = {
  filesystem_store_datadir: strOpt({
    default: '$state_path/images',
    help: 'Directory of the file store that holds image data.',
  }),
} as const
