import { NovaError } from '../../common/errors/index.js'
import { STATUS_TITLES } from '../../http/status-titles.js'

/** Keystone's error body: `{"error": {"code", "title", "message"}}`. Anything not a NovaError is a 500. */
export function identityFault(error: unknown, requestId: string): { status: number; body: unknown } {
  if (error instanceof NovaError) {
    return {
      status: error.status,
      body: {
        error: { code: error.status, title: STATUS_TITLES[error.status] ?? 'Error', message: error.message },
      },
    }
  }
  const fastify = error as { statusCode?: number; validation?: unknown; code?: string; message?: string }
  if (
    fastify.validation !== undefined ||
    fastify.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    fastify.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
  ) {
    return {
      status: 400,
      body: {
        error: {
          code: 400,
          title: 'Bad Request',
          message: `Invalid input: ${fastify.message ?? 'malformed request body'}`,
        },
      },
    }
  }
  if (fastify.statusCode === 415 || fastify.statusCode === 413) {
    return {
      status: fastify.statusCode,
      body: {
        error: {
          code: fastify.statusCode,
          title: STATUS_TITLES[fastify.statusCode]!,
          message: fastify.message ?? '',
        },
      },
    }
  }
  const message = `An unexpected error prevented the server from fulfilling your request. (request id ${requestId})`
  return { status: 500, body: { error: { code: 500, title: 'Internal Server Error', message } } }
}
