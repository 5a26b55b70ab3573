// login() rotates the CSRF secret (the auth app connects the receiver to userLoggedIn), as
// Django's login does: forms opened before the login stop working, and a secret planted
// before it is worthless after it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthenticationMiddleware, User, authenticate, login } from '../../../src/contrib/auth/index.ts';
import { SessionMiddleware } from '../../../src/contrib/sessions/index.ts';
import { setRequestLogger } from '../../../src/core/handlers/index.ts';
import { connections } from '../../../src/db/index.ts';
import { HttpResponse, HttpResponseForbidden, type HttpRequest } from '../../../src/http/index.ts';
import { CsrfViewMiddleware, getToken } from '../../../src/middleware/index.ts';
import { unmaskCipherToken } from '../../../src/middleware/csrf-token.ts';
import { Client } from '../../../src/test/index.ts';
import { path } from '../../../src/urls/index.ts';
import { setLogSink } from '../../../src/utils/log.ts';
import { setUpAuthProject } from './helpers.ts';

before(async () => {
  await setUpAuthProject({
    INSTALLED_APPS: ['nuages/contrib/contenttypes', 'nuages/contrib/auth', 'nuages/contrib/sessions', 'library'],
    SESSION_ENGINE: 'db',
    CSRF_FAILURE_VIEW: (_request: HttpRequest, { reason }: { reason: string }) => new HttpResponseForbidden(reason),
  });
  setRequestLogger({ warn() {}, error() {} });
  setLogSink(() => {});
  await User.objects.createUser('ada', 'ada@example.com', 'correct horse');
});
after(() => connections.closeAll());

const urlpatterns = [
  path('token/', async (request: HttpRequest) => new HttpResponse(getToken(request))),
  path('login/', async (request: HttpRequest) => {
    const user = await authenticate(request, { username: request.POST.get('username'), password: request.POST.get('password') });
    if (user === null) return new HttpResponse('refused', { status: 401 });
    await login(request, user);
    return new HttpResponse('in');
  }),
  path('transfer/', async () => new HttpResponse('done')),
];

const browser = () =>
  new Client({ urlconf: urlpatterns, middleware: [SessionMiddleware, CsrfViewMiddleware, AuthenticationMiddleware], enforceCsrfChecks: true });

test('logging in sends a new CSRF secret; tokens of pages from before the login are refused', async () => {
  const client = browser();
  const before = (await client.get('/token/')).text;
  const planted = client.cookies.get('csrftoken')!;
  assert.equal(unmaskCipherToken(before), planted);

  const loggedIn = await client.post('/login/', { username: 'ada', password: 'correct horse', csrfmiddlewaretoken: before });
  assert.equal(loggedIn.text, 'in');
  const rotated = loggedIn.cookies.get('csrftoken')!.value;
  assert.match(rotated, /^[a-zA-Z0-9]{32}$/);
  assert.notEqual(rotated, planted);

  const stale = await client.post('/transfer/', { csrfmiddlewaretoken: before });
  assert.equal(stale.status, 403);
  assert.equal(stale.text, 'CSRF token from POST incorrect.');
  const fresh = (await client.get('/token/')).text;
  assert.equal((await client.post('/transfer/', { csrfmiddlewaretoken: fresh })).text, 'done');
});

test('a failed login keeps the secret', async () => {
  const client = browser();
  const token = (await client.get('/token/')).text;
  const refused = await client.post('/login/', { username: 'ada', password: 'wrong', csrfmiddlewaretoken: token });
  assert.equal(refused.status, 401);
  assert.equal(refused.cookies.has('csrftoken'), false);
  assert.equal((await client.post('/transfer/', { csrfmiddlewaretoken: token })).text, 'done');
});

test('client.login() (no request through the handler) still works with the receiver connected', async () => {
  const client = browser();
  assert.equal(await client.login({ username: 'ada', password: 'correct horse' }), true);
  const token = (await client.get('/token/')).text;
  assert.equal((await client.post('/transfer/', { csrfmiddlewaretoken: token })).text, 'done');
});
