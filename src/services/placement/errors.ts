import { STATUS_TITLES } from '../../http/status-titles.js'
/** The error codes placement puts in its error documents (≥ 1.23). */
export type PlacementErrorCode =
  | 'placement.undefined_code'
  | 'placement.inventory.inuse'
  | 'placement.concurrent_update'
  | 'placement.duplicate_name'
  | 'placement.resource_provider.inuse'
  | 'placement.resource_provider.cannot_delete_parent'
  | 'placement.resource_provider.not_found'
  | 'placement.query.duplicate_key'
  | 'placement.query.bad_value'
  | 'placement.query.missing_value'

/** An answer placement gives as `{"errors": [{status, title, detail, code, request_id}]}`. */
export class PlacementError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code: PlacementErrorCode = 'placement.undefined_code',
  ) {
    super(detail)
    this.name = 'PlacementError'
  }

  get title(): string {
    return STATUS_TITLES[this.status] ?? 'Error'
  }
}

export const notFound = (detail: string, code: PlacementErrorCode = 'placement.undefined_code') =>
  new PlacementError(404, detail, code)
export const badRequest = (detail: string, code: PlacementErrorCode = 'placement.undefined_code') =>
  new PlacementError(400, detail, code)
export const conflict = (detail: string, code: PlacementErrorCode = 'placement.undefined_code') =>
  new PlacementError(409, detail, code)

/** 409 when the generation a writer sent is not the current one. */
export const generationConflict = (what: string) =>
  conflict(
    `${what} generation conflict: the resource provider changed since it was read; re-read it and retry.`,
    'placement.concurrent_update',
  )

export function errorDocument(error: PlacementError, requestId: string, withCode: boolean) {
  return {
    errors: [
      {
        status: error.status,
        title: error.title,
        detail: error.detail,
        ...(withCode ? { code: error.code } : {}),
        request_id: requestId,
      },
    ],
  }
}
