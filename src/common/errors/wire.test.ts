import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { Conflict, errorFromWire, errorToWire, NotFound, RemoteError, UnexpectedStateError } from './index.js'

describe('errors over the wire', () => {
  it('rebuilds a defined error as the same class with its details', () => {
    const original = new UnexpectedStateError({
      table: 'instances',
      id: 'u1',
      field: 'task_state',
      expected: null,
      actual: 'deleting',
    })
    const rebuilt = errorFromWire(JSON.parse(JSON.stringify(errorToWire(original))))
    assert.ok(rebuilt instanceof UnexpectedStateError)
    assert.ok(rebuilt instanceof Conflict)
    assert.equal(rebuilt.status, 409)
    assert.equal(rebuilt.message, original.message)
    assert.deepEqual(rebuilt.details, original.details)
  })

  it('keeps an unknown code as a RemoteError, and sends it on unchanged', () => {
    const rebuilt = errorFromWire({ code: 'FromTheFuture', message: 'new peer' })
    assert.ok(rebuilt instanceof RemoteError)
    assert.equal((rebuilt as RemoteError).remoteCode, 'FromTheFuture')
    assert.equal(errorToWire(rebuilt).code, 'FromTheFuture')
  })

  it('rebuilds a family base class', () => {
    const rebuilt = errorFromWire(errorToWire(new NotFound('gone')))
    assert.ok(rebuilt instanceof NotFound)
    assert.equal(rebuilt.status, 404)
  })

  it('turns an unexpected error into UnexpectedError without its stack', () => {
    const wire = errorToWire(new TypeError('boom'))
    assert.deepEqual(wire, { code: 'UnexpectedError', message: 'boom' })
  })
})
