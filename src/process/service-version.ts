/**
 * The service version every nova-ts service records in `services.version` (Nova's SERVICE_VERSION). Peers
 * use the minimum across the deployment to cap the RPC versions they send during a rolling upgrade.
 */
export const SERVICE_VERSION_HISTORY: readonly { readonly version: number; readonly change: string }[] = [
  { version: 1, change: 'foundation: conductor 1.0, scheduler 1.0, compute 1.0' },
]
export const SERVICE_VERSION = SERVICE_VERSION_HISTORY.length
