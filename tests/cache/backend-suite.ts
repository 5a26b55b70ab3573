/**
 * The suite every cache backend must pass: the same cases run against locmem,
 * Redis, Memcached, the database, files and the two-tier cache, through the public
 * `Cache` API, on the real servers. A backend's own test file calls
 * `runBackendSuite()` and adds the cases only it has (eviction, outages, …).
 */
import { describe, test, before, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { CacheSettings } from '../../src/conf/settings.ts';
import { createCache, type Cache } from '../../src/cache/index.ts';
import { CacheKeyNotFoundError, CacheValueNotIntegerError, InvalidCacheKey, UncacheableValueError } from '../../src/cache/errors.ts';
import { captureLogs } from '../../src/utils/log.ts';
import { Decimal } from '../../src/utils/decimal.ts';
import { DateOnly } from '../../src/utils/dates.ts';
import { SafeString } from '../../src/utils/safestring.ts';
import { Model, CharField, IntegerField, DecimalField } from '../../src/db/index.ts';

export class SuiteBook extends Model<SuiteBook>()({
  title: new CharField({ maxLength: 50 }),
  pages: new IntegerField({ null: true }),
  price: new DecimalField({ maxDigits: 6, decimalPlaces: 2 }),
}, { appLabel: 'cachesuite' }) {}

export interface BackendSuiteOptions {
  /**
   * How the suite lets time pass for expiry cases: 'fake' mocks Date (stores that
   * compare against Date.now()), a number sleeps that many ms for real (servers
   * that expire by their own clock; Memcached counts whole seconds).
   */
  readonly expiry: 'fake' | number;
  /** Keys Memcached refuses are errors on this backend instead of warnings. */
  readonly strictKeys?: boolean;
  /** Write raw bytes under a final key, to show that an unreadable value is a miss. */
  readonly writeRaw?: (cache: Cache, finalKey: string, bytes: Buffer) => Promise<void>;
  /** Release the backend's resources after the suite (close connections). */
  readonly teardown?: (cache: Cache) => Promise<void>;
}

/** A fresh KEY_PREFIX per suite run, so files sharing one server never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${randomBytes(4).toString('hex')}`;
}

/**
 * Run the shared cases against the backend `entry` configures. `entry` gets a
 * KEY_PREFIX and returns CACHES settings for one alias.
 */
export function runBackendSuite(label: string, entry: (keyPrefix: string) => CacheSettings, options: BackendSuiteOptions): void {
  describe(`${label}: the shared cache backend suite`, () => {
    let cache: Cache;
    const prefix = uniquePrefix(label);
    const clock = options.expiry === 'fake' ? { fake: true as const } : { fake: false as const, ms: options.expiry };

    /** Let `seconds` pass for the store: move the fake clock, or sleep for real. */
    async function elapse(seconds: number): Promise<void> {
      // After a fake tick, one turn of the event loop: stores may read the clock once per turn.
      if (clock.fake) {
        mock.timers.tick(seconds * 1000);
        await new Promise((resolve) => setImmediate(resolve));
      } else await new Promise((resolve) => setTimeout(resolve, clock.ms));
    }
    function startClock(): void {
      if (clock.fake) mock.timers.enable({ apis: ['Date'], now: Date.now() });
    }
    function stopClock(): void {
      if (clock.fake) mock.timers.reset();
    }

    before(() => {
      cache = createCache('default', entry(prefix));
    });
    after(async () => {
      await options.teardown?.(cache);
      await cache.close();
    });

    test('get of a missing key is undefined, or the default given', async () => {
      assert.equal(await cache.get('missing'), undefined);
      assert.equal(await cache.get('missing', 'fallback'), 'fallback');
    });

    test('values of every supported type come back equal and of the same type', async () => {
      const values: Record<string, unknown> = {
        text: 'héllo wörld ☁️',
        empty: '',
        integer: 42,
        negative: -7,
        zero: 0,
        big: Number.MAX_SAFE_INTEGER,
        float: 3.25,
        boolTrue: true,
        boolFalse: false,
        nothing: null,
        list: [1, 'two', null, [3]],
        object: { a: 1, nested: { b: ['c'] } },
        date: new Date('2026-11-28T10:00:00.123Z'),
        map: new Map<unknown, unknown>([[1, 'one'], ['k', { v: true }]]),
        set: new Set([1, 'a']),
        buffer: Buffer.from([0, 1, 2, 255]),
        bigint: 12345678901234567890n,
        calendarDate: DateOnly.of(2024, 2, 29),
        safeHtml: new SafeString('<b>bold</b>'),
      };
      for (const [key, value] of Object.entries(values)) await cache.set(key, value);
      for (const [key, value] of Object.entries(values)) {
        const back = await cache.get(key);
        assert.deepEqual(back, value, key);
        if (value !== null && typeof value === 'object') assert.equal(Object.getPrototypeOf(back), Object.getPrototypeOf(value), `${key} keeps its class`);
      }
    });

    test('a Decimal keeps its digits and its places', async () => {
      await cache.set('price', new Decimal('12.50'));
      const back = await cache.get<Decimal>('price');
      assert.ok(back instanceof Decimal);
      assert.equal(back.toString(), '12.50');
    });

    test('a model instance comes back as an instance of its model with its loaded fields', async () => {
      const book = SuiteBook.fromDb({ id: 7, title: 'Dune', pages: 412, price: new Decimal('9.90') }) as SuiteBook;
      await cache.set('book', book);
      const back = await cache.get<SuiteBook>('book');
      assert.ok(back instanceof SuiteBook);
      assert.equal(back.id, 7);
      assert.equal(back.title, 'Dune');
      assert.equal(back.pages, 412);
      assert.equal(String(back.price), '9.90');
      assert.equal(back._state.adding, false);
      assert.equal(back._state.db, 'default');
    });

    test('a mutated result does not change what the cache holds', async () => {
      await cache.set('list', [1, 2]);
      const first = await cache.get<number[]>('list');
      first!.push(3);
      assert.deepEqual(await cache.get('list'), [1, 2]);
    });

    test('undefined and functions cannot be cached, with an error that says what to store', async () => {
      await assert.rejects(cache.set('u', undefined), UncacheableValueError);
      await assert.rejects(cache.set('f', () => 1), (error: Error) => error instanceof UncacheableValueError && /store null/.test(error.message));
    });

    test('timeout 0 or less does not cache, and removes what was there', async () => {
      await cache.set('zero', 'old');
      await cache.set('zero', 'new', 0);
      assert.equal(await cache.get('zero'), undefined);
      await cache.set('negative', 'v', -1);
      assert.equal(await cache.has('negative'), false);
      assert.equal(await cache.add('zero-add', 'v', 0), true, 'add with timeout 0 reports success as Django does');
      assert.equal(await cache.get('zero-add'), undefined);
    });

    test('a value expires after its timeout; null keeps it', async () => {
      startClock();
      try {
        await cache.set('short', 'v', 1);
        await cache.set('forever', 'v', null);
        assert.equal(await cache.get('short'), 'v');
        await elapse(2);
        assert.equal(await cache.get('short'), undefined);
        assert.equal(await cache.has('short'), false);
        assert.equal(await cache.get('forever'), 'v');
      } finally {
        stopClock();
      }
    });

    test('add stores only when the key is missing', async () => {
      assert.equal(await cache.add('once', 'first'), true);
      assert.equal(await cache.add('once', 'second'), false);
      assert.equal(await cache.get('once'), 'first');
    });

    test('delete reports whether the key was there', async () => {
      await cache.set('del', 1);
      assert.equal(await cache.delete('del'), true);
      assert.equal(await cache.delete('del'), false);
      assert.equal(await cache.get('del'), undefined);
    });

    test('getMany returns the keys found, setMany stores all, deleteMany removes all', async () => {
      assert.deepEqual(await cache.setMany({ m1: 'a', m2: { b: 2 }, m3: 3 }), []);
      assert.deepEqual(await cache.getMany(['m1', 'm2', 'm3', 'nope']), { m1: 'a', m2: { b: 2 }, m3: 3 });
      await cache.setMany(new Map([['m4', 'd']]));
      assert.equal(await cache.get('m4'), 'd');
      await cache.deleteMany(['m1', 'm2', 'm4']);
      assert.deepEqual(await cache.getMany(['m1', 'm2', 'm3', 'm4']), { m3: 3 });
    });

    test('has is true only for a live key', async () => {
      await cache.set('present', null);
      assert.equal(await cache.has('present'), true, 'a cached null is present');
      assert.equal(await cache.has('absent'), false);
    });

    test('touch gives a key a new lifetime and reports whether it existed', async () => {
      startClock();
      try {
        await cache.set('touched', 'v', 1);
        assert.equal(await cache.touch('touched', null), true);
        assert.equal(await cache.touch('never-set', 10), false);
        await elapse(2);
        assert.equal(await cache.get('touched'), 'v');
        assert.equal(await cache.touch('touched', 0), true);
        assert.equal(await cache.get('touched'), undefined);
      } finally {
        stopClock();
      }
    });

    test('incr and decr change an integer and return the result', async () => {
      await cache.set('counter', 10);
      assert.equal(await cache.incr('counter'), 11);
      assert.equal(await cache.incr('counter', 9), 20);
      assert.equal(await cache.decr('counter', 5), 15);
      assert.equal(await cache.get('counter'), 15);
    });

    test('incr of a missing key or a non-integer fails with an error naming the key', async () => {
      await assert.rejects(cache.incr('no-counter'), (error: Error) => error instanceof CacheKeyNotFoundError && error.message.includes(':1:no-counter'));
      await cache.set('text-counter', 'abc');
      await assert.rejects(cache.incr('text-counter'), CacheValueNotIntegerError);
    });

    test('versions keep values apart; incrVersion and decrVersion move a value', async () => {
      await cache.set('answer', 42, undefined, { version: 2 });
      assert.equal(await cache.get('answer'), undefined);
      assert.equal(await cache.get('answer', undefined, { version: 2 }), 42);
      assert.equal(await cache.incrVersion('answer', 1, { version: 2 }), 3);
      assert.equal(await cache.get('answer', undefined, { version: 2 }), undefined);
      assert.equal(await cache.get('answer', undefined, { version: 3 }), 42);
      assert.equal(await cache.decrVersion('answer', 2, { version: 3 }), 1);
      assert.equal(await cache.get('answer'), 42);
      await assert.rejects(cache.incrVersion('no-such-key'), CacheKeyNotFoundError);
    });

    test('two caches with different KEY_PREFIX on one store do not see each other', async () => {
      const other = createCache('other', entry(`${prefix}-other`));
      try {
        await cache.set('shared-name', 'mine');
        await other.set('shared-name', 'theirs');
        assert.equal(await cache.get('shared-name'), 'mine');
        assert.equal(await other.get('shared-name'), 'theirs');
        await other.delete('shared-name');
        assert.equal(await cache.get('shared-name'), 'mine');
      } finally {
        await other.close();
      }
    });

    test('invalidateTags makes every value with that tag a miss and leaves the others', async () => {
      await cache.set('t-book', 'book page', 60, { tags: ['books'] });
      await cache.set('t-both', 'index', 60, { tags: ['books', 'authors'] });
      await cache.set('t-author', 'author page', 60, { tags: ['authors'] });
      await cache.set('t-plain', 'plain', 60);
      await cache.invalidateTags('books');
      assert.equal(await cache.get('t-book'), undefined);
      assert.equal(await cache.get('t-both'), undefined);
      assert.equal(await cache.get('t-author'), 'author page');
      assert.equal(await cache.get('t-plain'), 'plain');
      await cache.set('t-book', 'fresh', 60, { tags: ['books'] });
      assert.equal(await cache.get('t-book'), 'fresh', 'values stored after the invalidation are hits');
    });

    test('a value computed before an invalidation is a miss even if stored after it', async () => {
      const snapshot = await cache.readTags(['slow']);
      await cache.invalidateTags('slow');
      await cache.set('t-slow', 'computed from old data', 60, { tags: snapshot });
      assert.equal(await cache.get('t-slow'), undefined);
    });

    test('getOrSet computes a missing value once, then returns the cached one', async () => {
      let calls = 0;
      const produce = async (): Promise<string> => `computed ${++calls}`;
      assert.equal(await cache.getOrSet('gos', produce, 60), 'computed 1');
      assert.equal(await cache.getOrSet('gos', produce, 60), 'computed 1');
      assert.equal(calls, 1);
      assert.equal(await cache.getOrSet('gos-plain', 'a plain value'), 'a plain value');
      assert.equal(await cache.get('gos-plain'), 'a plain value');
    });

    test('1,000 concurrent getOrSet on a cold key run the producer exactly once', async () => {
      let calls = 0;
      const results = await Promise.all(
        Array.from({ length: 1000 }, () =>
          cache.getOrSet('stampede', async () => {
            calls++;
            await new Promise((resolve) => setTimeout(resolve, 20));
            return { rows: [1, 2, 3] };
          }, 60),
        ),
      );
      assert.equal(calls, 1);
      assert.equal(results.length, 1000);
      for (const result of results) assert.deepEqual(result, { rows: [1, 2, 3] });
    });

    test('a producer that throws stores nothing, and the next call tries again', async () => {
      await assert.rejects(cache.getOrSet('failing', () => { throw new Error('database down'); }, 60), /database down/);
      assert.equal(await cache.get('failing'), undefined);
      assert.equal(await cache.getOrSet('failing', () => 'recovered', 60), 'recovered');
    });

    test('with grace, a stale value is served at once and refreshed once in the background', async () => {
      startClock();
      try {
        let version = 0;
        const produce = async (): Promise<string> => `v${++version}`;
        assert.equal(await cache.getOrSet('graced', produce, 1, { grace: 60 }), 'v1');
        await elapse(2);
        const [a, b] = await Promise.all([cache.getOrSet('graced', produce, 1, { grace: 60 }), cache.getOrSet('graced', produce, 1, { grace: 60 })]);
        assert.equal(a, 'v1', 'the stale value is served');
        // The second reader may start after the refresh landed (a store with a connection pool).
        assert.ok(b === 'v1' || b === 'v2', `got ${b}`);
        // The refresh runs after the stale answer and may need round trips to a server: poll
        // for it (real time, only Date is faked), for at most two seconds on a loaded machine.
        for (let i = 0; i < 400 && (await cache.getOrSet('graced', produce, 1, { grace: 60 })) !== 'v2'; i++) await new Promise((resolve) => setTimeout(resolve, 5));
        assert.equal(await cache.getOrSet('graced', produce, 1, { grace: 60 }), 'v2');
        assert.equal(version, 2, 'one refresh for all the stale readers');
      } finally {
        stopClock();
      }
    });

    test(options.strictKeys ? 'a key Memcached would refuse is an InvalidCacheKey error' : 'a key Memcached would refuse is warned about as a CacheKeyWarning', async () => {
      const key = `has space ${prefix}`;
      if (options.strictKeys) {
        await assert.rejects(cache.set(key, 1), InvalidCacheKey);
        return;
      }
      const warnings: Error[] = [];
      const listen = (warning: Error): void => void warnings.push(warning);
      process.on('warning', listen);
      try {
        await cache.set(key, 1);
        await cache.get('x'.repeat(251));
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off('warning', listen);
      }
      const mine = warnings.filter((warning) => warning.name === 'CacheKeyWarning');
      assert.equal(mine.length, 2);
      assert.match(mine[0]!.message, /characters that will cause errors if used with memcached/);
      assert.match(mine[1]!.message, /longer than 250/);
      assert.equal(await cache.get(key), 1, 'the value is still stored');
    });

    if (options.writeRaw) {
      const writeRaw = options.writeRaw;
      test('a value that cannot be decoded is a miss, logged, not an error', async () => {
        const finalKey = cache.makeKey('corrupt');
        await writeRaw(cache, finalKey, Buffer.from([0xc1, 0x63, 0x00, 0x01]));
        const { result, records } = await captureLogs('nuages.cache', () => cache.get('corrupt', 'default'));
        assert.equal(result, 'default');
        assert.equal(records.length, 1);
        assert.match(records[0]!.message, /corrupt/);
      });
    }

    test('clear removes every key', async () => {
      await cache.set('c1', 1);
      await cache.set('c2', 2, undefined, { version: 5 });
      await cache.clear();
      assert.equal(await cache.get('c1'), undefined);
      assert.equal(await cache.get('c2', undefined, { version: 5 }), undefined);
    });
  });
}
