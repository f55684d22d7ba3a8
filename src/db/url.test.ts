import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { DatabaseUrlInvalid } from '../common/errors/index.js'
import { parseDatabaseUrl, redactDatabaseUrl } from './url.js'

describe('parseDatabaseUrl', () => {
  it('reads SQLite URLs: absolute, relative, in memory', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:////var/lib/nova/nova.sqlite'), {
      engine: 'sqlite',
      file: '/var/lib/nova/nova.sqlite',
    })
    assert.equal(parseDatabaseUrl('sqlite:///nova.sqlite').engine, 'sqlite')
    assert.ok((parseDatabaseUrl('sqlite:///nova.sqlite') as { file: string }).file.endsWith('/nova.sqlite'))
    assert.deepEqual(parseDatabaseUrl('sqlite://'), { engine: 'sqlite', file: ':memory:' })
  })

  it('reads PostgreSQL and MySQL URLs with drivers, encoded passwords, ports and options', () => {
    assert.deepEqual(parseDatabaseUrl('postgresql+psycopg2://nova:p%40ss@db.example:5433/nova'), {
      engine: 'postgresql',
      host: 'db.example',
      port: 5433,
      user: 'nova',
      password: 'p@ss',
      database: 'nova',
      query: {},
    })
    const my = parseDatabaseUrl('mysql+pymysql://nova:secret@127.0.0.1/nova_api?charset=utf8')
    assert.equal(my.engine, 'mysql')
    if (my.engine !== 'mysql') return
    assert.equal(my.port, 3306)
    assert.equal(my.database, 'nova_api')
    assert.deepEqual(my.query, { charset: 'utf8' })
    assert.equal((parseDatabaseUrl('postgres://h/db') as { user: string }).user, 'postgres')
  })

  it('refuses what it cannot use, without showing the password', () => {
    assert.throws(() => parseDatabaseUrl('oracle://u:p@h/db'), DatabaseUrlInvalid)
    assert.throws(
      () => parseDatabaseUrl('postgresql://u:secret@h/'),
      (e: Error) => e instanceof DatabaseUrlInvalid && !e.message.includes('secret'),
    )
    assert.throws(() => parseDatabaseUrl('nonsense'), DatabaseUrlInvalid)
    assert.throws(() => parseDatabaseUrl('sqlite://relative'), DatabaseUrlInvalid)
  })

  it('redacts passwords', () => {
    assert.equal(redactDatabaseUrl('mysql+pymysql://nova:secret@h/db'), 'mysql+pymysql://nova:****@h/db')
  })
})
