import { NovaError } from '../../common/errors/index.js'

/** Nova's fault names by status (nova/api/openstack/wsgi.py `_fault_names`). */
const FAULT_NAMES: Readonly<Record<number, string>> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
}

export function faultName(status: number): string {
  return FAULT_NAMES[status] ?? 'computeFault'
}

export interface Fault {
  readonly status: number
  readonly body: Record<string, { code: number; message: string }>
}

/**
 * The one translation point from errors to API faults. A NovaError keeps its status and message; anything
 * else is a bug, answered as a 500 computeFault whose message points at the request id, never at internals.
 */
export function faultFor(error: unknown, requestId: string): Fault {
  if (error instanceof NovaError) {
    return {
      status: error.status,
      body: { [faultName(error.status)]: { code: error.status, message: error.message } },
    }
  }
  const message =
    `Unexpected API Error. Please report this at https://bugs.launchpad.net/nova/ and attach the Nova API log ` +
    `if possible. (request id ${requestId})`
  return { status: 500, body: { computeFault: { code: 500, message } } }
}
