import { strict as assert } from 'node:assert'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fernetDecrypt, fernetEncrypt, generateFernetKey } from './fernet.js'
import { FernetKeyRepository } from './key-repository.js'

describe('Fernet', () => {
  it('matches the Fernet spec test vector', () => {
    // From the Fernet specification's generate.json.
    const token = fernetEncrypt(
      'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=',
      Buffer.from('hello'),
      new Date('1985-10-26T01:20:00-07:00'),
      Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]),
    )
    assert.equal(
      token,
      'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA',
    )
  })

  it('round-trips, tries every key, and refuses tampered or foreign tokens', () => {
    const [a, b] = [generateFernetKey(), generateFernetKey()]
    const token = fernetEncrypt(b, Buffer.from('{"u":"x"}'))
    assert.equal(fernetDecrypt([a, b], token)?.toString(), '{"u":"x"}')
    assert.equal(fernetDecrypt([a], token), undefined)
    const tampered = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21)
    assert.equal(fernetDecrypt([b], tampered), undefined)
    assert.equal(fernetDecrypt([b], 'not a token'), undefined)
    assert.equal(fernetDecrypt([b], ''), undefined)
  })

  it('rotates keys: old tokens still decrypt until their key leaves the repository', () => {
    const repo = new FernetKeyRepository(path.join(mkdtempSync(path.join(tmpdir(), 'fernet-')), 'keys'))
    repo.setup()
    const first = fernetEncrypt(repo.primary, Buffer.from('1'))
    repo.rotate(3)
    assert.equal(repo.all.length, 3)
    assert.equal(fernetDecrypt(repo.all, first)?.toString(), '1')
    repo.rotate(3)
    repo.rotate(3)
    assert.equal(repo.all.length, 3)
    assert.equal(fernetDecrypt(repo.all, first), undefined, 'the first primary was rotated out')
  })
})
