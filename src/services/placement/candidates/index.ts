// Placement's allocation-candidates engine: parse the query, compute over an in-memory snapshot.
export { computeCandidates, requestKey } from './compute-candidates.js'
export * from './model.js'
export {
  parseCandidateQuery,
  type Microversion,
  type ParseQueryOptions,
  type QueryParams,
} from './parse-query.js'
export { PlacementQueryError, type PlacementQueryErrorCode } from './query-error.js'
export { namesInRequest, type RequestNames } from './request-names.js'
