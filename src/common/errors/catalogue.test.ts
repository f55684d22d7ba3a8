import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { errorClassFor, registeredErrorCodes } from './index.js'

const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/reference/errors.md'), 'utf8')
const documented = new Map([...doc.matchAll(/^\| (\w+) \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]))

describe('error catalogue', () => {
  it('documents every registered error with its status, and nothing else', () => {
    const codes = registeredErrorCodes()
    assert.deepEqual([...documented.keys()].sort(), codes)
    for (const code of codes) assert.equal(documented.get(code), errorClassFor(code)!.status, code)
  })
})
