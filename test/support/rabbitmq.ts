import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Closes, from the broker's side (`rabbitmqctl close_connection`), every AMQP connection opened by the given
 * processes (nova-ts names its connections `nova-ts pid <pid>`). Returns how many it closed. Other tests'
 * connections are left alone.
 */
export async function closeRabbitConnectionsOf(pids: readonly number[]): Promise<number> {
  const { stdout } = await run('rabbitmqctl', [
    'list_connections',
    '-q',
    '--no-table-headers',
    'pid',
    'client_properties',
  ])
  let closed = 0
  for (const line of stdout.split('\n')) {
    const match = /^(<[^>]+>)\t.*"connection_name","nova-ts pid (\d+)"/.exec(line)
    if (match === null || !pids.includes(Number(match[2]))) continue
    await run('rabbitmqctl', ['close_connection', match[1]!, 'nova-ts test: dropping the connection'])
    closed++
  }
  return closed
}
