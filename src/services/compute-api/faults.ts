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

/**
 * An HTTP answer of the API itself (webob.exc.HTTP* with an explanation in Nova): statuses that are no error
 * family of the catalogue (406, 410) or API-only messages (schema validation, malformed bodies).
 */
export class ApiFault extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'ApiFault'
  }
}

/** 400 badRequest with Nova's message. */
export const badRequest = (message: string): ApiFault => new ApiFault(400, message)

export interface Fault {
  readonly status: number
  readonly body: Record<string, { code: number; message: string }>
}

const fault = (status: number, message: string): Fault => ({
  status,
  body: { [faultName(status)]: { code: status, message } },
})

/**
 * The one translation point from errors to API faults. A NovaError or ApiFault keeps its status and message;
 * fastify's own refusals (bad JSON, media type, size) get Nova's words; anything else is a bug, answered as a
 * 500 computeFault whose message points at the request id, never at internals.
 */
export function faultFor(error: unknown, requestId: string): Fault {
  if (error instanceof NovaError || error instanceof ApiFault) return fault(error.status, error.message)
  const e = error as { code?: string; statusCode?: number; validation?: unknown }
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return fault(400, 'Malformed request body')
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.statusCode === 415)
    return fault(415, 'Unsupported Content-Type')
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413)
    return fault(413, 'Request is too large.')
  if (e.validation !== undefined) return fault(400, 'Malformed request body')
  if (e.statusCode === 404) return fault(404, 'The resource could not be found.')
  if (e.statusCode === 405) return fault(405, 'The method is not allowed for this resource.')
  const message =
    `Unexpected API Error. Please report this at https://bugs.launchpad.net/nova/ and attach the Nova API log ` +
    `if possible. (request id ${requestId})`
  return { status: 500, body: { computeFault: { code: 500, message } } }
}
