import { randomUUID } from 'node:crypto'

/** A Keystone-style id: 32 lowercase hex characters. */
export function newId(): string {
  return randomUUID().replaceAll('-', '')
}

/** Keystone's marker for "no domain" (global roles). */
export const NULL_DOMAIN = '<<null>>'
