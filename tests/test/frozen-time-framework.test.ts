// The framework reads the time through timezone.now() where Django does, so a frozen clock
// reaches it: auto_now / auto_now_add fields, a user's dateJoined and lastLogin, password reset
// tokens expiring after PASSWORD_RESET_TIMEOUT, session expiry, and cookie max-age.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure } from '../../src/conf/index.ts';
import { setup } from '../../src/conf/lazy-settings.ts';
import { apps } from '../../src/conf/apps.ts';
import { PasswordResetTokenGenerator, type User as UserModel } from '../../src/contrib/auth/index.ts';
import { SessionStore } from '../../src/contrib/sessions/backends/db.ts';
import { makeCookie } from '../../src/http/cookies.ts';
import { createTables, DateTimeField, Model } from '../../src/db/index.ts';
import { useFrozenTime, useTestCase, useTestDatabase } from '../../src/test/index.ts';
import { testDatabaseSettings } from '../db/test-database.ts';

configure({
  DEBUG: false,
  SECRET_KEY: 'frozen-time-tests',
  USE_TZ: true,
  INSTALLED_APPS: ['nuages/contrib/contenttypes', 'nuages/contrib/auth', 'nuages/contrib/sessions'],
  DATABASES: { default: testDatabaseSettings() },
  PASSWORD_HASHERS: ['md5'],
  PASSWORD_RESET_TIMEOUT: 3600,
});
await setup();
useTestDatabase();

const FROZEN = '2031-05-04T10:00:00.000Z';

class Note extends Model<Note>()(
  { created: new DateTimeField({ autoNowAdd: true }), touched: new DateTimeField({ autoNow: true }) },
  { appLabel: 'frozen' },
) {}

describe('a frozen clock reaches the framework', () => {
  // In the suite (root-level before() hooks do not wait for useTestDatabase()'s).
  before(() => createTables([Note]));
  useTestCase();
  const clock = useFrozenTime(FROZEN);
  const User = () => apps.getModel('auth.User') as unknown as typeof UserModel;

  test('autoNowAdd and autoNow store the frozen instant, and autoNow follows the clock on each save', async () => {
    const note = await Note.objects.create({});
    assert.equal(note.created.toISOString(), FROZEN);
    clock.tick(5_000);
    await note.save();
    const stored = await Note.objects.get({ pk: note.pk });
    assert.equal(stored.created.toISOString(), FROZEN);
    assert.equal(stored.touched.toISOString(), '2031-05-04T10:00:05.000Z');
  });

  test("a new user's dateJoined is the frozen instant", async () => {
    const user = await User().objects.createUser('ada', 'ada@example.com', 'pw');
    assert.equal(user.dateJoined.toISOString(), FROZEN);
  });

  test('a password reset token is valid until PASSWORD_RESET_TIMEOUT, then not', async () => {
    const user = await User().objects.createUser('bob', 'bob@example.com', 'pw');
    const tokens = new PasswordResetTokenGenerator();
    const token = tokens.makeToken(user);
    clock.tick(3600 * 1000);
    assert.equal(tokens.checkToken(user, token), true);
    clock.tick(1000);
    assert.equal(tokens.checkToken(user, token), false);
  });

  test('a database session expires when the clock passes its expiry', async () => {
    const session = new SessionStore();
    await session.set('cart', [1, 2]);
    await session.setExpiry(60);
    await session.save();
    assert.equal((await session.getExpiryDate()).toISOString(), '2031-05-04T10:01:00.000Z');
    clock.tick(59_000);
    assert.deepEqual(await new SessionStore(session.sessionKey).get('cart'), [1, 2]);
    clock.tick(2_000);
    assert.equal(await new SessionStore(session.sessionKey).get('cart'), undefined);
  });

  test("a cookie's max-age sets its expires from the frozen clock", () => {
    assert.equal(new Date(makeCookie('seen', '1', { maxAge: 120 }).expires!).toISOString(), '2031-05-04T10:02:00.000Z');
  });
});
