// Django 5.2's own message cookies and session values, both ways (django/messages_oracle.py):
// what Django wrote reads here, what Nuages wrote Django read back, and the JSON inside is
// the same text. Compressed bytes may differ (Node's zlib is not Python's); both inflate.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure, overrideSettings, resetSettings, setup } from '../../../src/conf/index.ts';
import { CookieStorage, FallbackStorage, Message, SessionStorage, type BaseStorage } from '../../../src/contrib/messages/index.ts';
import { encodeMessage } from '../../../src/contrib/messages/storage/encoding.ts';
import { serializeMessages } from '../../../src/contrib/messages/storage/session.ts';
import { CacheSessionStore } from '../../../src/contrib/sessions/index.ts';
import { HttpRequest } from '../../../src/http/index.ts';
import {
  insideJson,
  messageCases,
  nuagesWrites,
  overflowTuples,
  storeThrough,
  toMessage,
  toTuple,
  type MessageTuple,
  type NuagesWrites,
} from './django/message-cases.ts';

type Read = { messages: MessageTuple[] | null; allRetrieved: boolean } | { error: string };
interface Stored {
  cookie: string;
  session: string;
  unstored: MessageTuple[];
}
const fixture = <T>(name: string) => JSON.parse(readFileSync(join(import.meta.dirname, 'django', name), 'utf8')) as T;
const django = fixture<{
  cookies: Record<string, string>;
  json: Record<string, string>;
  sessions: Record<string, string>;
  rotated: string;
  overflow: { cookie: Stored; fallback: Stored };
  verified: Record<string, Read>;
}>('messages-django.json');
const nuagesWritten = fixture<NuagesWrites>('nuages-messages.json');
const atOracleClock = { apis: ['Date'] as Array<'Date'>, now: messageCases.now * 1000 };

before(async () => {
  configure({ SECRET_KEY: messageCases.secretKey, INSTALLED_APPS: ['nuages/contrib/sessions'], SESSION_ENGINE: 'cache' });
  await setup();
});
after(() => resetSettings());

/** Reads a storage of `Storage` from a request carrying `cookie` and a session holding `session`. */
async function readThrough(Storage: new (request: HttpRequest) => BaseStorage, cookie: string, session = '') {
  const request = HttpRequest.create({ headers: { cookie: `messages=${cookie}` } });
  request.session = new CacheSessionStore(null);
  if (session) await request.session.set('_messages', session);
  return new Storage(request).retrieve();
}

const tuples = (messages: readonly Message[] | null) => (messages ?? []).map(toTuple);
const sets = Object.entries(messageCases.sets);

describe('cookies Django wrote', () => {
  test('read here with level, text, safeness and extra tags (null stays null)', async () => {
    for (const [name, expected] of sets) {
      const got = await readThrough(CookieStorage, django.cookies[name]!);
      assert.deepEqual(tuples(got.messages), expected, name);
      assert.equal(got.allRetrieved, true);
    }
  });

  test('a SafeString stays safe and plain text is escaped when rendered', async () => {
    const [plain, safe] = (await readThrough(CookieStorage, django.cookies['mixed']!)).messages!;
    assert.equal(plain!.__html__(), 'Café &lt;b&gt;ok&lt;/b&gt;');
    assert.equal(safe!.__html__(), '<em>Failed</em>');
  });

  test('one signed under a retired key still reads through SECRET_KEY_FALLBACKS, and not without it', async () => {
    const expected = messageCases.sets['one']!;
    await overrideSettings({ SECRET_KEY_FALLBACKS: [messageCases.oldKey] }, async () => {
      assert.deepEqual(tuples((await readThrough(CookieStorage, django.rotated)).messages), expected);
    });
    assert.equal((await readThrough(CookieStorage, django.rotated)).messages, null);
  });

  test("Django's trimmed cookie reads as not all retrieved, without the marker", async () => {
    const { cookie, unstored } = django.overflow.cookie;
    const got = await readThrough(CookieStorage, cookie);
    assert.equal(got.allRetrieved, false);
    assert.deepEqual(tuples(got.messages), overflowTuples().slice(unstored.length));
  });

  test("Django's fallback split (cookie, then session) reads back whole and in order", async () => {
    const { cookie, session } = django.overflow.fallback;
    const got = await readThrough(FallbackStorage, cookie, session);
    assert.deepEqual(tuples(got.messages), overflowTuples());
  });
});

describe('what Nuages writes', () => {
  test('the JSON inside the cookie is the text Django signs; uncompressed values are the same string', (t) => {
    t.mock.timers.enable(atOracleClock);
    for (const [name, cookie] of Object.entries(nuagesWritten.cookies)) {
      const djangoCookie = django.cookies[name]!;
      assert.equal(insideJson(cookie), django.json[name], name);
      assert.equal(cookie.startsWith('.'), djangoCookie.startsWith('.'), `${name}: compressed on both sides or neither`);
      if (!djangoCookie.startsWith('.')) assert.equal(cookie, djangoCookie, name);
    }
  });

  test('nuages-messages.json is what Nuages writes today (else rerun make-nuages-messages.ts and the oracle)', async (t) => {
    t.mock.timers.enable(atOracleClock);
    const now = await nuagesWrites();
    for (const [name, cookie] of Object.entries(now.cookies)) assert.equal(insideJson(cookie), insideJson(nuagesWritten.cookies[name]!), name);
    assert.equal(insideJson(now.overflowCookie), insideJson(nuagesWritten.overflowCookie));
    assert.equal(insideJson(now.fallback.cookie), insideJson(nuagesWritten.fallback.cookie));
    assert.equal(now.fallback.session, nuagesWritten.fallback.session);
  });

  test('Django read every cookie Nuages wrote back to the same messages', () => {
    for (const [name, expected] of sets) assert.deepEqual(django.verified[name], { messages: expected, allRetrieved: true }, name);
  });

  test("Django read Nuages's trimmed cookie as the newest messages, not all retrieved", () => {
    const read = django.verified['overflowCookie'] as { messages: MessageTuple[]; allRetrieved: boolean };
    assert.equal(read.allRetrieved, false);
    assert.ok(read.messages.length > 0 && read.messages.length < overflowTuples().length);
    assert.deepEqual(read.messages, overflowTuples().slice(-read.messages.length));
  });

  test("Django read Nuages's fallback split (cookie and session) as all the messages in order", () => {
    assert.deepEqual(django.verified['fallback'], { messages: overflowTuples(), allRetrieved: true });
  });

  test('the session value is the text Django writes', async () => {
    for (const [name, list] of sets) {
      assert.equal(serializeMessages(list.map(toMessage)), django.sessions[name], name);
      const { session } = await storeThrough(SessionStorage, list.map(toMessage));
      assert.equal(session, django.sessions[name], name);
    }
  });
});

describe('the cookie size limit', () => {
  const overflow = () => overflowTuples().map(toMessage);

  test('the cookie storage keeps the newest messages that fit with the marker, and no more', async () => {
    const { cookie, unstored } = await storeThrough(CookieStorage, overflow());
    assert.ok(cookie.length <= CookieStorage.maxCookieSize, `${cookie.length} bytes`);
    const kept = overflowTuples().slice(unstored.length);
    assert.deepEqual(unstored.map(toTuple), overflowTuples().slice(0, unstored.length), 'the oldest are the unstored');
    assert.deepEqual(JSON.parse(insideJson(cookie)).at(-1), '__messagesnotfinished__');
    const oneMoreParts = overflow().slice(unstored.length - 1).map((message) => encodeMessage(message));
    const oneMore = new CookieStorage(HttpRequest.create()).encodeParts([...oneMoreParts, '"__messagesnotfinished__"']);
    assert.ok(oneMore.length > CookieStorage.maxCookieSize, 'one more message would not have fitted');
    assert.deepEqual(tuples((await readThrough(CookieStorage, cookie)).messages), kept);
  });

  test('the fallback storage keeps the oldest in the cookie and the rest in the session, losing none', async () => {
    const { cookie, session, unstored } = await storeThrough(FallbackStorage, overflow());
    assert.deepEqual(unstored, []);
    assert.ok(cookie.length <= CookieStorage.maxCookieSize);
    const inCookie = (JSON.parse(insideJson(cookie)) as unknown[]).length - 1;
    assert.equal(session, serializeMessages(overflow().slice(inCookie)));
    assert.deepEqual(tuples((await readThrough(FallbackStorage, cookie, session)).messages), overflowTuples());
  });

  test('a set that fits writes no marker', async () => {
    const { cookie } = await storeThrough(CookieStorage, messageCases.sets['mixed']!.map(toMessage));
    assert.equal(insideJson(cookie), django.json['mixed']);
  });
});
