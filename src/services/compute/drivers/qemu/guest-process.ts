import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { QmpClient } from './qmp-client.js'

/** The process is there, is no zombie, and its command line names `marker` (the instance uuid). */
export async function isQemuAlive(pid: number, marker: string): Promise<boolean> {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  if (stat === '' || / Z /.test(stat.slice(stat.lastIndexOf(')')))) return false
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
  return cmdline.includes(marker)
}

/** The pid a QEMU pidfile names, or undefined. */
export async function readPidfile(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '')
  const pid = Number.parseInt(text.trim(), 10)
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

/** Waits until the process is gone; false when it is still there after `timeoutMs`. */
export async function waitForExit(pid: number, marker: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!(await isQemuAlive(pid, marker))) return true
    await sleep(25)
  }
  return !(await isQemuAlive(pid, marker))
}

/**
 * Starts QEMU as a detached process of its own session (so it survives a restart of nova-compute), stdout and
 * stderr appended to `logFile`. Resolves with the pid once the QMP socket answers, with the connected client;
 * rejects (after killing it) when QEMU exits early or the monitor does not answer within `timeoutMs`.
 */
export async function launchQemu(options: {
  readonly binary: string
  readonly argv: readonly string[]
  readonly logFile: string
  readonly qmpSocket: string
  readonly timeoutMs: number
}): Promise<{ pid: number; qmp: QmpClient }> {
  const fd = openSync(options.logFile, 'a')
  let exited: string | undefined
  let child
  try {
    child = spawn(options.binary, options.argv, { detached: true, stdio: ['ignore', fd, fd] })
  } finally {
    closeSync(fd)
  }
  child.on('error', (error) => (exited = error.message))
  child.on('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`))
  child.unref()
  const deadline = Date.now() + options.timeoutMs
  const failure = async (reason: string) => {
    try {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
    const log = await readFile(options.logFile, 'utf8').catch(() => '')
    return new Error(`qemu ${reason}: ${log.trim().split('\n').slice(-5).join(' | ')}`)
  }
  for (;;) {
    if (exited !== undefined) throw await failure(exited)
    try {
      const qmp = await QmpClient.connect(options.qmpSocket, {
        timeoutMs: Math.max(1000, deadline - Date.now()),
      })
      return { pid: child.pid!, qmp }
    } catch (error) {
      if (Date.now() > deadline) throw await failure(`did not answer on QMP: ${(error as Error).message}`)
      await sleep(20)
    }
  }
}
