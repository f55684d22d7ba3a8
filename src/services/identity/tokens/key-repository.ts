import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { generateFernetKey } from './fernet.js'

/**
 * Keystone's Fernet key repository: files named 0, 1, 2, … in one directory. The highest number is the primary
 * key (encrypts new tokens), 0 is the staged key (the next primary), the others only decrypt. Every service that
 * validates tokens reads the same directory (in split deployments the operator distributes it, as with Keystone).
 */
export class FernetKeyRepository {
  readonly #dir: string
  #keys: string[] = []

  constructor(dir: string) {
    this.#dir = dir
  }

  /** Creates the repository with a staged and a primary key when it is empty; then loads it. */
  setup(): void {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 })
    if (this.#indexes().length === 0) {
      this.#write(0, generateFernetKey())
      this.#write(1, generateFernetKey())
    }
    this.load()
  }

  /** Reads the keys; the primary first, so that it is tried first on validation. */
  load(): void {
    const indexes = this.#indexes()
    if (indexes.length === 0)
      throw new Error(`no Fernet keys in ${this.#dir}: run nova-manage identity fernet_setup`)
    this.#keys = indexes
      .sort((a, b) => b - a)
      .map((i) => readFileSync(path.join(this.#dir, String(i)), 'utf8').trim())
  }

  /** The key new tokens are encrypted with. */
  get primary(): string {
    return this.#keys[0]!
  }

  /** Every key a token may have been made with. */
  get all(): readonly string[] {
    return this.#keys
  }

  /**
   * Rotation (keystone-manage fernet_rotate): the staged key becomes the primary, a new staged key is made, and
   * the oldest secondary keys are removed beyond `maxActiveKeys`.
   */
  rotate(maxActiveKeys: number): void {
    const indexes = this.#indexes().sort((a, b) => a - b)
    const next = (indexes.at(-1) ?? 0) + 1
    renameSync(path.join(this.#dir, '0'), path.join(this.#dir, String(next)))
    this.#write(0, generateFernetKey())
    const secondaries = this.#indexes()
      .filter((i) => i !== 0 && i !== next)
      .sort((a, b) => a - b)
    const excess = secondaries.length + 2 - maxActiveKeys
    for (const i of secondaries.slice(0, Math.max(0, excess))) rmSync(path.join(this.#dir, String(i)))
    this.load()
  }

  #indexes(): number[] {
    return readdirSync(this.#dir)
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
  }

  #write(index: number, key: string): void {
    const file = path.join(this.#dir, String(index))
    writeFileSync(`${file}.tmp`, key, { mode: 0o600 })
    chmodSync(`${file}.tmp`, 0o600)
    renameSync(`${file}.tmp`, file)
  }
}
