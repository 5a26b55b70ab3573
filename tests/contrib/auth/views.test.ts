// The auth views through the test client: login with Django's messages and a safe `next`,
// logout by POST only, password change, and the whole password reset by email with its
// attacks (a replayed link, a link after the password changed, an expired or forged token).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  AuthenticationMiddleware,
  PasswordResetTokenGenerator,
  User,
  uidDecode,
  uidEncode,
} from '../../../src/contrib/auth/index.ts';
import { SessionMiddleware } from '../../../src/contrib/sessions/index.ts';
import { EmailBackend, outbox } from '../../../src/core/mail/index.ts';
import { captureLogs } from '../../../src/utils/log.ts';
import { setRequestLogger } from '../../../src/core/handlers/index.ts';
import { connections } from '../../../src/db/index.ts';
import { Client } from '../../../src/test/index.ts';
import { overrideSettings } from '../../../src/conf/index.ts';
import { setUpAuthProject } from './helpers.ts';

before(async () => {
  await setUpAuthProject({
    INSTALLED_APPS: ['nuages/contrib/contenttypes', 'nuages/contrib/auth', 'nuages/contrib/sessions', 'library'],
    ROOT_URLCONF: 'auth_urls',
    SESSION_ENGINE: 'db',
    LOGIN_URL: 'login',
    LOGIN_REDIRECT_URL: '/private/',
    EMAIL_BACKEND: 'locmem',
    TEMPLATES: [{ BACKEND: 'nuages/template', DIRS: [], APP_DIRS: true, OPTIONS: {} }],
  });
  setRequestLogger({ warn() {}, error() {} });
  await User.objects.createUser('ada', 'ada@example.com', 'correct horse');
  await User.objects.createUser('grace', 'Grace@Example.com', 'battery staple');
  await User.objects.createUser('ghost', 'ghost@example.com', null);
});
after(() => connections.closeAll());

const client = () => new Client({ middleware: [SessionMiddleware, AuthenticationMiddleware] });
const text = (response: { content: Buffer }) => response.content.toString();

describe('LoginView and LogoutView', () => {
  test('the login page shows the form and is never cached', async () => {
    const response = await client().get('/accounts/login/');
    assert.equal(response.status, 200);
    assert.match(text(response), /<input type="text" name="username" autofocus autocapitalize="none" autocomplete="username" maxlength="150" required id="id_username">/);
    assert.match(text(response), /<input type="password" name="password" autocomplete="current-password" required id="id_password">/);
    assert.match(response.headers.get('Cache-Control') ?? '', /no-store/);
  });

  test("wrong credentials get Django's message, and nobody is logged in", async () => {
    const c = client();
    const response = await c.post('/accounts/login/', { username: 'ada', password: 'nope' });
    assert.equal(response.status, 200);
    assert.match(text(response), /Please enter a correct username and password. Note that both fields may be case-sensitive./);
    assert.equal((await c.get('/private/')).status, 302);
  });

  test('a good login goes to next when it is on this site, else to LOGIN_REDIRECT_URL', async () => {
    const c = client();
    const login = await c.get('/private/');
    assert.equal(login.headers.get('Location'), '/accounts/login/?next=/private/');
    const ok = await c.post('/accounts/login/', { username: 'ada', password: 'correct horse', next: '/private/' });
    assert.equal(ok.headers.get('Location'), '/private/');
    assert.equal(text(await c.get('/private/')), 'private to ada');
    for (const evil of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const other = await client().post('/accounts/login/', { username: 'ada', password: 'correct horse', next: evil });
      assert.equal(other.headers.get('Location'), '/private/', evil);
    }
  });

  test('logout is POST only, and ends the session', async () => {
    const c = client();
    assert.ok(await c.login({ username: 'ada', password: 'correct horse' }));
    assert.equal((await c.get('/accounts/logout/')).status, 405);
    assert.equal(text(await c.get('/private/')), 'private to ada', 'a GET did not log out');
    const out = await c.post('/accounts/logout/');
    assert.equal(out.status, 200);
    assert.match(text(out), /logged out/);
    assert.equal((await c.get('/private/')).status, 302);
  });
});

describe('PasswordChangeView', () => {
  test('asks for the old password, checks the two new ones, keeps this session logged in', async () => {
    await User.objects.createUser('lin', '', 'old pass 123');
    const c = client();
    assert.equal((await c.get('/accounts/password_change/')).headers.get('Location'), '/accounts/login/?next=/accounts/password_change/');
    assert.ok(await c.login({ username: 'lin', password: 'old pass 123' }));
    const wrongOld = await c.post('/accounts/password_change/', { old_password: 'x', new_password1: 'new pass 456', new_password2: 'new pass 456' });
    assert.match(text(wrongOld), /Your old password was entered incorrectly. Please enter it again./);
    const mismatch = await c.post('/accounts/password_change/', { old_password: 'old pass 123', new_password1: 'new pass 456', new_password2: 'new pass 789' });
    assert.match(text(mismatch), /The two password fields didn’t match./);
    const done = await c.post('/accounts/password_change/', { old_password: 'old pass 123', new_password1: 'new pass 456', new_password2: 'new pass 456' });
    assert.equal(done.headers.get('Location'), '/accounts/password_change/done/');
    assert.equal(text(await c.get('/private/')), 'private to lin');
    assert.equal(await client().login({ username: 'lin', password: 'old pass 123' }), false);
    assert.ok(await client().login({ username: 'lin', password: 'new pass 456' }));
  });
});

describe('password reset by email', () => {
  function linkIn(body: string): string {
    const match = /http:\/\/testserver(\/accounts\/reset\/[^\s]+\/)/.exec(body);
    assert.ok(match, body);
    return match[1]!;
  }

  test('the whole flow: email, link, new password, and the link is then dead', async () => {
    outbox.length = 0;
    const c = client();
    const sent = await c.post('/accounts/password_reset/', { email: 'ADA@example.com' });
    assert.equal(sent.headers.get('Location'), '/accounts/password_reset/done/');
    assert.equal(outbox.length, 1);
    assert.deepEqual(outbox[0]!.to, ['ada@example.com']);
    const link = linkIn(outbox[0]!.body);
    const opened = await c.get(link);
    assert.equal(opened.status, 302);
    const setPassword = opened.headers.get('Location')!;
    assert.match(setPassword, /\/set-password\/$/, 'the token leaves the URL');
    assert.match(text(await c.get(setPassword)), /name="new_password1"/);
    const saved = await c.post(setPassword, { new_password1: 'fresh horse 1', new_password2: 'fresh horse 1' });
    assert.equal(saved.headers.get('Location'), '/accounts/reset/done/');
    assert.ok(await client().login({ username: 'ada', password: 'fresh horse 1' }));
    const replay = await client().get(link);
    assert.equal(replay.status, 200);
    assert.match(text(replay), /no longer valid/, 'a used link is refused');
  });

  test('no user enumeration: an unknown or unusable address gets the same answer and no email', async () => {
    outbox.length = 0;
    for (const email of ['nobody@example.com', 'ghost@example.com']) {
      const response = await client().post('/accounts/password_reset/', { email });
      assert.equal(response.headers.get('Location'), '/accounts/password_reset/done/');
    }
    assert.equal(outbox.length, 0);
  });

  test('a link is dead after a password change or a login, and forged ones are refused', async () => {
    outbox.length = 0;
    await client().post('/accounts/password_reset/', { email: 'grace@example.com' });
    const link = linkIn(outbox[0]!.body);
    const grace = await User.objects.get({ username: 'grace' });
    await grace.setPassword('changed meanwhile 1');
    await grace.save();
    assert.match(text(await client().get(link)), /no longer valid/);
    const generator = new PasswordResetTokenGenerator();
    const token = generator.makeToken(grace);
    assert.ok(await client().login({ username: 'grace', password: 'changed meanwhile 1' }));
    const afterLogin = await User.objects.get({ username: 'grace' });
    assert.equal(generator.checkToken(afterLogin, token), false, 'a login changes lastLogin, which the token signs');
    for (const forged of [`/accounts/reset/${uidEncode(grace.pk)}/abc-123/`, '/accounts/reset/!!!/set-password/', `/accounts/reset/${uidEncode('x')}/1-2/`]) {
      assert.match(text(await client().get(forged)), /no longer valid/, forged);
    }
  });

  test('tokens expire after PASSWORD_RESET_TIMEOUT and survive a key rotation', async () => {
    const ada = await User.objects.get({ username: 'ada' });
    const generator = new PasswordResetTokenGenerator();
    const token = generator.makeToken(ada);
    const later = new PasswordResetTokenGenerator();
    later.now = () => new Date(Date.now() + 3601_000);
    await overrideSettings({ PASSWORD_RESET_TIMEOUT: 3600 }, async () => {
      assert.ok(generator.checkToken(ada, token));
      assert.equal(later.checkToken(ada, token), false);
    });
    await overrideSettings({ SECRET_KEY: 'rotated', SECRET_KEY_FALLBACKS: ['nuages-auth-tests'] }, async () => {
      assert.ok(new PasswordResetTokenGenerator().checkToken(ada, token));
    });
    await overrideSettings({ SECRET_KEY: 'rotated', SECRET_KEY_FALLBACKS: [] }, async () => {
      assert.equal(new PasswordResetTokenGenerator().checkToken(ada, token), false);
    });
  });

  test('a mail server that fails is logged, and the page is the same (as Django: no account enumeration)', async () => {
    class DownBackend extends EmailBackend {
      async sendMessages(): Promise<number> {
        throw new Error('connection refused');
      }
    }
    const { result: response, records } = await captureLogs('nuages.contrib.auth', () =>
      overrideSettings({ EMAIL_BACKEND: DownBackend }, () => client().post('/accounts/password_reset/', { email: 'ada@example.com' })),
    );
    assert.equal(response.headers.get('Location'), '/accounts/password_reset/done/');
    assert.deepEqual(records.map((r) => [r.level, r.message.replace(/\d+$/, 'PK')]), [['error', 'Failed to send password reset email to PK']]);
  });
});

describe("tokens in Django's format", () => {
  const oracle = JSON.parse(readFileSync(new URL('./django/tokens.json', import.meta.url), 'utf8')) as {
    now: string;
    cases: Array<{ user: { pk: number; password: string; lastLogin: string | null; email: string }; token: string; uidb64: string; validAtOnce: boolean; validAfterTimeout: boolean }>;
  };

  test('a token Django made verifies here, and Nuages makes the same one', () =>
    overrideSettings({ SECRET_KEY: 'tokens-oracle-key', TIME_ZONE: 'UTC', PASSWORD_RESET_TIMEOUT: 3600 }, async () => {
      for (const c of oracle.cases) {
        const user = new User({ id: c.user.pk, password: c.user.password, email: c.user.email, lastLogin: c.user.lastLogin ? new Date(c.user.lastLogin) : null });
        const generator = new PasswordResetTokenGenerator();
        generator.now = () => new Date(oracle.now);
        assert.equal(generator.makeToken(user), c.token);
        assert.equal(generator.checkToken(user, c.token), c.validAtOnce);
        generator.now = () => new Date(Date.parse(oracle.now) + 3601_000);
        assert.equal(generator.checkToken(user, c.token), c.validAfterTimeout);
        assert.equal(uidEncode(c.user.pk), c.uidb64);
        assert.equal(uidDecode(c.uidb64), String(c.user.pk));
      }
    }));
});
