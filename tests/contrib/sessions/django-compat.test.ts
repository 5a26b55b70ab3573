/**
 * Sessions shared with a Django 5.2 project (fixtures from django/sessions_oracle.py):
 * session data and signed-cookie sessions encoded by Django read here and the reverse,
 * rows of django_session move between the two, and the migration builds Django's table.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { callCommand } from '../../../src/core/management/index.ts';
import { DbSessionStore, SignedCookiesSessionStore, type SessionData } from '../../../src/contrib/sessions/index.ts';
import { connections } from '../../../src/db/index.ts';
import { parsePythonJson } from '../../../src/utils/python-json.ts';
import { nativeSql, postgresTestSettings, testDatabaseSettings } from '../../db/test-database.ts';
import { encodeForDb, encodeForSignedCookie, sessionCases } from './django/session-cases.ts';
import { setUpSessions, tearDownSessions } from './setup.ts';

interface Row {
  readonly key: string;
  readonly data: string;
  readonly expires: string;
}

const read = (name: string): unknown => parsePythonJson(readFileSync(join(import.meta.dirname, 'django', name), 'utf8'));
const django = read('sessions-django.json') as {
  encoded: Record<string, { db: string; signedCookie: string }>;
  rows: Row[];
  verified: Record<string, { db: SessionData; signedCookie: SessionData }>;
  verifiedRows: Record<string, { data: SessionData; expiry: string }>;
  sqlmigrate: { sqlite: string; postgresql: string };
};
const nuages = read('nuages-sessions.json') as { encoded: Record<string, { db: string; signedCookie: string }>; rows: Row[] };
const atOracleClock = { apis: ['Date'] as ['Date'], now: sessionCases.now * 1000 };

before(() =>
  setUpSessions(
    {
      SECRET_KEY: sessionCases.secretKey,
      // The test database, plus one of each vendor for the migration's SQL.
      DATABASES: { default: testDatabaseSettings(), lite: { ENGINE: 'sqlite', NAME: ':memory:' }, pg: postgresTestSettings() },
    },
    { database: true },
  ),
);
after(tearDownSessions);

/** The JSON inside a signed value, decompressed: what must match byte for byte. */
function payload(signed: string): string {
  const [body] = signed.split(':') as [string];
  const bytes = Buffer.from(body.replace(/^\./, ''), 'base64url');
  return (body.startsWith('.') ? inflateSync(bytes) : bytes).toString('latin1');
}

/** The CREATE statements of some SQL. */
const creates = (sql: string): string[] => sql.split('\n').filter((line) => line.startsWith('CREATE '));

/** The CREATE statements of sessions' 0001_initial as `sqlmigrate` prints them for a database alias. */
async function sqlmigrateCreates(alias: string): Promise<string[]> {
  const out = { text: '', write(chunk: string) { this.text += `${chunk}\n`; } };
  await callCommand('sqlmigrate', 'sessions', '0001', { stdout: out, database: alias });
  return creates(out.text);
}

describe('session data shared with Django', () => {
  test('Nuages encodes each session as Django does: the same JSON, the same compression choice, the same signature when uncompressed', (t) => {
    t.mock.timers.enable(atOracleClock);
    for (const { name, data } of sessionCases.cases) {
      for (const [ours, theirs] of [[encodeForDb(data), django.encoded[name]!.db], [encodeForSignedCookie(data), django.encoded[name]!.signedCookie]] as const) {
        assert.equal(payload(ours), payload(theirs), name);
        assert.equal(ours.startsWith('.'), theirs.startsWith('.'), `${name}: compressed on both sides or neither`);
        // zlib streams may differ (Node's zlib is Chromium's fork); uncompressed values are identical.
        if (!theirs.startsWith('.')) assert.equal(ours, theirs, name);
      }
    }
  });

  test("Django's session_data and signed-cookie sessions read back in Nuages", async (t) => {
    t.mock.timers.enable(atOracleClock);
    for (const { name, data } of sessionCases.cases) {
      assert.deepEqual(new DbSessionStore().decode(django.encoded[name]!.db), data, name);
      assert.deepEqual(Object.fromEntries(await new SignedCookiesSessionStore(django.encoded[name]!.signedCookie).items()), data, name);
    }
  });

  test("Django read back every session Nuages encoded (and nuages-sessions.json is Nuages's current output)", (t) => {
    t.mock.timers.enable(atOracleClock);
    for (const { name, data } of sessionCases.cases) {
      assert.equal(nuages.encoded[name]!.db, encodeForDb(data), `${name}: rerun make-nuages-sessions.ts and sessions_oracle.py`);
      assert.deepEqual(django.verified[name], { db: data, signedCookie: data }, name);
    }
  });
});

describe('django_session rows shared with Django', () => {
  test("rows Django wrote load through Nuages's db store, with Django's expiry dates", async () => {
    const connection = connections.get();
    for (const row of django.rows) {
      await connection.execute({
        sql: nativeSql('INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, ?, ?)'),
        params: [row.key, row.data, connection.vendor === 'postgres' ? `${row.expires}+00:00` : row.expires],
      });
    }
    for (const { key, data } of sessionCases.rows) {
      const session = new DbSessionStore(key);
      assert.deepEqual(Object.fromEntries(await session.items()), data, key);
      assert.equal((await session.getExpiryDate()).toISOString(), new Date(String(data['_session_expiry'])).toISOString());
    }
  });

  test('rows Nuages wrote load through Django, with the same expiry dates', () => {
    const wanted = new Map(sessionCases.rows.map(({ data }) => [String(data['_session_expiry']), data]));
    for (const row of nuages.rows) {
      const verified = django.verifiedRows[row.key]!;
      assert.deepEqual(verified.data, wanted.get(verified.expiry), row.key);
    }
    assert.equal(Object.keys(django.verifiedRows).length, sessionCases.rows.length);
  });

  test("the migration creates Django's table and index on SQLite, statement for statement", async () => {
    assert.deepEqual(await sqlmigrateCreates('lite'), creates(django.sqlmigrate.sqlite));
  });

  test("on PostgreSQL it creates Django's table and indexes, the key's LIKE index included", async () => {
    assert.deepEqual(await sqlmigrateCreates('pg'), creates(django.sqlmigrate.postgresql));
  });
});
