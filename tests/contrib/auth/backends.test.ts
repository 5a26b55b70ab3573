// authenticate() and the backends: who credentials belong to, the timing defence for
// unknown users, inactive users, backend paths and the login-failed signal.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings } from '../../../src/conf/index.ts';
import {
  AllowAllUsersModelBackend,
  BackendImportError,
  ModelBackend,
  User,
  authenticate,
  getBackends,
  normalizeBackendPath,
  userLoginFailed,
} from '../../../src/contrib/auth/index.ts';
import { ImproperlyConfigured } from '../../../src/core/errors.ts';
import { connections } from '../../../src/db/index.ts';
import { TokenBackend } from './fixtures/library/backends.ts';
import { CountingHasher, setUpAuthProject } from './helpers.ts';

before(async () => {
  await setUpAuthProject();
  await User.objects.createUser('ada', 'ada@example.com', 'correct horse');
  await User.objects.createUser('idle', 'idle@example.com', 'correct horse', { isActive: false });
  await User.objects.createUser('banned', '', 'correct horse');
});
after(() => connections.closeAll());

/** Records what userLoginFailed sends while `fn` runs. */
async function failures(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const seen: Record<string, unknown>[] = [];
  const receiver = ({ credentials }: { credentials: Record<string, unknown> }) => void seen.push(credentials);
  userLoginFailed.connect(receiver);
  try {
    await fn();
  } finally {
    userLoginFailed.disconnect(receiver);
  }
  return seen;
}

describe('authenticate() with ModelBackend', () => {
  test('the right username and password give the user, tagged with the backend that accepted it', async () => {
    const user = await authenticate(null, { username: 'ada', password: 'correct horse' });
    assert.ok(user instanceof User);
    assert.equal(user.username, 'ada');
    assert.equal(user.backend, 'nuages/contrib/auth/backends#ModelBackend');
  });

  test('a wrong password, a missing password or a missing username give null', async () => {
    assert.equal(await authenticate(null, { username: 'ada', password: 'wrong horse' }), null);
    assert.equal(await authenticate(null, { username: 'ada' }), null);
    assert.equal(await authenticate(null, { password: 'correct horse' }), null);
  });

  test('the username is matched exactly', async () => {
    assert.equal(await authenticate(null, { username: 'ADA', password: 'correct horse' }), null);
  });

  test('an unknown username still runs the password hasher once, as a known one does', async () => {
    CountingHasher.calls = 0;
    assert.equal(await authenticate(null, { username: 'nobody', password: 'correct horse' }), null);
    const unknown = CountingHasher.calls;
    CountingHasher.calls = 0;
    assert.equal(await authenticate(null, { username: 'ada', password: 'wrong horse' }), null);
    const known = CountingHasher.calls;
    assert.equal(unknown, 1);
    assert.equal(known, 1);
  });

  test('an inactive user is refused even with the right password; AllowAllUsersModelBackend lets it in', async () => {
    assert.equal(await authenticate(null, { username: 'idle', password: 'correct horse' }), null);
    await overrideSettings({ AUTHENTICATION_BACKENDS: ['nuages/contrib/auth/backends#AllowAllUsersModelBackend'] }, async () => {
      const user = await authenticate(null, { username: 'idle', password: 'correct horse' });
      assert.equal(user?.getUsername(), 'idle');
      assert.equal(await (user as User).hasPerm('auth.view_user'), false, 'still no permissions');
    });
  });

  test('getUser() loads active users by primary key only', async () => {
    const ada = await User.objects.get({ username: 'ada' });
    const idle = await User.objects.get({ username: 'idle' });
    assert.equal((await new ModelBackend().getUser(ada.pk))?.getUsername(), 'ada');
    assert.equal(await new ModelBackend().getUser(idle.pk), null);
    assert.equal((await new AllowAllUsersModelBackend().getUser(idle.pk))?.getUsername(), 'idle');
    assert.equal(await new ModelBackend().getUser(999_999), null);
  });
});

describe('several backends', () => {
  const token = './library/backends#TokenBackend';
  const veto = './library/backends#VetoBackend';
  const model = 'django.contrib.auth.backends.ModelBackend';

  test('each backend is tried in order; credentials not meant for one pass to the next', async () => {
    await overrideSettings({ AUTHENTICATION_BACKENDS: [token, model] }, async () => {
      TokenBackend.tried = 0;
      const byPassword = await authenticate(null, { username: 'ada', password: 'correct horse' });
      assert.equal(byPassword?.backend, model);
      assert.equal(TokenBackend.tried, 1);
      const byToken = await authenticate(null, { token: 'let-me-in' });
      assert.equal(byToken?.backend, token);
    });
  });

  test('a backend throwing PermissionDenied stops authenticate(), even if a later backend would accept', async () => {
    await overrideSettings({ AUTHENTICATION_BACKENDS: [veto, model] }, async () => {
      const seen = await failures(async () => assert.equal(await authenticate(null, { username: 'banned', password: 'correct horse' }), null));
      assert.equal(seen.length, 1);
      assert.equal((await authenticate(null, { username: 'ada', password: 'correct horse' }))?.getUsername(), 'ada');
    });
    assert.equal((await authenticate(null, { username: 'banned', password: 'correct horse' }))?.getUsername(), 'banned');
  });

  test("Django's dotted names and 'module#Export' paths name the same classes", async () => {
    assert.equal(normalizeBackendPath('django.contrib.auth.backends.ModelBackend'), 'nuages/contrib/auth/backends#ModelBackend');
    assert.equal(normalizeBackendPath('accounts.backends.EmailBackend'), './accounts/backends#EmailBackend');
    assert.equal(normalizeBackendPath('./library/backends#TokenBackend'), './library/backends#TokenBackend');
    await overrideSettings({ AUTHENTICATION_BACKENDS: [model, 'django.contrib.auth.backends.AllowAllUsersModelBackend'] }, async () => {
      const [first, second] = await getBackends();
      assert.ok(first!.backend instanceof ModelBackend && !(first!.backend instanceof AllowAllUsersModelBackend));
      assert.ok(second!.backend instanceof AllowAllUsersModelBackend);
      assert.equal(first!.path, model, 'the path is kept as written, for the session');
    });
  });

  test('an empty AUTHENTICATION_BACKENDS or a path that does not load is a configuration error naming it', async () => {
    await overrideSettings({ AUTHENTICATION_BACKENDS: [] }, async () => {
      await assert.rejects(authenticate(null, { username: 'ada', password: 'correct horse' }), (error: Error) => error instanceof ImproperlyConfigured && /No authentication backends have been defined/.test(error.message));
    });
    await overrideSettings({ AUTHENTICATION_BACKENDS: ['./library/backends#Missing'] }, async () => {
      await assert.rejects(getBackends(), (error: Error) => error instanceof BackendImportError && /AUTHENTICATION_BACKENDS entry '.\/library\/backends#Missing': the module has no export 'Missing' that is a backend class/.test(error.message));
    });
    await overrideSettings({ AUTHENTICATION_BACKENDS: ['./nowhere/backends#X'] }, async () => {
      await assert.rejects(getBackends(), (error: Error) => error instanceof BackendImportError && /could not be imported/.test(error.message));
    });
  });
});

describe('the userLoginFailed signal', () => {
  test('is sent once when no backend accepts, with secret-looking values masked', async () => {
    const seen = await failures(() => authenticate(null, { username: 'ada', password: 'wrong horse', apiKey: 'k', otp_token: 't', remember: true }));
    assert.deepEqual(seen, [{ username: 'ada', password: '********************', apiKey: '********************', otp_token: '********************', remember: true }]);
  });

  test('is not sent for a successful login', async () => {
    assert.deepEqual(await failures(() => authenticate(null, { username: 'ada', password: 'correct horse' })), []);
  });
});
