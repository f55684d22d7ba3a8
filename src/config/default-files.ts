import { statSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'

/** oslo's search directories: ~/.<project>/, ~/, /etc/<project>/, /etc/. */
function searchDirs(project: string): string[] {
  return [path.join(homedir(), `.${project}`), homedir(), path.join('/etc', project), '/etc']
}

function firstExisting(dirs: readonly string[], name: string, isDir: boolean): string | undefined {
  return dirs
    .map((d) => path.join(d, name))
    .find((p) => {
      const st = statSync(p, { throwIfNoEntry: false })
      return st !== undefined && (isDir ? st.isDirectory() : st.isFile())
    })
}

function search(project: string, binary: string | undefined, suffix: string, isDir: boolean): string[] {
  const dirs = searchDirs(project)
  const names = [project, ...(binary === undefined || binary === project ? [] : [binary])]
  return names.flatMap((n) => firstExisting(dirs, `${n}${suffix}`, isDir) ?? [])
}

/**
 * oslo `find_config_files`: the first existing `<project>.conf`, then the first existing `<binary>.conf`, each
 * searched in ~/.<project>/, ~/, /etc/<project>/, /etc/ — what a daemon reads when given no --config-file.
 * Returns only files that exist (possibly none); never throws.
 */
export function findDefaultConfigFiles(project = 'nova', binary?: string): string[] {
  return search(project, binary, '.conf', false)
}

/** oslo `find_config_dirs`: the same search for `<project>.conf.d/` and `<binary>.conf.d/` directories. */
export function findDefaultConfigDirs(project = 'nova', binary?: string): string[] {
  return search(project, binary, '.conf.d', true)
}
