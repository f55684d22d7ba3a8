// The error the allocation-candidates query parser throws; the route layer turns it into HTTP 400 with `code`
// as the error code (placement ≥ 1.23).

export type PlacementQueryErrorCode =
  | 'placement.query.bad_value'
  | 'placement.query.duplicate_key'
  | 'placement.query.missing_value'
  | 'placement.undefined_code'

export class PlacementQueryError extends Error {
  readonly code: PlacementQueryErrorCode

  constructor(message: string, code: PlacementQueryErrorCode = 'placement.undefined_code') {
    super(message)
    this.name = 'PlacementQueryError'
    this.code = code
  }
}
