import { test, describe, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { configure, resetSettings } from '../../src/conf/index.ts';
import {
  ConnectionDoesNotExist,
  ConnectionsInUseError,
  UnknownDatabaseEngineError,
  connection,
  connections,
} from '../../src/db/connections.ts';
import { SqliteDatabaseWrapper } from '../../src/db/backends/sqlite/connection.ts';
import { ImproperlyConfigured } from '../../src/core/errors.ts';

after(() => connections.reset());

describe('connections', () => {
  beforeEach(() => connections.reset());

  test('get() opens the configured alias lazily and returns the same wrapper each time', () => {
    connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
    const db = connections.get();
    assert.ok(db instanceof SqliteDatabaseWrapper);
    assert.equal(db.alias, 'default');
    assert.equal(connections.get('default'), db);
  });

  test('an unknown alias error lists the configured aliases', () => {
    connections.configure({
      default: { ENGINE: 'sqlite', NAME: ':memory:' },
      replica: { ENGINE: 'sqlite', NAME: ':memory:' },
    });
    assert.throws(
      () => connections.get('analytics'),
      (error: unknown) =>
        error instanceof ConnectionDoesNotExist &&
        error.code === 'NUAGES_DB_CONNECTION_DOES_NOT_EXIST' &&
        /'analytics'/.test(error.message) &&
        /'default', 'replica'/.test(error.message),
    );
  });

  test('an ENGINE without a backend lists the known engines', () => {
    // Settings refuse these names at type level too; a plain object from elsewhere (JSON) can still carry them.
    connections.configure({ default: { ENGINE: 'mysql' as never, NAME: 'shop' }, other: { ENGINE: 'oracle' as never, NAME: 'x' } });
    for (const alias of ['default', 'other']) {
      assert.throws(
        () => connections.get(alias),
        (error: unknown) =>
          error instanceof UnknownDatabaseEngineError && error instanceof ImproperlyConfigured && /'sqlite'/.test(error.message),
      );
    }
  });

  test('all() returns a wrapper per alias', () => {
    connections.configure({
      default: { ENGINE: 'sqlite', NAME: ':memory:' },
      other: { ENGINE: 'sqlite', NAME: ':memory:' },
    });
    assert.deepEqual(
      connections.all().map((c) => c.alias),
      ['default', 'other'],
    );
  });

  test('aliases are separate databases', async () => {
    connections.configure({
      default: { ENGINE: 'sqlite', NAME: ':memory:' },
      other: { ENGINE: 'sqlite', NAME: ':memory:' },
    });
    await connections.get().executeScript('CREATE TABLE only_default (a INTEGER)');
    await assert.rejects(async () => connections.get('other').fetchAll({ sql: 'SELECT * FROM only_default', params: [] }));
  });

  test('closeAll() forgets the wrappers; the next get() opens a fresh one', async () => {
    connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
    const first = connections.get();
    await connections.closeAll();
    assert.notEqual(connections.get(), first);
  });

  test('configure() while connections are open asks to close them first', () => {
    connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
    connections.get();
    assert.throws(() => connections.configure({}), ConnectionsInUseError);
  });

  test('`connection` is the default database', async () => {
    connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
    assert.equal(connection.alias, 'default');
    assert.equal(connection.vendor, 'sqlite');
    assert.deepEqual(await connection.fetchAll({ sql: 'SELECT 1', params: [] }), [[1]]);
    assert.equal(connection.inAtomicBlock(), false);
  });

  test('DATABASES and DEBUG come from settings when configure() was not called', async () => {
    resetSettings();
    configure({ DEBUG: true, DATABASES: { default: { ENGINE: 'sqlite', NAME: ':memory:' } } });
    try {
      const db = connections.get();
      db.fetchAll({ sql: 'SELECT 1', params: [] });
      assert.equal(db.queries.length, 1);
    } finally {
      await connections.reset();
      resetSettings();
    }
  });

  test('without settings or configure(), get() explains how to configure a database', () => {
    resetSettings();
    assert.throws(() => connections.get(), (error: unknown) => error instanceof ImproperlyConfigured && /connections\.configure/.test(error.message));
  });
});
