import path from 'node:path'
import type { NovaConfig } from '../config/index.js'

/**
 * The database URLs a process uses: `[database] connection` and `[api_database] connection`, or, when
 * unset, the embedded SQLite files under state_path (the all-in-one default).
 */
export function databaseUrls(config: NovaConfig): { readonly main: string; readonly api: string } {
  const statePath = path.resolve(config.DEFAULT.state_path)
  return {
    main: config.database.connection ?? `sqlite:///${path.join(statePath, 'nova.sqlite')}`,
    api: config.api_database.connection ?? `sqlite:///${path.join(statePath, 'nova_api.sqlite')}`,
  }
}
