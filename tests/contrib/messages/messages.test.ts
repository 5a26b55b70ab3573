// The messages framework through the test client over several requests: added, redirected,
// shown once on the next page, kept while not shown; levels and tags; the three storages;
// a tampered cookie; the errors a missing middleware or session gives.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { apps, configure, overrideSettings, resetSettings, setup } from '../../../src/conf/index.ts';
import {
  CookieStorage,
  DEBUG,
  ERROR,
  FallbackStorage,
  Message,
  MessageFailure,
  MessageMiddleware,
  MessagesNotLoadedError,
  MessagesNotStoredError,
  SessionStorage,
  addMessage,
  defaultStorage,
  getLevel,
  getMessages,
  messages,
  messagesProcessor,
  setLevel,
} from '../../../src/contrib/messages/index.ts';
import { SessionMiddleware } from '../../../src/contrib/sessions/index.ts';
import { ImproperlyConfigured } from '../../../src/core/errors.ts';
import { setRequestLogger } from '../../../src/core/handlers/index.ts';
import { HttpRequest, HttpResponse, HttpResponseRedirect } from '../../../src/http/index.ts';
import type { MiddlewareSetting } from '../../../src/core/handlers/base.ts';
import { Engine, LocmemLoader } from '../../../src/template/index.ts';
import { Client } from '../../../src/test/index.ts';
import { path } from '../../../src/urls/index.ts';
import { markSafe } from '../../../src/utils/safestring.ts';

before(async () => {
  configure({ SECRET_KEY: 'messages-test-key', INSTALLED_APPS: ['nuages/contrib/sessions', 'nuages/contrib/messages'], SESSION_ENGINE: 'cache', DEBUG: false });
  await setup();
  setRequestLogger({ warn() {}, error() {} });
});
after(() => resetSettings());

const engine = new Engine({
  loaders: [
    new LocmemLoader({
      'list.html':
        '{% if messages %}<ul>{% for m in messages %}<li class="{{ m.tags }}">{{ m }}</li>{% endfor %}</ul>{% else %}none{% endif %}',
      'levels.html':
        '{% for m in messages %}{% if m.level == DEFAULT_MESSAGE_LEVELS.ERROR %}[error: {{ m }}]{% else %}[{{ m.levelTag }}: {{ m }}]{% endif %}{% endfor %}',
      'unrelated.html': 'no messages here',
      'django-names.html': '{% for m in messages %}[{{ m.level_tag }}|{{ m.extra_tags }}]{% endfor %}',
    }),
  ],
  contextProcessors: [messagesProcessor],
});
const render = async (request: HttpRequest, name: string) => new HttpResponse(await engine.renderToString(name, {}, request));

const urlpatterns = [
  path('add/', async (request: HttpRequest) => {
    messages.success(request, 'Saved <ok>.');
    messages.error(request, markSafe('<b>Bold</b> failure'), { extraTags: 'urgent' });
    messages.debug(request, 'below the level: dropped');
    messages.info(request, '');
    return new HttpResponseRedirect('/show/');
  }),
  path('add-many/<int:n>/', async (request: HttpRequest, { n }: { n: number }) => {
    // Random text, so the cookie really fills up despite compression.
    for (let i = 0; i < n; i++) messages.warning(request, `message ${i} ${randomBytes(100).toString('hex')}`);
    return new HttpResponse('added');
  }),
  path('show/', (request: HttpRequest) => render(request, 'list.html')),
  path('levels/', (request: HttpRequest) => render(request, 'levels.html')),
  path('unrelated/', (request: HttpRequest) => render(request, 'unrelated.html')),
  path('django-names/', (request: HttpRequest) => render(request, 'django-names.html')),
  path('add-and-show/', async (request: HttpRequest) => {
    messages.info(request, 'right away');
    return render(request, 'list.html');
  }),
  path('in-view/', async (request: HttpRequest) => {
    const texts = [...(await getMessages(request))].map(String);
    return new HttpResponse(texts.join('|') || 'none');
  }),
  path('debug-level/', async (request: HttpRequest) => {
    setLevel(request, DEBUG);
    messages.debug(request, 'now kept');
    return new HttpResponse(String(getLevel(request)));
  }),
  path('custom-level/', async (request: HttpRequest) => {
    addMessage(request, 45, 'custom', { extraTags: 'a b' });
    return new HttpResponse('ok');
  }),
];

const withSessions: MiddlewareSetting[] = [SessionMiddleware, MessageMiddleware];
const client = (middleware: MiddlewareSetting[] = withSessions) => new Client({ middleware, urlconf: urlpatterns });
const text = async (c: Client, url: string) => (await c.get(url)).content.toString();

const SHOWN = '<ul><li class="success">Saved &lt;ok&gt;.</li><li class="urgent error"><b>Bold</b> failure</li></ul>';

describe('one request adds, the next shows', () => {
  for (const storage of ['fallback', 'cookie', 'session'] as const) {
    test(`${storage}: redirect, then shown once, escaped unless safe, then gone`, () =>
      overrideSettings({ MESSAGE_STORAGE: storage }, async () => {
        const c = client();
        const response = await c.get('/add/', undefined, { follow: true });
        assert.deepEqual(response.redirectChain, [['/show/', 302]]);
        assert.equal(response.content.toString(), SHOWN);
        assert.equal(await text(c, '/show/'), 'none', 'shown once');
        if (storage !== 'session') assert.equal(c.cookies.has('messages'), false, 'the cookie is deleted once shown');
        if (storage === 'session') assert.equal(await (await c.session()).get('_messages'), undefined, 'the session key is removed');
      }));
  }

  test('a page that does not show them keeps them for the next, however many pages pass', async () => {
    const c = client();
    await c.get('/add/');
    await c.get('/unrelated/');
    assert.equal(await text(c, '/unrelated/'), 'no messages here');
    assert.equal(await text(c, '/show/'), SHOWN);
  });

  test('a message added on the page that shows them is shown there and not again', async () => {
    const c = client();
    assert.equal(await text(c, '/add-and-show/'), '<ul><li class="info">right away</li></ul>');
    assert.equal(await text(c, '/show/'), 'none');
  });

  test('getMessages() in a view reads them, and iterating marks them shown', async () => {
    const c = client();
    await c.get('/add/');
    assert.equal(await text(c, '/in-view/'), 'Saved <ok>.|<b>Bold</b> failure');
    assert.equal(await text(c, '/in-view/'), 'none');
  });

  test('storage.used is set by iterating, not by loading; iterating unloaded is a clear error', async () => {
    const request = HttpRequest.create();
    const storage = new CookieStorage(request);
    storage.add(ERROR, 'x');
    assert.throws(() => [...storage], MessagesNotLoadedError);
    assert.equal(storage.used, false);
    await storage.load();
    assert.equal(storage.used, false);
    assert.equal(storage.length, 1);
    assert.deepEqual([...storage].map(String), ['x']);
    assert.equal(storage.used, true);
  });
});

describe('levels and tags', () => {
  test('setLevel() lets lower levels through for one request; getLevel() says so', async () => {
    const c = client();
    assert.equal(await text(c, '/debug-level/'), String(DEBUG));
    assert.equal(await text(c, '/show/'), '<ul><li class="debug">now kept</li></ul>');
  });

  test('MESSAGE_LEVEL sets the default level', () =>
    overrideSettings({ MESSAGE_LEVEL: DEBUG }, async () => {
      const c = client();
      await c.get('/add/');
      assert.match(await text(c, '/show/'), /below the level: dropped/);
      assert.equal(getLevel(HttpRequest.create()), DEBUG, 'without the middleware too');
    }));

  test('MESSAGE_TAGS renames a tag and names a custom level; extra tags come first', () =>
    overrideSettings({ MESSAGE_TAGS: { [ERROR]: 'danger', 45: 'critical' } }, async () => {
      const c = client();
      await c.get('/add/');
      assert.match(await text(c, '/show/'), /class="urgent danger"/);
      await c.get('/custom-level/');
      assert.equal(await text(c, '/show/'), '<ul><li class="a b critical">custom</li></ul>');
    }));

  test('a level without a tag has tags of its extra tags only', async () => {
    const c = client();
    await c.get('/custom-level/');
    assert.equal(await text(c, '/show/'), '<ul><li class="a b">custom</li></ul>');
  });

  test('templates get DEFAULT_MESSAGE_LEVELS to compare levels', async () => {
    const c = client();
    await c.get('/add/');
    assert.equal(await text(c, '/levels/'), '[success: Saved &lt;ok&gt;.][error: <b>Bold</b> failure]');
  });
});

test("a template written for Django reads message.level_tag and message.extra_tags", async () => {
  const c = client();
  await c.get('/add/');
  assert.equal(await text(c, '/django-names/'), '[success|][error|urgent]');
});

describe('storages', () => {
  test('too many for the cookie: the fallback puts the rest in the session, nothing is lost', async () => {
    const c = client();
    await c.get('/add-many/30/');
    assert.ok((c.cookies.get('messages') ?? '').length <= CookieStorage.maxCookieSize);
    const shown = await text(c, '/show/');
    assert.equal(shown.match(/<li/g)?.length, 30);
    assert.ok(shown.indexOf('message 0 ') < shown.indexOf('message 29 '), 'in the order they were added');
    assert.equal(await text(c, '/show/'), 'none', 'both the cookie and the session are emptied');
  });

  test('the cookie storage alone drops the oldest that do not fit', () =>
    overrideSettings({ MESSAGE_STORAGE: 'cookie' }, async () => {
      const c = client();
      await c.get('/add-many/30/');
      const shown = await text(c, '/show/');
      const count = shown.match(/<li/g)?.length ?? 0;
      assert.ok(count > 0 && count < 30, `${count} shown`);
      assert.match(shown, /message 29 /, 'the newest are kept');
      assert.doesNotMatch(shown, /message 0 /, 'the oldest are dropped');
    }));

  test('in DEBUG, messages the cookie could not hold are an error, not a silent loss', () =>
    overrideSettings({ MESSAGE_STORAGE: 'cookie', DEBUG: true }, async () => {
      await assert.rejects(client().get('/add-many/30/'), (error: unknown) => {
        assert.ok(error instanceof MessagesNotStoredError);
        assert.equal(error.code, 'NUAGES_MESSAGES_NOT_STORED');
        assert.match(error.message, /did not fit in the CookieStorage/);
        return true;
      });
    }));

  test("MESSAGE_STORAGE takes Nuages's short names, Django's dotted names and classes", async () => {
    const request = HttpRequest.create();
    request.session = new (await import('../../../src/contrib/sessions/index.ts')).CacheSessionStore(null);
    const cases: Array<[unknown, unknown]> = [
      ['fallback', FallbackStorage],
      ['django.contrib.messages.storage.fallback.FallbackStorage', FallbackStorage],
      ['django.contrib.messages.storage.cookie.CookieStorage', CookieStorage],
      ['django.contrib.messages.storage.session.SessionStorage', SessionStorage],
      [SessionStorage, SessionStorage],
    ];
    for (const [setting, Storage] of cases) {
      await overrideSettings({ MESSAGE_STORAGE: setting as string }, async () => {
        assert.equal(defaultStorage(request).constructor, Storage, String(setting));
      });
    }
    await overrideSettings({ MESSAGE_STORAGE: 'django.contrib.messages.storage.Nope' }, async () => {
      assert.throws(() => defaultStorage(request), (error: unknown) => error instanceof ImproperlyConfigured && /is not a message storage/.test(error.message));
    });
  });

  test('the cookie storage needs no session', () =>
    overrideSettings({ MESSAGE_STORAGE: 'cookie' }, async () => {
      const c = client([MessageMiddleware]);
      await c.get('/add/');
      assert.equal(await text(c, '/show/'), SHOWN);
    }));

  for (const storage of ['fallback', 'session'] as const) {
    test(`${storage} without SessionMiddleware: ImproperlyConfigured saying what to add`, () =>
      overrideSettings({ MESSAGE_STORAGE: storage }, async () => {
        await assert.rejects(client([MessageMiddleware]).get('/show/'), (error: unknown) => {
          assert.ok(error instanceof ImproperlyConfigured);
          assert.match(error.message, /SessionMiddleware/);
          return true;
        });
      }));
  }
});

test("the app installs under Django's label, 'messages'", () => {
  assert.equal(apps.getAppConfig('messages').verboseName, 'Messages');
});

describe('tampering and misuse', () => {
  const tamper = (value: string) => value.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));

  for (const storage of ['cookie', 'fallback'] as const) {
    test(`${storage}: a tampered cookie is dropped, never a 500`, () =>
      overrideSettings({ MESSAGE_STORAGE: storage }, async () => {
        const c = new Client({ middleware: withSessions, urlconf: urlpatterns, raiseRequestException: false });
        await c.get('/add/');
        c.cookies.set('messages', tamper(c.cookies.get('messages')!));
        const response = await c.get('/show/');
        assert.equal(response.status, 200);
        assert.equal(response.content.toString(), 'none');
        if (storage === 'cookie') assert.equal(c.cookies.has('messages'), false, 'the bad cookie is deleted');
      }));
  }

  test('a cookie of garbage, or signed with another salt, is dropped too', () =>
    overrideSettings({ MESSAGE_STORAGE: 'cookie' }, async () => {
      const { TimestampSigner } = await import('../../../src/core/signing.ts');
      const otherSalt = new TimestampSigner({ key: 'django.http.cookiesmessages-test-key', salt: 'another' }).signObject([]);
      for (const value of ['garbage', 'a:b:c', otherSalt]) {
        const c = new Client({ middleware: withSessions, urlconf: urlpatterns, raiseRequestException: false });
        c.cookies.set('messages', value);
        const response = await c.get('/show/');
        assert.equal(response.status, 200, value);
        assert.equal(response.content.toString(), 'none', value);
      }
    }));

  test('the cookie storage with an empty SECRET_KEY: ImproperlyConfigured, not a cookie signed with no key', () =>
    overrideSettings({ SECRET_KEY: '' }, async () => {
      const storage = new CookieStorage(HttpRequest.create());
      await assert.rejects(storage.store([new Message(ERROR, 'x')], new HttpResponse('')), (error: unknown) => {
        assert.ok(error instanceof ImproperlyConfigured);
        assert.match(error.message, /SECRET_KEY/);
        return true;
      });
    }));

  test('without MessageMiddleware adding throws MessageFailure, unless failSilently', async () => {
    const request = HttpRequest.create();
    assert.throws(
      () => messages.info(request, 'x'),
      (error: unknown) => error instanceof MessageFailure && error.code === 'NUAGES_MESSAGES_NO_MIDDLEWARE' && /MessageMiddleware/.test(error.message),
    );
    messages.info(request, 'x', { failSilently: true });
    assert.deepEqual([...(await getMessages(request))], []);
    assert.equal(setLevel(request, DEBUG), false);
  });
});
