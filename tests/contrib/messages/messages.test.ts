// The messages framework through the test client: added on one request, shown once on the
// next, kept when not shown, levels and tags, the three storages, a tampered cookie, and
// Django's own cookie and session formats (tests/contrib/messages/django/messages_oracle.py).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { configure, overrideSettings, resetSettings, setup } from '../../../src/conf/index.ts';
import {
  CookieStorage,
  ERROR,
  FallbackStorage,
  INFO,
  Message,
  MessageFailure,
  MessageMiddleware,
  SUCCESS,
  SessionStorage,
  WARNING,
  getMessages,
  messages,
  messagesProcessor,
  setLevel,
} from '../../../src/contrib/messages/index.ts';
import { SessionMiddleware } from '../../../src/contrib/sessions/index.ts';
import { setRequestLogger } from '../../../src/core/handlers/index.ts';
import { HttpRequest, HttpResponse, HttpResponseRedirect } from '../../../src/http/index.ts';
import { Engine, LocmemLoader } from '../../../src/template/index.ts';
import { Client } from '../../../src/test/index.ts';
import { path } from '../../../src/urls/index.ts';
import { markSafe } from '../../../src/utils/safestring.ts';

const oracle = JSON.parse(readFileSync(new URL('./django/messages.json', import.meta.url), 'utf8')) as {
  cookies: Record<string, string>;
  sessions: Record<string, string>;
  payloads: Record<string, string>;
};

before(async () => {
  configure({ SECRET_KEY: 'messages-oracle-key', INSTALLED_APPS: ['nuages/contrib/sessions'], SESSION_ENGINE: 'cache', DEBUG: false });
  await setup();
  setRequestLogger({ warn() {}, error() {} });
});
after(() => resetSettings());

const engine = new Engine({
  loaders: [
    new LocmemLoader({
      'list.html': '{% if messages %}<ul>{% for m in messages %}<li class="{{ m.tags }}">{{ m }}</li>{% endfor %}</ul>{% else %}none{% endif %}',
    }),
  ],
  contextProcessors: [messagesProcessor],
});

const urlpatterns = [
  path('add/', async (request: HttpRequest) => {
    messages.success(request, 'Saved <ok>.');
    messages.error(request, markSafe('<b>Bold</b> failure'), { extraTags: 'urgent' });
    messages.debug(request, 'below the level: dropped');
    return new HttpResponseRedirect('/show/');
  }),
  path('add-many/<int:n>/', async (request: HttpRequest, { n }: { n: number }) => {
    // Text that does not compress, so the cookie really fills up.
    for (let i = 0; i < n; i++) messages.warning(request, `message ${i} ${randomBytes(100).toString('hex')}`);
    return new HttpResponse('added');
  }),
  path('show/', async (request: HttpRequest) => new HttpResponse(await engine.renderToString('list.html', {}, request))),
  path('skip/', async () => new HttpResponse('not shown')),
  path('debug-level/', async (request: HttpRequest) => {
    setLevel(request, 10);
    messages.debug(request, 'now kept');
    return new HttpResponse('ok');
  }),
];

const client = (extra: object[] = []) =>
  new Client({ middleware: [SessionMiddleware, MessageMiddleware, ...(extra as never[])], urlconf: urlpatterns });

describe('flash messages', () => {
  for (const storage of ['fallback', 'cookie', 'session'] as const) {
    test(`${storage}: added, shown once on the next page, escaped unless safe`, () =>
      overrideSettings({ MESSAGE_STORAGE: storage }, async () => {
        const c = client();
        await c.get('/add/');
        const shown = (await c.get('/show/')).content.toString();
        assert.equal(shown, '<ul><li class="success">Saved &lt;ok&gt;.</li><li class="urgent error"><b>Bold</b> failure</li></ul>');
        assert.equal((await c.get('/show/')).content.toString(), 'none', 'shown once');
      }));
  }

  test('a page that does not show them keeps them for the next', async () => {
    const c = client();
    await c.get('/add/');
    await c.get('/skip/');
    assert.match((await c.get('/show/')).content.toString(), /Saved &lt;ok&gt;/);
  });

  test('setLevel lets lower levels through; MESSAGE_TAGS renames tags', () =>
    overrideSettings({ MESSAGE_TAGS: { [ERROR]: 'danger' } }, async () => {
      const c = client();
      await c.get('/debug-level/');
      assert.equal((await c.get('/show/')).content.toString(), '<ul><li class="debug">now kept</li></ul>');
      await c.get('/add/');
      assert.match((await c.get('/show/')).content.toString(), /class="urgent danger"/);
    }));

  test('too many for the cookie: the fallback puts the rest in the session, nothing is lost', async () => {
    const c = client();
    await c.get('/add-many/30/');
    assert.ok((c.cookies.get('messages') ?? '').length <= 2048);
    const shown = (await c.get('/show/')).content.toString();
    assert.equal(shown.match(/<li/g)?.length, 30);
    assert.ok(shown.indexOf('message 0 ') < shown.indexOf('message 29 '), 'in the order they were added');
  });

  test('cookie storage alone drops the oldest that do not fit (an error in DEBUG)', () =>
    overrideSettings({ MESSAGE_STORAGE: 'cookie' }, async () => {
      const c = client();
      await c.get('/add-many/30/');
      const shown = (await c.get('/show/')).content.toString();
      const count = shown.match(/<li/g)?.length ?? 0;
      assert.ok(count > 0 && count < 30);
      assert.match(shown, /message 29 /, 'the newest are kept');
      await overrideSettings({ DEBUG: true }, async () => {
        await assert.rejects(client().get('/add-many/30/'), /Not all temporary messages could be stored/);
      });
    }));

  test('a tampered cookie is dropped, not a 500', () =>
    overrideSettings({ MESSAGE_STORAGE: 'cookie' }, async () => {
    const c = client();
    await c.get('/add/');
    const value = c.cookies.get('messages')!;
    c.cookies.set('messages', value.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')));
    const response = await c.get('/show/');
    assert.equal(response.status, 200);
    assert.equal(response.content.toString(), 'none');
    assert.equal(c.cookies.has('messages'), false, 'the bad cookie is deleted');
  }));

  test('without MessageMiddleware adding fails loudly unless failSilently', async () => {
    const request = HttpRequest.create();
    assert.throws(() => messages.info(request, 'x'), MessageFailure);
    messages.info(request, 'x', { failSilently: true });
    assert.deepEqual([...(await getMessages(request))], []);
  });
});

describe("Django's formats", () => {
  const sets: Record<string, Message[]> = {
    one: [new Message(SUCCESS, 'Saved.', '')],
    mixed: [new Message(INFO, 'Café <b>ok</b>', ''), new Message(ERROR, markSafe('<em>Failed</em>'), 'urgent'), new Message(45, 'custom', null)],
    long: [0, 1, 2].map((i) => new Message(WARNING, `${'x'.repeat(300)}${i}`, '')),
  };
  const request = (cookie?: string) => HttpRequest.create({ headers: cookie ? { cookie: `messages=${cookie}` } : {} });

  test('a cookie Django wrote reads here, messages, safeness and tags intact', async () => {
    for (const [name, expected] of Object.entries(sets)) {
      const storage = await new CookieStorage(request(oracle.cookies[name])).load();
      const got = [...storage];
      assert.equal(got.length, expected.length, name);
      got.forEach((message, i) => {
        assert.ok(message.equals(expected[i]!), name);
        assert.equal(message.extraTags, expected[i]!.extraTags);
        assert.equal(message.__html__(), expected[i]!.__html__());
      });
    }
  });

  test('Nuages writes the same signed payload as Django, and the same session text', async () => {
    const storage = new CookieStorage(request());
    assert.equal(storage.encodeParts(sets['one']!.map((m) => encode(m))).split(':')[0], oracle.payloads['one']);
    const session = new Map<string, unknown>();
    const fake = HttpRequest.create();
    (fake as unknown as { session: unknown }).session = { set: async (k: string, v: unknown) => void session.set(k, v), pop: async () => undefined };
    for (const [name, list] of Object.entries(sets)) {
      await new SessionStorage(fake).store(list, new HttpResponse(''));
      assert.equal(session.get('_messages'), oracle.sessions[name], name);
    }
  });

  test('FallbackStorage is the default', () => {
    assert.ok(new FallbackStorage(request()).storages[0] instanceof CookieStorage);
  });
});

import { encodeMessage as encode } from '../../../src/contrib/messages/storage/encoding.ts';
