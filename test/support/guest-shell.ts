import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Types `line` into the test guest's root shell through its serial console socket. What QEMU sends back (the
 * console's output, also in its log) is read and dropped; the connection is closed once QEMU took the line (it
 * closes its side after reading our end), or after 3 s.
 */
export function typeLine(serialSocket: string, line: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect(serialSocket, () => socket.end(`${line}\n`))
    socket.resume()
    const timer = setTimeout(() => socket.destroy(), 3000)
    socket.on('close', () => {
      clearTimeout(timer)
      resolve()
    })
    socket.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

/**
 * Runs `command` in the test guest's shell on its serial console and returns its output (on one line, as `echo
 * $(…)` prints it), read from the console log `readConsole` returns: `echo <tag> $(command)` is typed, and the
 * line that begins with the fresh tag is the answer (the echo of the typed line begins with `echo`). Typed again
 * every 10 s until it answers (a shell that was not reading yet); fails after `timeoutMs`.
 */
export async function inGuest(
  serialSocket: string,
  readConsole: () => Promise<string>,
  command: string,
  timeoutMs = 90_000,
): Promise<string> {
  const tag = `SHELL-${randomBytes(4).toString('hex')}`
  const deadline = Date.now() + timeoutMs
  let typedAt = 0
  for (;;) {
    if (Date.now() - typedAt > 10_000) {
      await typeLine(serialSocket, `echo ${tag} $(${command})`)
      typedAt = Date.now()
    }
    const output = await readConsole()
    const found = new RegExp(`^${tag}( .*)?$`, 'm').exec(output)
    if (found !== null) return (found[1] ?? '').replaceAll('\r', '').trim()
    if (Date.now() > deadline) throw new Error(`the guest never answered ${command}:\n${output.slice(-2000)}`)
    await sleep(200)
  }
}
