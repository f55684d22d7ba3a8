import type { FastifyInstance } from 'fastify'

/** Listens and returns the address as a client on this host reaches it (wildcards become 127.0.0.1). */
export async function listenHttp(app: FastifyInstance, host: string, port: number): Promise<string> {
  const address = await app.listen({ host, port })
  return address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1')
}

/**
 * Stops accepting connections and waits for requests in flight; connections still open after `drainMs`
 * are cut so a stop never hangs on a keep-alive client.
 */
export async function closeHttp(app: FastifyInstance | undefined, drainMs: number): Promise<void> {
  if (app === undefined) return
  const timer = setTimeout(() => app.server.closeAllConnections(), drainMs)
  timer.unref()
  await app.close()
  clearTimeout(timer)
}
