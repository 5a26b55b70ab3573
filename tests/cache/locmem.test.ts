import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createCache } from '../../src/cache/index.ts';
import { runBackendSuite, uniquePrefix } from './backend-suite.ts';

runBackendSuite('locmem', (keyPrefix) => ({ BACKEND: 'locmem', LOCATION: 'suite', KEY_PREFIX: keyPrefix }), { expiry: 'fake' });

describe('locmem', () => {
  test('a full store culls the least recently used third, as Django does', async () => {
    const cache = createCache('cull', { BACKEND: 'locmem', LOCATION: uniquePrefix('cull'), OPTIONS: { MAX_ENTRIES: 30 } });
    for (let i = 0; i < 50; i++) await cache.set(`k${i}`, i);
    const kept: number[] = [];
    for (let i = 0; i < 50; i++) if (await cache.has(`k${i}`)) kept.push(i);
    // Django 5.2 keeps k20…k49 after the same 50 sets.
    assert.deepEqual(kept, Array.from({ length: 30 }, (_, i) => i + 20));
    await cache.set('one-more', 1);
    assert.equal(await cache.has('k20'), false, 'the next new key culls the oldest 10');
    assert.equal(await cache.has('k30'), true);
  });

  test('a key read recently survives the cull', async () => {
    const cache = createCache('lru', { BACKEND: 'locmem', LOCATION: uniquePrefix('lru'), OPTIONS: { MAX_ENTRIES: 3 } });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3);
    await cache.get('a');
    await cache.set('d', 4);
    assert.equal(await cache.get('a'), 1);
    assert.equal(await cache.get('b'), undefined);
  });

  test('CULL_FREQUENCY 0 empties a full store', async () => {
    const cache = createCache('cull0', { BACKEND: 'locmem', LOCATION: uniquePrefix('cull0'), OPTIONS: { MAX_ENTRIES: 5, CULL_FREQUENCY: 0 } });
    for (let i = 0; i < 6; i++) await cache.set(`k${i}`, i);
    assert.deepEqual(await cache.getMany(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']), { k5: 5 });
  });

  test('aliases with the same LOCATION share one store, others do not', async () => {
    const location = uniquePrefix('shared');
    const a = createCache('a', { BACKEND: 'locmem', LOCATION: location });
    const b = createCache('b', { BACKEND: 'locmem', LOCATION: location });
    const c = createCache('c', { BACKEND: 'locmem', LOCATION: `${location}-other` });
    await a.set('k', 'v');
    assert.equal(await b.get('k'), 'v');
    assert.equal(await c.get('k'), undefined);
  });
});
