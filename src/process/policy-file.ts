import { existsSync } from 'node:fs'
import path from 'node:path'

/**
 * Where `[oslo_policy] policy_file` is: as given when absolute, else the first match beside the configuration
 * files, then in /etc/nova (oslo looks in the config directories). Undefined when there is none: defaults apply.
 */
export function resolvePolicyFile(policyFile: string, configDirs: readonly string[]): string | undefined {
  if (path.isAbsolute(policyFile)) return existsSync(policyFile) ? policyFile : undefined
  return [...configDirs, '/etc/nova']
    .map((dir) => path.join(dir, policyFile))
    .find((file) => existsSync(file))
}
