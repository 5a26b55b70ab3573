// Writes nuages-sessions.json for sessions_oracle.py: every case encoded by Nuages for the
// 'db' and 'signed-cookies' stores at the cases' clock, and the `rows` sessions saved by the
// 'db' store in a Nuages SQLite database, as stored there (read back with raw SQL).
// Run: npx node tests/contrib/sessions/django/make-nuages-sessions.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure, setup } from '../../../../src/conf/index.ts';
import { DbSessionStore } from '../../../../src/contrib/sessions/index.ts';
import { connections } from '../../../../src/db/index.ts';
import { setupTestDatabase } from '../../../../src/test/index.ts';
import { encodeForDb, encodeForSignedCookie, sessionCases } from './session-cases.ts';

configure({
  SECRET_KEY: sessionCases.secretKey,
  INSTALLED_APPS: ['nuages/contrib/sessions'],
  DATABASES: { default: { ENGINE: 'sqlite', NAME: ':memory:' } },
});
await setup();
await setupTestDatabase({ apps: ['sessions'] });

const realNow = Date.now;
Date.now = () => sessionCases.now * 1000;
const encoded = Object.fromEntries(
  sessionCases.cases.map(({ name, data }) => [name, { db: encodeForDb(data), signedCookie: encodeForSignedCookie(data) }]),
);
Date.now = realNow;

for (const { data } of sessionCases.rows) {
  const store = new DbSessionStore();
  await store.update(data);
  await store.save();
}
const rows = (await connections.get().fetchAll({ sql: 'SELECT session_key, session_data, expire_date FROM django_session ORDER BY session_key', params: [] }))
  .map(([key, data, expires]) => ({ key, data, expires }));
await connections.closeAll();

writeFileSync(join(import.meta.dirname, 'nuages-sessions.json'), `${JSON.stringify({ encoded, rows }, null, 1)}\n`);
