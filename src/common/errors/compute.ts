import { Conflict, Forbidden, Invalid, NotFound } from './base.js'
import { defineError } from './define-error.js'

// Errors of the compute API's own resources (flavors, key pairs), with Nova's messages.

export const FlavorNotFound = defineError(
  'FlavorNotFound',
  NotFound,
  (d: { flavorId: string }) => `Flavor ${d.flavorId} could not be found.`,
)
export const FlavorExists = defineError(
  'FlavorExists',
  Conflict,
  (d: { name: string }) => `Flavor with name ${d.name} already exists.`,
)
export const FlavorIdExists = defineError(
  'FlavorIdExists',
  Conflict,
  (d: { flavorId: string }) => `Flavor with ID ${d.flavorId} already exists.`,
)
export const FlavorExtraSpecsNotFound = defineError(
  'FlavorExtraSpecsNotFound',
  NotFound,
  (d: { flavorId: string; key: string }) => `Flavor ${d.flavorId} has no extra specs with key ${d.key}.`,
)
export const FlavorAccessExists = defineError(
  'FlavorAccessExists',
  Conflict,
  (d: { flavorId: string; projectId: string }) =>
    `Flavor access already exists for flavor ${d.flavorId} and project ${d.projectId} combination.`,
)
export const FlavorAccessNotFound = defineError(
  'FlavorAccessNotFound',
  NotFound,
  (d: { flavorId: string; projectId: string }) =>
    `Flavor access not found for ${d.flavorId} / ${d.projectId} combination.`,
)
export const KeypairNotFound = defineError(
  'KeypairNotFound',
  NotFound,
  (d: { name: string; userId: string }) => `Keypair ${d.name} not found for user ${d.userId}`,
)
export const KeyPairExists = defineError(
  'KeyPairExists',
  Conflict,
  (d: { name: string }) => `Key pair '${d.name}' already exists.`,
)
export const InvalidKeypair = defineError(
  'InvalidKeypair',
  Invalid,
  (d: { reason: string }) => `Keypair data is invalid: ${d.reason}`,
)
export const KeypairLimitExceeded = defineError(
  'KeypairLimitExceeded',
  Forbidden,
  (_d: { limit: number }) => 'Quota exceeded, too many key pairs.',
)
export const InstanceNotFound = defineError(
  'InstanceNotFound',
  NotFound,
  (d: { instanceId: string }) => `Instance ${d.instanceId} could not be found.`,
)
export const InstanceIsLocked = defineError(
  'InstanceIsLocked',
  Conflict,
  (d: { instanceUuid: string }) => `Instance ${d.instanceUuid} is locked`,
)
export const InstancePasswordSetFailed = defineError(
  'InstancePasswordSetFailed',
  Conflict,
  (d: { instanceUuid: string; reason: string }) =>
    `Failed to set admin password on ${d.instanceUuid} because ${d.reason}`,
)
export const NotSupportedByDriver = defineError(
  'NotSupportedByDriver',
  Invalid,
  (d: { operation: string; driver: string }) =>
    `${d.operation} is not implemented by the ${d.driver} driver.`,
)
export const ConsoleNotAvailable = defineError(
  'ConsoleNotAvailable',
  NotFound,
  (_d: { instanceUuid: string }) => 'Guest does not have a console available.',
)
