/**
 * Cache URLs (`CACHE_URL=redis://cache:6379/1`) turned into a `CACHES` entry, the
 * way DATABASE_URL is turned into a DATABASES entry, so a deployment picks its cache
 * with one environment variable:
 *
 * | URL | entry |
 * | --- | --- |
 * | `locmem://` or `locmem://name` | local memory (LOCATION `name`) |
 * | `dummy://` | the dummy cache |
 * | `redis://host:6379/1`, `rediss://…` | Redis, LOCATION the URL itself |
 * | `tiered+redis://host:6379/1` | local memory in front of Redis |
 * | `memcached://host:11211` (`,host2:11211`…) | Memcached, LOCATION `host:11211` or a list |
 * | `filecache:///var/tmp/cache` | files in that folder |
 * | `dbcache://cache_table` | the database table `cache_table` |
 *
 * Query parameters: `timeout` (seconds, or `none`), `key_prefix` and `version` set
 * the entry's TIMEOUT, KEY_PREFIX and VERSION; any other goes to OPTIONS in upper
 * case (`?max_entries=1000` → OPTIONS.MAX_ENTRIES 1000, `true`/`false` as booleans).
 * On redis URLs only Nuages's own options move to OPTIONS (`socket_timeout`,
 * `near_timeout`, …); the others stay in the URL, where ioredis reads them.
 */
import { InvalidCacheUrlError } from './errors.ts';
import { maskPassword } from './env.ts';
import type { CacheSettings } from './settings.ts';

const SCHEMES = 'locmem://, dummy://, redis://, rediss://, tiered+redis://, memcached://, filecache:// or dbcache://';

/**
 * Turn a cache URL into a CACHES entry (see the table above).
 *
 * @throws InvalidCacheUrlError naming the URL (password masked) and the fix.
 */
export function parseCacheUrl(url: string, variable = 'The cache URL'): CacheSettings {
  const fail = (why: string): never => {
    throw new InvalidCacheUrlError(`${variable} (${maskPassword(url)}) ${why}`);
  };
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^?]*)(?:\?(.*))?$/i.exec(url);
  if (match === null) return fail(`is not a URL. Write it as one of ${SCHEMES}, e.g. 'redis://127.0.0.1:6379/1'.`);
  const scheme = match[1]!.toLowerCase();
  const rest = match[2]!;
  const query = new URLSearchParams(match[3] ?? '');
  let entry: CacheSettings;
  switch (scheme) {
    case 'locmem':
      entry = { BACKEND: 'locmem', LOCATION: decodeURIComponent(rest) };
      break;
    case 'dummy':
      entry = { BACKEND: 'dummy' };
      break;
    case 'redis':
    case 'rediss':
      entry = { BACKEND: 'redis', LOCATION: url };
      break;
    case 'tiered+redis':
    case 'tiered+rediss':
      entry = { BACKEND: 'tiered', LOCATION: url.slice('tiered+'.length) };
      break;
    case 'memcached': {
      const servers = rest.replace(/\/$/, '').split(',').filter((server) => server !== '');
      if (servers.length === 0) fail("names no server. Write 'memcached://127.0.0.1:11211'.");
      entry = { BACKEND: 'memcached', LOCATION: servers.length === 1 ? servers[0]! : servers };
      break;
    }
    case 'filecache':
      if (!rest.startsWith('/')) fail("needs an absolute folder: 'filecache:///var/tmp/nuages-cache' (three slashes).");
      entry = { BACKEND: 'filebased', LOCATION: decodeURIComponent(rest) };
      break;
    case 'dbcache':
      if (rest === '') fail("names no table. Write 'dbcache://cache_table'.");
      entry = { BACKEND: 'db', LOCATION: decodeURIComponent(rest) };
      break;
    default:
      return fail(`has the scheme '${scheme}://', which is not a cache. Use ${SCHEMES}.`);
  }
  const redis = scheme.includes('redis');
  applyQuery(entry, query, redis, fail);
  if (redis) entry.LOCATION = withoutNuagesParameters(entry.LOCATION as string);
  return entry;
}

// Query parameters of a redis URL that are Nuages's (entry keys and upper-case OPTIONS);
// every other one stays in the URL, where ioredis reads its own.
const NUAGES_REDIS_PARAMETERS = new Set([
  'timeout', 'key_prefix', 'version', 'ignore_exceptions', 'socket_timeout', 'socket_connect_timeout',
  'near_timeout', 'near_max_entries', 'near_location', 'channel', 'cluster',
]);

function withoutNuagesParameters(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const kept = new URLSearchParams([...new URLSearchParams(url.slice(q + 1))].filter(([key]) => !NUAGES_REDIS_PARAMETERS.has(key)));
  const rest = kept.toString();
  return rest === '' ? url.slice(0, q) : `${url.slice(0, q)}?${rest}`;
}

function optionValue(value: string): unknown {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

function applyQuery(entry: CacheSettings, query: URLSearchParams, redis: boolean, fail: (why: string) => never): void {
  const options: Record<string, unknown> = {};
  for (const [key, value] of query) {
    if (key === 'timeout') {
      if (value.toLowerCase() === 'none') entry.TIMEOUT = null;
      else if (/^\d+(\.\d+)?$/.test(value)) entry.TIMEOUT = Number(value);
      else fail(`sets timeout=${value}; use a number of seconds, or none to keep values until evicted.`);
    } else if (key === 'key_prefix') {
      entry.KEY_PREFIX = value;
    } else if (key === 'version') {
      if (!/^\d+$/.test(value)) fail(`sets version=${value}; it must be a whole number.`);
      entry.VERSION = Number(value);
    } else if (!redis || NUAGES_REDIS_PARAMETERS.has(key)) {
      options[key.toUpperCase()] = optionValue(value);
    }
  }
  if (Object.keys(options).length > 0) entry.OPTIONS = options;
}
