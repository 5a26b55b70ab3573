// The diagnostics channels: what each publishes, and that nothing is published
// (or timed) while a channel has no subscriber.
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createCache } from '../../src/cache/caches.ts';
import { CHANNEL_NAMES, instrumentation } from '../../src/core/instrumentation.ts';
import { connections } from '../../src/db/connections.ts';
import { Engine, LocmemLoader } from '../../src/template/index.ts';

const q = (sql: string, ...params: number[]) => ({ sql, params });

/** Subscribe to `name` until the returned stop() is called; messages collect in `seen`. */
function listen(name: string): { seen: Array<Record<string, unknown>>; stop: () => void } {
  const seen: Array<Record<string, unknown>> = [];
  const onMessage = (message: unknown) => seen.push(message as Record<string, unknown>);
  subscribe(name, onMessage);
  return { seen, stop: () => unsubscribe(name, onMessage) };
}

after(() => connections.reset());

describe('instrumentation channels', () => {
  test('names every channel under nuages:', () => {
    assert.deepEqual(CHANNEL_NAMES, ['nuages:request:start', 'nuages:request:finish', 'nuages:db:query', 'nuages:cache:call', 'nuages:template:render']);
    for (const name of CHANNEL_NAMES) assert.equal(instrumentation.dbQuery.hasSubscribers && name === 'nuages:db:query', false);
  });

  describe('nuages:db:query', () => {
    beforeEach(async () => {
      await connections.reset();
      connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
    });

    test('publishes alias, SQL, duration, and the error of a failed statement', async () => {
      const db = connections.get();
      const { seen, stop } = listen('nuages:db:query');
      try {
        await db.executeScript('CREATE TABLE t (a INTEGER)');
        await db.execute(q('INSERT INTO t VALUES (?)', 5));
        assert.deepEqual(await db.fetchAll(q('SELECT a FROM t WHERE a > ?', 1)), [[5]]);
        await assert.rejects(async () => db.fetchAll(q('SELECT nope FROM t')), /nope/);
      } finally {
        stop();
      }
      assert.deepEqual(seen.map((m) => [m['alias'], m['sql']]), [
        ['default', 'CREATE TABLE t (a INTEGER)'],
        ['default', 'INSERT INTO t VALUES (?)'],
        ['default', 'SELECT a FROM t WHERE a > ?'],
        ['default', 'SELECT nope FROM t'],
      ]);
      for (const m of seen) assert.ok(typeof m['durationMs'] === 'number' && m['durationMs'] >= 0);
      assert.deepEqual(seen.slice(0, 3).map((m) => m['error']), [undefined, undefined, undefined]);
      assert.match(String((seen[3]!['error'] as Error).message), /nope/);
    });

    test('publishes nothing once the subscriber is gone', async () => {
      const db = connections.get();
      const { seen, stop } = listen('nuages:db:query');
      stop();
      assert.equal(instrumentation.dbQuery.hasSubscribers, false);
      await db.executeScript('CREATE TABLE t (a INTEGER)');
      await db.fetchAll(q('SELECT a FROM t'));
      assert.deepEqual(seen, []);
    });
  });

  describe('nuages:cache:call', () => {
    const cache = createCache('fast', { BACKEND: 'locmem' });
    afterEach(() => cache.clear());

    test('publishes hits, misses, sets and deletes with the alias', async () => {
      const { seen, stop } = listen('nuages:cache:call');
      try {
        assert.equal(await cache.get('k'), undefined);
        await cache.set('k', 1);
        assert.equal(await cache.get('k'), 1);
        assert.equal(await cache.getOrSet('k', () => 2), 1);
        await cache.delete('k');
      } finally {
        stop();
      }
      assert.deepEqual(seen.map((m) => [m['alias'], m['op'], m['hit']]), [
        ['fast', 'get', false],
        ['fast', 'set', undefined],
        ['fast', 'get', true],
        ['fast', 'get', true],
        ['fast', 'delete', undefined],
      ]);
      for (const m of seen) assert.equal(typeof m['durationMs'], 'number');
    });

    test('publishes nothing without a subscriber', async () => {
      const { seen, stop } = listen('nuages:cache:call');
      stop();
      await cache.set('k', 1);
      assert.equal(await cache.get('k'), 1);
      assert.deepEqual(seen, []);
    });
  });

  describe('nuages:template:render', () => {
    const engine = new Engine({ loaders: [new LocmemLoader({ 'page.html': 'Hello {% include "inc.html" %}', 'inc.html': '{{ name }}' })] });

    test('publishes each top-level render once, with the template name', async () => {
      const { seen, stop } = listen('nuages:template:render');
      try {
        assert.equal(await engine.renderToString('page.html', { name: 'Ada' }), 'Hello Ada');
      } finally {
        stop();
      }
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!['name'], 'page.html');
      assert.equal(typeof seen[0]!['durationMs'], 'number');
      assert.equal(seen[0]!['error'], undefined);
    });

    test('publishes nothing without a subscriber', async () => {
      const { seen, stop } = listen('nuages:template:render');
      stop();
      assert.equal(await engine.renderToString('page.html', { name: 'Bo' }), 'Hello Bo');
      assert.deepEqual(seen, []);
    });
  });
});
