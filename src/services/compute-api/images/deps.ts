import { ImageClient } from '../../image/client.js'
import type { ComputeApiEnv } from '../env.js'
import type { ImageProxyDeps } from './routes.js'

/** The image service's endpoint Nova uses: `[glance] endpoint_override`, `api_servers`, else the image service's. */
export function imageEndpoint(config: ComputeApiEnv['config']): string {
  const glance = config.glance as { endpoint_override?: string; api_servers?: readonly string[] }
  return (
    glance.endpoint_override ??
    glance.api_servers?.[0] ??
    config.image.public_endpoint ??
    `http://${config.DEFAULT.my_ip}:${config.image.port}`
  ).replace(/\/+$/, '')
}

export function createImageProxyDeps(env: ComputeApiEnv): ImageProxyDeps {
  const url = imageEndpoint(env.config)
  const api = env.config.api as { glance_link_prefix?: string }
  return {
    client: (token) => new ImageClient({ baseUrl: url, token: () => token }),
    glanceBase: api.glance_link_prefix ?? url,
    metadataItems: env.config.quota.metadata_items,
  }
}
