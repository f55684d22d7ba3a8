import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { DatabaseUrlInvalid } from '../common/errors/index.js'
import { parseDatabaseUrl, redactDatabaseUrl, redactUrl } from './url.js'

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
    assert.equal(redactUrl('postgresql://nova:p%2Fw@h:5432/db'), 'postgresql://nova:****@h:5432/db')
    assert.equal(redactUrl('postgresql://nova@h/db'), 'postgresql://nova@h/db', 'nothing to hide')
    assert.equal(redactUrl('mysql://nova:a/b:c@h/db'), 'mysql://nova:****@h/db', 'raw / and : in a password')
    assert.equal(
      redactUrl('mysql://u@h/db?password=x&charset=utf8'),
      'mysql://u@h/db?password=****&charset=utf8',
    )
    assert.equal(redactUrl('sqlite:////var/lib/nova/nova.sqlite'), 'sqlite:////var/lib/nova/nova.sqlite')
  })

  it('reads every spelling operators use', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:///:memory:'), { engine: 'sqlite', file: ':memory:' })
    assert.equal(parseDatabaseUrl('mysql+mysqldb://nova:pw@db/nova').engine, 'mysql')
    assert.equal(parseDatabaseUrl('mariadb://nova:pw@db/nova').engine, 'mysql')
    assert.equal(parseDatabaseUrl('POSTGRESQL://u@h/db').engine, 'postgresql')
    const socket = parseDatabaseUrl('mysql+pymysql://nova:pw@/nova?unix_socket=/run/mysqld/mysqld.sock')
    assert.ok(socket.engine === 'mysql')
    assert.deepEqual([socket.host, socket.query.unix_socket], ['localhost', '/run/mysqld/mysqld.sock'])
    const pgSocket = parseDatabaseUrl('postgresql://nova@/nova?host=/var/run/postgresql')
    assert.ok(pgSocket.engine === 'postgresql')
    assert.equal(pgSocket.query.host, '/var/run/postgresql')
    const encoded = parseDatabaseUrl('postgresql://n%40va:a%3Ab%2Fc%23d@[::1]:6543/my%20db')
    assert.ok(encoded.engine === 'postgresql')
    assert.deepEqual(
      [encoded.user, encoded.password, encoded.host, encoded.port, encoded.database],
      ['n@va', 'a:b/c#d', '::1', 6543, 'my db'],
    )
    assert.equal((parseDatabaseUrl('mysql://root@h/db') as { password?: string }).password, undefined)
  })

  it('refuses malformed hosts and ports', () => {
    assert.throws(() => parseDatabaseUrl('postgresql://u@h:notaport/db'), DatabaseUrlInvalid)
    assert.throws(() => parseDatabaseUrl('mysql://u@h'), DatabaseUrlInvalid)
    assert.throws(() => parseDatabaseUrl(''), DatabaseUrlInvalid)
  })
})
