// The bookshop's rate limits (RATELIMIT_RULES in its settings), through the test client on
// its seeded database: password guessing on the login page and reset-mail flooding, per
// client address, refused with 429 before the session or the database is touched.
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { outbox } from '../../src/core/mail/index.ts';
import { assertNumQueries, Client } from '../../src/test/index.ts';
import { useBookshop } from './bookshop-project.ts';

const READER_PASSWORD = 'reader-demo-passphrase';

useBookshop('ratelimit', {
  env: () => ({ CACHE_URL: 'locmem://bookshop-ratelimit-test', EMAIL_BACKEND: 'locmem', BOOKSHOP_READER_PASSWORD: READER_PASSWORD }),
  seed: true,
});

beforeEach(() => {
  outbox.length = 0;
});

/** A browser at `address` (each test uses its own, so counters never carry over). */
const from = (address: string) => new Client({ meta: { REMOTE_ADDR: address } });

describe('login', () => {
  // One run of guesses (each hashes a password, which takes a while) shows every point.
  test('10 wrong passwords a minute are answered; the 11th guess gets 429, even with the right password', async () => {
    const attacker = from('203.0.113.10');
    for (let i = 0; i < 10; i++) {
      // attack: a forged X-Forwarded-For on each guess does not give the attacker fresh counters
      const page = await attacker.post('/accounts/login/', { username: 'reader', password: `guess-${i}` }, { headers: { 'X-Forwarded-For': `192.0.2.${i}` } });
      assert.equal(page.status, 200, `guess ${i + 1}`);
      assert.match(page.text, /Please enter a correct username and password/);
    }
    const refused = await assertNumQueries(0, () => attacker.post('/accounts/login/', { username: 'reader', password: READER_PASSWORD }));
    assert.equal(refused.status, 429, 'refused before the session or the user table is read');
    assert.ok(Number(refused.headers.get('Retry-After')) >= 1, 'says when to come back');
    assert.match(refused.text, /Too many requests\. Try again in \d+ seconds?\./);
    assert.equal(attacker.cookies.get('sessionid'), undefined, 'nobody was logged in');

    assert.equal((await attacker.get('/accounts/login/')).status, 200, 'the login page itself is not limited');
    const reader = await from('198.51.100.10').post('/accounts/login/', { username: 'reader', password: READER_PASSWORD });
    assert.equal(reader.status, 302, 'the reader at another address still logs in');
  });
});

describe('password reset', () => {
  test('5 reset requests a minute send their emails; the 6th gets 429 and sends nothing', async () => {
    const flooder = from('203.0.113.20');
    for (let i = 0; i < 5; i++) {
      const asked = await flooder.post('/accounts/password-reset/', { email: 'reader@bookshop.example' });
      assert.equal(asked.status, 302, `request ${i + 1}`);
    }
    assert.equal(outbox.length, 5);
    const refused = await flooder.post('/accounts/password-reset/', { email: 'reader@bookshop.example' });
    assert.equal(refused.status, 429);
    assert.equal(outbox.length, 5, 'no sixth email');
  });

  test('an API client asking for JSON gets the refusal as JSON', async () => {
    const client = from('203.0.113.21');
    for (let i = 0; i < 5; i++) await client.post('/accounts/password-reset/', { email: 'nobody@reader.example' });
    const refused = await client.post('/accounts/password-reset/', { email: 'nobody@reader.example' }, { headers: { Accept: 'application/json' } });
    assert.equal(refused.status, 429);
    assert.equal((refused.json() as { retryAfter: number }).retryAfter, Number(refused.headers.get('Retry-After')));
  });
});
