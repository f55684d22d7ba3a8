import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

export const REPO = path.resolve(import.meta.dirname, '..', '..')

export interface RunningBinary {
  readonly child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves once stdout matches, rejects if the process exits first or after timeoutMs. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>
  /** Resolves with the exit code (or the signal name) once the process ended. */
  exited(): Promise<number | string>
}

/** Starts `bin/<name>` with the given arguments (and node options, e.g. `--cpu-prof`), collecting its output. */
export function startBinary(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  nodeArgs: readonly string[] = [],
): RunningBinary {
  const child = spawn(process.execPath, [...nodeArgs, path.join(REPO, 'bin', name), ...args], {
    cwd: REPO,
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (err += c.toString()))
  const exit = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1))
  })
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: () => exit,
    waitForOutput: async (pattern, timeoutMs) =>
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`timed out waiting for ${pattern}; stdout: ${out}\nstderr: ${err}`))
        }, timeoutMs)
        const check = (): void => {
          const match = out.match(pattern)
          if (match !== null) {
            cleanup()
            resolve(match)
          }
        }
        const onExit = (): void => {
          cleanup()
          reject(new Error(`exited before ${pattern}; stdout: ${out}\nstderr: ${err}`))
        }
        const cleanup = (): void => {
          clearTimeout(timer)
          child.stdout?.off('data', check)
          child.off('exit', onExit)
        }
        child.stdout?.on('data', check)
        child.once('exit', onExit)
        check()
      }),
  }
}

/** Runs `bin/<name>` to completion. */
export async function runBinary(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const running = startBinary(name, args, env)
  const code = await running.exited()
  return { code, stdout: running.stdout(), stderr: running.stderr() }
}
