// The examples of docs/sessions.md, kept compiling and running.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings } from '../../../src/conf/index.ts';
import { cache } from '../../../src/cache/index.ts';
import {
  CreateError,
  SessionBase,
  SessionMiddleware,
  UpdateError,
  type SessionData,
} from '../../../src/contrib/sessions/index.ts';
import { CharField, createTables, F, IntegerField, Model } from '../../../src/db/index.ts';
import { JsonResponse, type HttpRequest } from '../../../src/http/index.ts';
import { Client } from '../../../src/test/index.ts';
import { path } from '../../../src/urls/index.ts';
import { setUpSessions, tearDownSessions } from './setup.ts';

// ---- docs/sessions.md: "Using request.session" --------------------------------------

async function visits(request: HttpRequest) {
  const count = ((await request.session.get<number>('visits')) ?? 0) + 1;
  await request.session.set('visits', count);
  return new JsonResponse({ visits: count });
}

async function addToCart(request: HttpRequest, { sku }: { sku: string }) {
  const cart = (await request.session.get<string[]>('cart')) ?? [];
  cart.push(sku);
  await request.session.set('cart', cart);
  return new JsonResponse({ cart });
}

// ---- "A store of your own" ----------------------------------------------------------

const rooms = new Map<string, string>();

class MemoryStore extends SessionBase {
  async load(): Promise<SessionData> {
    const text = rooms.get(this.sessionKey!);
    if (text === undefined) this._sessionKey = null;
    return text === undefined ? {} : this.decode(text);
  }
  async exists(key: string) {
    return rooms.has(key);
  }
  async create() {
    for (;;) {
      this._sessionKey = await this._getNewSessionKey();
      try {
        await this.save(true);
      } catch (error) {
        if (error instanceof CreateError) continue;
        throw error;
      }
      this.modified = true;
      return;
    }
  }
  async save(mustCreate = false) {
    const key = this.sessionKey;
    if (key === null) return this.create();
    if (mustCreate && rooms.has(key)) throw new CreateError(`${key} is taken`);
    if (!mustCreate && !rooms.has(key)) throw new UpdateError(`${key} was deleted`);
    rooms.set(key, this.encode(await this._getSession(mustCreate)));
  }
  async deleteSession(key: string | null = null) {
    rooms.delete(key ?? this.sessionKey ?? '');
  }
}

// ---- "Concurrent requests": a row per item, a counter in the cache ------------------

class CartLine extends Model<CartLine>()({
  sessionKey: new CharField({ maxLength: 40, dbIndex: true }),
  sku: new CharField({ maxLength: 32 }),
  quantity: new IntegerField({ default: 0 }),
}, { appLabel: 'docs', uniqueTogether: [['sessionKey', 'sku']] }) {}

async function addLine(request: HttpRequest, { sku }: { sku: string }) {
  if (!request.session.sessionKey) await request.session.save();
  const [line] = await CartLine.objects.getOrCreate({ sessionKey: request.session.sessionKey!, sku });
  await CartLine.objects.filter({ pk: line.pk }).update({ quantity: F('quantity').add(1) });
  return new JsonResponse({ ok: true });
}

async function countView(request: HttpRequest) {
  if (!request.session.sessionKey) await request.session.save();
  const key = `views:${request.session.sessionKey}`;
  await cache.add(key, 0, null);
  const views = await cache.incr(key);
  return new JsonResponse({ views });
}

const urlpatterns = [
  path('visits/', visits),
  path('cart/add/<str:sku>/', addToCart),
  path('lines/add/<str:sku>/', addLine),
  path('count/', countView),
];

before(async () => {
  await setUpSessions({ SESSION_ENGINE: 'db' }, { database: true });
  await createTables([CartLine]);
});
after(tearDownSessions);

const client = () => new Client({ middleware: [SessionMiddleware], urlconf: urlpatterns });

describe('docs/sessions.md', () => {
  test('the visits and cart views keep their data across requests', async () => {
    const c = client();
    assert.deepEqual((await c.get('/visits/')).json(), { visits: 1 });
    assert.deepEqual((await c.get('/visits/')).json(), { visits: 2 });
    await c.get('/cart/add/B-1/');
    assert.deepEqual((await c.get('/cart/add/B-7/')).json(), { cart: ['B-1', 'B-7'] });
  });

  test('the custom MemoryStore works as SESSION_ENGINE', () =>
    overrideSettings({ SESSION_ENGINE: MemoryStore }, async () => {
      const c = client();
      await c.get('/visits/');
      assert.deepEqual((await c.get('/visits/')).json(), { visits: 2 });
      assert.equal(rooms.size, 1);
      const session = await c.session();
      assert.ok(session instanceof MemoryStore);
      await session.flush();
      assert.equal(rooms.size, 0);
    }));

  test('a row per item and a cache counter lose no update when requests overlap', async () => {
    const c = client();
    await c.get('/visits/');
    await Promise.all(Array.from({ length: 5 }, () => c.get('/lines/add/B-1/')));
    const [line] = await CartLine.objects.filter({ sessionKey: c.cookies.get('sessionid')!, sku: 'B-1' });
    assert.equal(line!.quantity, 5);
    const counts = await Promise.all(Array.from({ length: 5 }, () => c.get('/count/')));
    assert.deepEqual(counts.map((r) => (r.json() as { views: number }).views).sort(), [1, 2, 3, 4, 5]);
  });
});
