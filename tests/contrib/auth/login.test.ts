// login(), logout() and the user on the request, through the test client with the session
// and authentication middleware: session fixation, tampered cookies, password changes that
// end other sessions, key rotation, the decorators, mixins, LoginRequiredMiddleware and the
// auth context processor.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings } from '../../../src/conf/index.ts';
import {
  AuthenticationMiddleware,
  BACKEND_SESSION_KEY,
  Group,
  HASH_SESSION_KEY,
  LoginRequiredMiddleware,
  LoginRequiredMixin,
  Permission,
  PermissionRequiredMixin,
  SESSION_KEY,
  User,
  UserNotLoadedError,
  auth,
  authenticate,
  login,
  loginNotRequired,
  loginRequired,
  logout,
  permissionRequired,
  updateSessionAuthHash,
  userLoggedIn,
} from '../../../src/contrib/auth/index.ts';
import { SessionMiddleware } from '../../../src/contrib/sessions/index.ts';
import { setRequestLogger } from '../../../src/core/handlers/index.ts';
import { connections } from '../../../src/db/index.ts';
import { HttpResponse, JsonResponse, type HttpRequest } from '../../../src/http/index.ts';
import { Engine, LocmemLoader } from '../../../src/template/index.ts';
import { Client } from '../../../src/test/index.ts';
import { path } from '../../../src/urls/index.ts';
import { View } from '../../../src/views/index.ts';
import { setUpAuthProject } from './helpers.ts';

let ada: User;

before(async () => {
  await setUpAuthProject({
    INSTALLED_APPS: ['nuages/contrib/contenttypes', 'nuages/contrib/auth', 'nuages/contrib/sessions', 'library'],
    SESSION_ENGINE: 'db',
    LOGIN_URL: '/login/',
  });
  setRequestLogger({ warn() {}, error() {} });
  ada = await User.objects.createUser('ada', 'ada@example.com', 'correct horse');
  await User.objects.createUser('bob', 'bob@example.com', 'battery staple');
});
after(() => connections.closeAll());

const whoami = async (request: HttpRequest) => {
  const user = await request.auser();
  return new JsonResponse({ user: user.isAuthenticated ? (user as User).username : null });
};

class Dashboard extends LoginRequiredMixin(View) {
  async get(request: HttpRequest) {
    return new HttpResponse(`dashboard of ${(request.user as User).username}`);
  }
}

class Lending extends PermissionRequiredMixin(View) {
  permissionRequired = 'library.lend_book';
  async get() {
    return new HttpResponse('lend');
  }
}

const urlpatterns = [
  path('login/', async (request: HttpRequest) => {
    const user = await authenticate(request, { username: request.POST.get('username'), password: request.POST.get('password') });
    if (user === null) return new HttpResponse('refused', { status: 401 });
    await login(request, user);
    return new HttpResponse('in');
  }),
  path('logout/', async (request: HttpRequest) => {
    await logout(request);
    return new HttpResponse('out');
  }),
  path('whoami/', whoami),
  path('sync-user/', async (request: HttpRequest) => {
    try {
      return new HttpResponse(String(request.user.isAuthenticated));
    } catch (error) {
      return new HttpResponse((error as Error).constructor.name, { status: 500 });
    }
  }),
  path('orders/', loginRequired(async (request: HttpRequest) => new HttpResponse(`orders of ${(request.user as User).username}`))),
  path('lend/', permissionRequired('library.lend_book')(async () => new HttpResponse('lend'))),
  path('lend-403/', permissionRequired('library.lend_book', { raiseException: true })(async () => new HttpResponse('lend'))),
  path('dashboard/', Dashboard.asView()),
  path('lending/', Lending.asView()),
  path('change-password/', async (request: HttpRequest) => {
    const user = (await request.auser()) as User;
    await user.setPassword(request.POST.get('password') ?? '');
    await user.save();
    if (request.POST.get('keep') === '1') await updateSessionAuthHash(request, user);
    return new HttpResponse('changed');
  }),
  path('public/', loginNotRequired(async () => new HttpResponse('public'))),
];

const client = () => new Client({ middleware: [SessionMiddleware, AuthenticationMiddleware], urlconf: urlpatterns });

async function loggedIn(username = 'ada', password = 'correct horse'): Promise<Client> {
  const c = client();
  const response = await c.post('/login/', { username, password });
  assert.equal(response.status, 200);
  return c;
}

async function whoIs(c: Client): Promise<string | null> {
  return ((await c.get('/whoami/')).json() as { user: string | null }).user;
}

describe('login() and logout()', () => {
  test('a login puts the user in the session; the next request knows them', async () => {
    const c = await loggedIn();
    assert.equal(await whoIs(c), 'ada');
    const session = await c.session();
    assert.equal(await session.get(SESSION_KEY), String(ada.pk));
    assert.equal(await session.get(BACKEND_SESSION_KEY), 'django.contrib.auth.backends.ModelBackend', "Django's path, so Django reads the session");
    assert.equal(await session.get(HASH_SESSION_KEY), ada.getSessionAuthHash());
  });

  test('session fixation: the key before login is worthless after it', async () => {
    const c = client();
    const planted = await c.session();
    await planted.set('cart', [1]);
    await planted.save();
    const before = planted.sessionKey!;
    await c.post('/login/', { username: 'ada', password: 'correct horse' });
    const after = c.cookies.get('sessionid');
    assert.notEqual(after, before);
    const attacker = client();
    attacker.cookies.set('sessionid', before);
    assert.equal(await whoIs(attacker), null, "the planted key does not carry the victim's login");
    assert.deepEqual(await (await c.session()).get('cart'), [1], 'the data itself moves to the new key');
  });

  test('logging in as another user over a session empties it first', async () => {
    const c = await loggedIn();
    const session = await c.session();
    await session.set('secret', 'ada-only');
    await session.save();
    await c.post('/login/', { username: 'bob', password: 'battery staple' });
    assert.equal(await whoIs(c), 'bob');
    assert.equal(await (await c.session()).get('secret'), undefined);
  });

  test('logout flushes the session: the old cookie replayed is anonymous', async () => {
    const c = await loggedIn();
    const old = c.cookies.get('sessionid')!;
    assert.equal((await c.get('/logout/')).status, 200);
    assert.equal(await whoIs(c), null);
    const replay = client();
    replay.cookies.set('sessionid', old);
    assert.equal(await whoIs(replay), null);
  });

  test('a wrong password is refused and logs nobody in', async () => {
    const c = client();
    assert.equal((await c.post('/login/', { username: 'ada', password: 'wrong' })).status, 401);
    assert.equal(await whoIs(c), null);
  });

  test('a tampered or unknown session cookie is an anonymous user, not an error', async () => {
    for (const value of ['forged0000000000000000000000000000', '../../etc/passwd', 'x'.repeat(5000)]) {
      const c = client();
      c.cookies.set('sessionid', value);
      const response = await c.get('/whoami/');
      assert.equal(response.status, 200, value.slice(0, 20));
      assert.deepEqual(response.json(), { user: null });
    }
  });

  test('userLoggedIn is sent and lastLogin recorded', async () => {
    const seen: unknown[] = [];
    const receiver = ({ user }: { user: unknown }) => void seen.push((user as User).username);
    userLoggedIn.connect(receiver);
    try {
      const before = Date.now();
      await loggedIn('bob', 'battery staple');
      assert.deepEqual(seen, ['bob']);
      const bob = await User.objects.get({ username: 'bob' });
      assert.ok(bob.lastLogin !== null && bob.lastLogin.getTime() >= before - 1000);
    } finally {
      userLoggedIn.disconnect(receiver);
    }
  });
});

describe('password changes and key rotation', () => {
  beforeEach(async () => {
    await ada.setPassword('correct horse');
    await ada.save();
  });

  test("a password change ends the user's other sessions", async () => {
    const laptop = await loggedIn();
    const phone = await loggedIn();
    await phone.post('/change-password/', { password: 'new horse 2' });
    assert.equal(await whoIs(laptop), null, 'the hash in the laptop session no longer matches');
    assert.equal(await whoIs(phone), null, 'without updateSessionAuthHash the changing session ends too');
  });

  test('updateSessionAuthHash keeps the session that changed the password', async () => {
    const laptop = await loggedIn();
    const phone = await loggedIn();
    const before = phone.cookies.get('sessionid');
    await phone.post('/change-password/', { password: 'new horse 3', keep: '1' });
    assert.equal(await whoIs(phone), 'ada');
    assert.notEqual(phone.cookies.get('sessionid'), before, 'the key is cycled');
    assert.equal(await whoIs(laptop), null);
  });

  test('a session hashed with a SECRET_KEY_FALLBACKS key stays logged in and is rehashed', async () => {
    const c = await loggedIn();
    await overrideSettings({ SECRET_KEY: 'a-brand-new-key', SECRET_KEY_FALLBACKS: ['nuages-auth-tests'] }, async () => {
      assert.equal(await whoIs(c), 'ada');
      const fresh = await User.objects.get({ username: 'ada' });
      assert.equal(await (await c.session()).get(HASH_SESSION_KEY), fresh.getSessionAuthHash());
    });
    await overrideSettings({ SECRET_KEY: 'another-key', SECRET_KEY_FALLBACKS: [] }, async () => {
      assert.equal(await whoIs(await loggedIn()), 'ada');
    });
  });

  test('a session whose backend is no longer configured is anonymous', async () => {
    const c = await loggedIn();
    await overrideSettings({ AUTHENTICATION_BACKENDS: ['nuages/contrib/auth/backends#AllowAllUsersModelBackend'] }, async () => {
      assert.equal(await whoIs(c), null);
    });
  });
});

describe('request.user', () => {
  test('is known at once without a session cookie, and must be awaited with one', async () => {
    const c = client();
    assert.equal((await c.get('/sync-user/')).content.toString(), 'false');
    const signedIn = await loggedIn();
    const response = await signedIn.get('/sync-user/');
    assert.equal(response.content.toString(), UserNotLoadedError.name);
  });

  test('AuthenticationMiddleware without SessionMiddleware names the fix', async () => {
    const c = new Client({ middleware: [AuthenticationMiddleware], urlconf: urlpatterns });
    await assert.rejects(c.get('/whoami/'), /SessionMiddleware/);
  });
});

describe('decorators and mixins', () => {
  let lender: User;
  before(async () => {
    lender = await User.objects.createUser('lender', '', 'pw-lender-1');
    const group = await Group.objects.create({ name: 'Librarians' });
    await group.permissions.add(await Permission.objects.get({ codename: 'lend_book' }));
    await lender.groups.add(group);
  });

  test('loginRequired sends anonymous users to LOGIN_URL with next', async () => {
    const response = await client().get('/orders/?page=2');
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('Location'), '/login/?next=/orders/%3Fpage%3D2');
    assert.equal((await (await loggedIn()).get('/orders/')).content.toString(), 'orders of ada');
  });

  test('permissionRequired lets holders through, redirects or refuses the others', async () => {
    const c = client();
    await c.forceLogin(lender);
    assert.equal((await c.get('/lend/')).status, 200);
    const reader = await loggedIn();
    assert.equal((await reader.get('/lend/')).status, 302);
    assert.equal((await reader.get('/lend-403/')).status, 403);
  });

  test('an inactive user holds no permission', async () => {
    lender.isActive = false;
    await lender.save();
    try {
      const c = client();
      await c.forceLogin(lender);
      assert.equal((await c.get('/lend-403/')).status, 403);
    } finally {
      lender.isActive = true;
      await lender.save();
    }
  });

  test('LoginRequiredMixin and PermissionRequiredMixin: login page for anonymous, 403 for the logged-in', async () => {
    assert.equal((await client().get('/dashboard/')).headers.get('Location'), '/login/?next=/dashboard/');
    const c = await loggedIn();
    assert.equal((await c.get('/dashboard/')).content.toString(), 'dashboard of ada');
    assert.equal((await c.get('/lending/')).status, 403);
    const l = client();
    await l.forceLogin(lender);
    assert.equal((await l.get('/lending/')).status, 200);
  });

  test('LoginRequiredMiddleware guards every view except loginNotRequired ones', async () => {
    const c = new Client({ middleware: [SessionMiddleware, AuthenticationMiddleware, LoginRequiredMiddleware], urlconf: urlpatterns });
    assert.equal((await c.get('/whoami/')).headers.get('Location'), '/login/?next=/whoami/');
    assert.equal((await c.get('/public/')).content.toString(), 'public');
    assert.ok(await c.login({ username: 'ada', password: 'correct horse' }));
    assert.deepEqual((await c.get('/whoami/')).json(), { user: 'ada' });
  });

  test('client.login refuses bad credentials; client.logout ends the session', async () => {
    const c = client();
    assert.equal(await c.login({ username: 'ada', password: 'nope' }), false);
    assert.ok(await c.login({ username: 'ada', password: 'correct horse' }));
    assert.equal(await whoIs(c), 'ada');
    await c.logout();
    assert.equal(await whoIs(c), null);
  });
});

describe('the auth context processor', () => {
  const engine = new Engine({
    loaders: [
      new LocmemLoader({
        'nav.html':
          '{% if user.isAuthenticated %}{{ user.username }}{% else %}anonymous{% endif %}|' +
          '{% if perms.library %}library{% endif %}|{% if perms.library.lend_book %}lend{% endif %}|' +
          "{% if 'library.lend_book' in perms %}in{% endif %}|{% if perms.library.add_book %}add{% endif %}",
      }),
    ],
    contextProcessors: [auth],
  });

  test('user and perms, for anonymous users and permission holders', async () => {
    const view = async (request: HttpRequest) => new HttpResponse(await engine.renderToString('nav.html', {}, request));
    const urls = [path('nav/', view)];
    const c = new Client({ middleware: [SessionMiddleware, AuthenticationMiddleware], urlconf: urls });
    assert.equal((await c.get('/nav/')).content.toString(), 'anonymous||||');
    const lender = await User.objects.get({ username: 'lender' });
    await c.forceLogin(lender);
    assert.equal((await c.get('/nav/')).content.toString(), 'lender|library|lend|in|');
  });
});
