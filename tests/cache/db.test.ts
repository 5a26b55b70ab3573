/**
 * The database backend on SQLite (in memory) and on the PostgreSQL test server (a
 * schema of this file's own), each running the shared suite and the cases below.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CacheTableMissingError, CacheUnavailableError, createCache, DatabaseCache, InvalidCacheBackendError, type Cache } from '../../src/cache/index.ts';
import { cacheTableSql, createCacheTable } from '../../src/cache/backends/db.ts';
import { connections } from '../../src/db/connections.ts';
import { router } from '../../src/db/routers.ts';
import { captureLogs } from '../../src/utils/log.ts';
import { postgresTestSettings } from '../db/test-database.ts';
import { runBackendSuite, uniquePrefix } from './backend-suite.ts';

connections.configure({
  default: { ENGINE: 'sqlite', NAME: ':memory:' },
  pg: postgresTestSettings(),
  // Nothing listens on port 1: the database cannot be reached.
  down: { ENGINE: 'postgres', NAME: 'test', HOST: '127.0.0.1', PORT: 1, USER: 'postgres', OPTIONS: { connect_timeout: 2 } },
});
after(() => connections.closeAll());

const DATABASES = [
  { label: 'sqlite', alias: 'default' },
  { label: 'postgres', alias: 'pg' },
] as const;

let tables = 0;
/** A fresh cache table on `database`. */
async function newTable(database: string): Promise<string> {
  const table = `cache_t${++tables}`;
  await createCacheTable(connections.get(database), table);
  return table;
}

function dbCache(database: string, table: string, options: Record<string, unknown> = {}, keyPrefix = uniquePrefix('db')): Cache {
  return createCache('default', { BACKEND: 'db', LOCATION: table, KEY_PREFIX: keyPrefix, OPTIONS: { DATABASE: database, ...options } });
}

before(async () => {
  for (const { alias } of DATABASES) await createCacheTable(connections.get(alias), 'suite_cache');
});

for (const { label, alias } of DATABASES) {
  runBackendSuite(`db-${label}`, (keyPrefix) => ({ BACKEND: 'db', LOCATION: 'suite_cache', KEY_PREFIX: keyPrefix, OPTIONS: { DATABASE: alias } }), {
    expiry: 'fake',
    writeRaw: async (_cache, finalKey, bytes) => {
      const connection = connections.get(alias);
      const [a, b] = label === 'sqlite' ? ['?', '?'] : ['$1', '$2'];
      await connection.execute({
        sql: `INSERT INTO suite_cache (cache_key, value, expires) VALUES (${a}, ${b}, '9999-12-31 23:59:59') ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value`,
        params: [finalKey, bytes.toString('base64')],
      });
    },
  });
}

describe('db: configuration', () => {
  test("Django's dotted path names the same backend", () => {
    const cache = createCache('default', { BACKEND: 'django.core.cache.backends.db.DatabaseCache', LOCATION: 'suite_cache' });
    assert.ok(cache.backend instanceof DatabaseCache);
  });

  test('LOCATION must name the table, and OPTIONS.DATABASE an alias', () => {
    assert.throws(() => createCache('pages', { BACKEND: 'db' }), (error: Error) => error instanceof InvalidCacheBackendError && /CACHES\.pages\.LOCATION/.test(error.message));
    assert.throws(() => createCache('pages', { BACKEND: 'db', LOCATION: 't', OPTIONS: { DATABASE: 3 } }), InvalidCacheBackendError);
  });

  test('the table is the one Django creates, on each database', () => {
    assert.deepEqual(cacheTableSql(connections.get('default'), 'my_cache_table'), [
      'CREATE TABLE "my_cache_table" (\n    "cache_key" varchar(255) NOT NULL PRIMARY KEY,\n    "value" text NOT NULL,\n    "expires" datetime NOT NULL\n);',
      'CREATE INDEX "my_cache_table_expires" ON "my_cache_table" ("expires");',
    ]);
    assert.match(cacheTableSql(connections.get('pg'), 'my_cache_table')[0]!, /"expires" timestamp with time zone NOT NULL/);
  });

  test('without OPTIONS.DATABASE the routers choose, as for Django’s django_cache.cacheentry', async () => {
    const table = await newTable('pg');
    router.configure([{ dbForRead: (model) => (model._meta.appLabel === 'django_cache' ? 'pg' : undefined), dbForWrite: (model) => (model._meta.appLabel === 'django_cache' ? 'pg' : undefined) }]);
    try {
      const cache = createCache('default', { BACKEND: 'db', LOCATION: table });
      await cache.set('routed', 'to postgres');
      assert.equal(await dbCache('pg', table, {}, '').get('routed'), 'to postgres');
    } finally {
      router.configure(undefined);
    }
  });
});

for (const { label, alias } of DATABASES) {
  describe(`db-${label}: rows`, () => {
    test('a value is kept as base64 of its bytes; no timeout means Django’s datetime.max', async () => {
      const table = await newTable(alias);
      const cache = dbCache(alias, table, {}, 'p');
      await cache.set('visits', 41, null);
      const [row] = await connections.get(alias).fetchAll({ sql: `SELECT value, CAST(expires AS text) FROM ${table}`, params: [] });
      assert.equal(row![0], Buffer.from('41').toString('base64'));
      assert.match(String(row![1]), /^9999-12-31 23:59:59/);
    });

    test('a missing table is an error that says to run createcachetable', async () => {
      const cache = dbCache(alias, 'no_such_cache_table');
      await assert.rejects(
        async () => cache.get('k'),
        (error: Error) => error instanceof CacheTableMissingError && error.code === 'NUAGES_CACHE_TABLE_MISSING' && /'no_such_cache_table'/.test(error.message) && /manage\.ts createcachetable/.test(error.message),
      );
      await assert.rejects(cache.set('k', 1), CacheTableMissingError);
    });

    test('a full table loses its oldest third by cache_key, as Django', async () => {
      const table = await newTable(alias);
      const cache = dbCache(alias, table, { MAX_ENTRIES: 30 }, '');
      const rows = async (): Promise<number> => Number((await connections.get(alias).fetchOne({ sql: `SELECT COUNT(*) FROM ${table}`, params: [] }))![0]);
      for (let i = 0; i < 31; i++) await cache.set(`k${i}`, i);
      assert.equal(await rows(), 31, 'Django culls only once the table holds more than MAX_ENTRIES rows');
      for (let i = 31; i < 50; i++) await cache.set(`k${i}`, i);
      const kept: number[] = [];
      for (let i = 0; i < 50; i++) if (await cache.has(`k${i}`)) kept.push(i);
      // Django 5.2 keeps exactly these after the same 50 sets (keys ':1:k0', ':1:k1', ':1:k10', … in order).
      assert.deepEqual(kept, [3, 4, 5, 6, 7, 8, 9, ...Array.from({ length: 23 }, (_, i) => 27 + i)]);
    });

    test('culling removes expired rows first', async () => {
      const table = await newTable(alias);
      const cache = dbCache(alias, table, { MAX_ENTRIES: 3 });
      await cache.set('a', 1);
      await cache.set('b', 2);
      await connections.get(alias).execute({ sql: `UPDATE ${table} SET expires = '2000-01-01 00:00:00'`, params: [] });
      await cache.set('c', 3);
      await cache.set('d', 4);
      await cache.set('e', 5);
      assert.deepEqual(await cache.getMany(['a', 'b', 'c', 'd', 'e']), { c: 3, d: 4, e: 5 });
    });

    test('CULL_FREQUENCY 0 empties a full table', async () => {
      const table = await newTable(alias);
      const cache = dbCache(alias, table, { MAX_ENTRIES: 3, CULL_FREQUENCY: 0 });
      for (let i = 0; i < 5; i++) await cache.set(`k${i}`, i);
      assert.deepEqual(await cache.getMany(['k0', 'k1', 'k2', 'k3', 'k4']), { k4: 4 });
    });

    test('of concurrent adds from separate caches exactly one wins, and concurrent incr all count', async () => {
      const table = await newTable(alias);
      const prefix = uniquePrefix('race');
      const contenders = Array.from({ length: 8 }, () => dbCache(alias, table, {}, prefix));
      const wins = await Promise.all(contenders.map((cache, i) => cache.add('lock', i, 10)));
      assert.equal(wins.filter(Boolean).length, 1);
      assert.equal(await contenders[0]!.get('lock'), wins.indexOf(true));
      await contenders[0]!.set('counter', 0);
      await Promise.all(Array.from({ length: 40 }, (_, i) => contenders[i % contenders.length]!.incr('counter')));
      assert.equal(await contenders[0]!.get('counter'), 40);
    });
  });
}

describe('db: outages', () => {
  test('a database that cannot be reached: reads give the default, writes are dropped, one warning', { timeout: 20_000 }, async () => {
    const cache = dbCache('down', 'cache_table');
    const { result, records } = await captureLogs('nuages.cache', async () => {
      const answer = await cache.get('k', 'default');
      await cache.set('k', 'v');
      return answer;
    });
    assert.equal(result, 'default');
    const warnings = records.filter((record) => record.level === 'warning');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /database 'down'/);
    await assert.rejects(dbCache('down', 'cache_table', { IGNORE_EXCEPTIONS: false }).get('k'), CacheUnavailableError);
  });
});
