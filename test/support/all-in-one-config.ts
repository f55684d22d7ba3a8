import { freePort } from './free-port.js'

export interface AllInOnePorts {
  readonly identity: number
  readonly image: number
  readonly placement: number
  /** 0 lets the compute API pick a port (read it from the announcement). */
  readonly compute: number
}

/**
 * nova.conf text for a nova-all on 127.0.0.1 with every HTTP service on a free port of its own (tests run in
 * parallel, so no service may use its default port), cheap password hashing and the fake driver.
 */
export async function allInOneConfig(
  options: {
    compute?: 'free' | 'any'
    /** `fake` (default) names the fake driver; `unset` leaves compute_driver to nova-all's own choice. */
    driver?: 'fake' | 'unset'
  } = {},
): Promise<{
  text: string
  ports: AllInOnePorts
}> {
  const ports: AllInOnePorts = {
    identity: await freePort(),
    image: await freePort(),
    placement: await freePort(),
    compute: options.compute === 'any' ? 0 : await freePort(),
  }
  const text =
    `[DEFAULT]\nmy_ip = 127.0.0.1\nosapi_compute_listen = 127.0.0.1\nosapi_compute_listen_port = ${ports.compute}\n` +
    // One host (Tempest's single-node CI): resize may stay on it.
    `allow_resize_to_same_host = true\n` +
    // The fake driver, named: on a host with QEMU, nova-all would otherwise run real guests.
    (options.driver === 'unset' ? '' : `compute_driver = fake.FakeDriver\n`) +
    `[identity]\nlisten = 127.0.0.1\nport = ${ports.identity}\npassword_hash_rounds = 4\n` +
    `[image]\nlisten = 127.0.0.1\nport = ${ports.image}\n` +
    `[placement]\nlisten = 127.0.0.1\nport = ${ports.placement}\n` +
    // A snapshot takes a moment, as a real upload does (Tempest's second createImage expects 409 meanwhile).
    `[fake_driver]\nsnapshot_delay_ms = 500\n`
  return { text, ports }
}
