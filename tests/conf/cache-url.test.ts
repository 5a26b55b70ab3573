import { test } from 'node:test';
import assert from 'node:assert/strict';
import { env, InvalidCacheUrlError, parseCacheUrl } from '../../src/conf/index.ts';

test('each scheme becomes the matching CACHES entry', () => {
  assert.deepEqual(parseCacheUrl('locmem://'), { BACKEND: 'locmem', LOCATION: '' });
  assert.deepEqual(parseCacheUrl('locmem://pages'), { BACKEND: 'locmem', LOCATION: 'pages' });
  assert.deepEqual(parseCacheUrl('dummy://'), { BACKEND: 'dummy' });
  assert.deepEqual(parseCacheUrl('redis://:secret@cache:6379/1'), { BACKEND: 'redis', LOCATION: 'redis://:secret@cache:6379/1' });
  assert.deepEqual(parseCacheUrl('tiered+redis://cache:6379/2'), { BACKEND: 'tiered', LOCATION: 'redis://cache:6379/2' });
  assert.deepEqual(parseCacheUrl('memcached://mc1:11211'), { BACKEND: 'memcached', LOCATION: 'mc1:11211' });
  assert.deepEqual(parseCacheUrl('memcached://mc1:11211,mc2:11211'), { BACKEND: 'memcached', LOCATION: ['mc1:11211', 'mc2:11211'] });
  assert.deepEqual(parseCacheUrl('filecache:///var/tmp/shop%20cache'), { BACKEND: 'filebased', LOCATION: '/var/tmp/shop cache' });
  assert.deepEqual(parseCacheUrl('dbcache://cache_table'), { BACKEND: 'db', LOCATION: 'cache_table' });
});

test('timeout, key_prefix and version set the entry; other parameters go to OPTIONS', () => {
  assert.deepEqual(parseCacheUrl('locmem://x?timeout=60&key_prefix=shop&version=2&max_entries=1000&cull_frequency=4'), {
    BACKEND: 'locmem', LOCATION: 'x', TIMEOUT: 60, KEY_PREFIX: 'shop', VERSION: 2, OPTIONS: { MAX_ENTRIES: 1000, CULL_FREQUENCY: 4 },
  });
  assert.equal(parseCacheUrl('locmem://?timeout=none').TIMEOUT, null);
  const redis = parseCacheUrl('redis://cache:6379/0?timeout=30&family=6&socket_timeout=0.5');
  assert.equal(redis.TIMEOUT, 30);
  assert.equal(redis.LOCATION, 'redis://cache:6379/0?family=6', "ioredis's own options stay in the URL");
  assert.deepEqual(redis.OPTIONS, { SOCKET_TIMEOUT: 0.5 });
  assert.deepEqual(parseCacheUrl('tiered+redis://cache:6379/0?near_timeout=2&ignore_exceptions=false'), {
    BACKEND: 'tiered', LOCATION: 'redis://cache:6379/0', OPTIONS: { NEAR_TIMEOUT: 2, IGNORE_EXCEPTIONS: false },
  });
});

test('a malformed or unknown URL is an error naming the variable, with the password masked', () => {
  assert.throws(() => parseCacheUrl('rabbit://guest:pw@host', 'CACHE_URL'), (error: Error) =>
    error instanceof InvalidCacheUrlError && /CACHE_URL \(rabbit:\/\/guest:\*\*\*@host\)/.test(error.message) && /redis:\/\//.test(error.message));
  assert.throws(() => parseCacheUrl('localhost:6379'), /is not a URL/);
  assert.throws(() => parseCacheUrl('filecache://relative'), /absolute folder/);
  assert.throws(() => parseCacheUrl('locmem://?timeout=soon'), /timeout=soon/);
});

test('env.cache reads CACHE_URL, with a default', () => {
  delete process.env['CACHE_URL'];
  assert.deepEqual(env.cache('CACHE_URL', 'dummy://'), { BACKEND: 'dummy' });
  process.env['CACHE_URL'] = 'memcached://127.0.0.1:11211';
  try {
    assert.deepEqual(env.cache(), { BACKEND: 'memcached', LOCATION: '127.0.0.1:11211' });
  } finally {
    delete process.env['CACHE_URL'];
  }
});
