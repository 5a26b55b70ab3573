/**
 * `manage.ts createcachetable` on SQLite (in memory, 'default') and PostgreSQL (a
 * schema of this file's own, 'pg'). The tests run in order: the dry run first,
 * while no table exists.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { configure } from '../../../../src/conf/index.ts';
import { caches } from '../../../../src/cache/index.ts';
import { callCommand, CommandError, getCommands } from '../../../../src/core/management/index.ts';
import { connections } from '../../../../src/db/connections.ts';
import { router } from '../../../../src/db/routers.ts';
import { schemaEditorFor } from '../../../../src/db/schema.ts';
import { postgresTestSettings } from '../../../db/test-database.ts';

configure({
  DEBUG: true,
  DATABASES: { default: { ENGINE: 'sqlite', NAME: ':memory:' }, pg: postgresTestSettings() },
  CACHES: {
    default: { BACKEND: 'locmem' },
    pages: { BACKEND: 'db', LOCATION: 'pages_cache' },
    fragments: { BACKEND: 'django.core.cache.backends.db.DatabaseCache', LOCATION: 'fragments_cache', OPTIONS: { DATABASE: 'pg' } },
    sessions: { BACKEND: 'memcached', LOCATION: '127.0.0.1:11211' },
  },
});
after(async () => {
  await caches.closeAll();
  await connections.closeAll();
});

function output(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

async function tablesOn(alias: string): Promise<string[]> {
  return (await schemaEditorFor(connections.get(alias)).tableNames()).filter((name) => name.endsWith('_cache') || name.startsWith('extra')).sort();
}

describe('createcachetable', () => {
  test('is a built-in command', () => {
    assert.equal(getCommands().get('createcachetable')?.app, 'nuages');
  });

  test("--dry-run prints Django's SQL for each database cache and creates nothing", async () => {
    const stdout = output();
    await callCommand('createcachetable', '--dry-run', { stdout });
    assert.equal(
      stdout.text,
      [
        // pages: on 'default' (SQLite), exactly what Django 5.2 prints there.
        'CREATE TABLE "pages_cache" (',
        '    "cache_key" varchar(255) NOT NULL PRIMARY KEY,',
        '    "value" text NOT NULL,',
        '    "expires" datetime NOT NULL',
        ');',
        'CREATE INDEX "pages_cache_expires" ON "pages_cache" ("expires");',
        // fragments: on its OPTIONS.DATABASE, PostgreSQL.
        'CREATE TABLE "fragments_cache" (',
        '    "cache_key" varchar(255) NOT NULL PRIMARY KEY,',
        '    "value" text NOT NULL,',
        '    "expires" timestamp with time zone NOT NULL',
        ');',
        'CREATE INDEX "fragments_cache_expires" ON "fragments_cache" ("expires");',
        '',
      ].join('\n'),
    );
    assert.deepEqual(await tablesOn('default'), []);
    assert.deepEqual(await tablesOn('pg'), []);
  });

  test('creates the table of every database cache on its database, and the caches work', async () => {
    const stdout = output();
    await callCommand('createcachetable', '-v', '2', { stdout });
    assert.equal(stdout.text, "Cache table 'pages_cache' created.\nCache table 'fragments_cache' created.\n");
    assert.deepEqual(await tablesOn('default'), ['pages_cache']);
    assert.deepEqual(await tablesOn('pg'), ['fragments_cache']);
    await caches.get('pages').set('home', '<h1>Home</h1>');
    assert.equal(await caches.get('pages').get('home'), '<h1>Home</h1>');
    await caches.get('fragments').set('sidebar', ['a', 'b']);
    assert.deepEqual(await caches.get('fragments').get('sidebar'), ['a', 'b']);
  });

  test('is idempotent: existing tables are reported and kept with their rows', async () => {
    const stdout = output();
    await callCommand('createcachetable', { stdout });
    assert.equal(stdout.text, "Cache table 'pages_cache' already exists.\nCache table 'fragments_cache' already exists.\n");
    assert.equal(await caches.get('pages').get('home'), '<h1>Home</h1>');
    const quiet = output();
    await callCommand('createcachetable', '-v', '0', { stdout: quiet });
    assert.equal(quiet.text, '');
  });

  test('--database puts the tables of caches without OPTIONS.DATABASE on that database', async () => {
    const stdout = output();
    await callCommand('createcachetable', '--database', 'pg', { stdout });
    assert.equal(stdout.text, "Cache table 'fragments_cache' already exists.\n");
    assert.deepEqual(await tablesOn('pg'), ['fragments_cache', 'pages_cache']);
  });

  test('table names given as arguments are created instead of those of CACHES', async () => {
    await callCommand('createcachetable', 'extra_one', 'extra_two', { stdout: output() });
    assert.deepEqual(await tablesOn('default'), ['extra_one', 'extra_two', 'pages_cache']);
  });

  test("a router's allowMigrate() for django_cache can keep a table off a database", async () => {
    router.configure([{ allowMigrate: (db, appLabel) => (appLabel === 'django_cache' ? db === 'pg' : undefined) }]);
    try {
      await callCommand('createcachetable', 'extra_routed', { stdout: output() });
      await callCommand('createcachetable', 'extra_routed', '--database', 'pg', { stdout: output() });
    } finally {
      router.configure(undefined);
    }
    assert.equal((await tablesOn('default')).includes('extra_routed'), false);
    assert.equal((await tablesOn('pg')).includes('extra_routed'), true);
  });

  test('an unknown --database is a CommandError naming the aliases', async () => {
    await assert.rejects(callCommand('createcachetable', '--database', 'nope', { stdout: output() }), (error: Error) => error instanceof CommandError && /'nope'.*'default', 'pg'/.test(error.message));
  });
});
