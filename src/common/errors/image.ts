import { Invalid, NotFound, Unavailable } from './base.js'
import { defineError } from './define-error.js'

// Errors of the image service and its clients.

export const ImageNotFound = defineError(
  'ImageNotFound',
  NotFound,
  (d: { imageId: string }) => `Image ${d.imageId} could not be found.`,
)
export const ImageChecksumMismatch = defineError(
  'ImageChecksumMismatch',
  Invalid,
  (d: { imageId: string; algorithm: string }) =>
    `The data of image ${d.imageId} does not match its ${d.algorithm} hash; the download was discarded.`,
)
export const ImageServiceUnavailable = defineError(
  'ImageServiceUnavailable',
  Unavailable,
  (d: { status: number; detail: string }) => `The image service answered ${d.status}: ${d.detail}`,
)
