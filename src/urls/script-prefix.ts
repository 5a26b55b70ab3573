/**
 * The script prefix: the path a site is mounted under (SCRIPT_NAME), '/' by default.
 * `reverse()` puts it before every URL, and settings put it before a relative
 * STATIC_URL or MEDIA_URL. A leaf module, so that settings can read it without
 * loading the URL resolver.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

let defaultPrefix = '/';
const scopedPrefix = new AsyncLocalStorage<string>();

/** The prefix `reverse()` puts before every URL: '/' unless the site is mounted below a path (SCRIPT_NAME). */
export function getScriptPrefix(): string {
  return scopedPrefix.getStore() ?? defaultPrefix;
}

/** Sets the process-wide script prefix (a trailing slash is added when missing). */
export function setScriptPrefix(prefix: string): void {
  defaultPrefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** Runs `fn` with `prefix` as the script prefix of its async context (one request mounted below a path). */
export function runWithScriptPrefix<R>(prefix: string, fn: () => R): R {
  return scopedPrefix.run(prefix.endsWith('/') ? prefix : `${prefix}/`, fn);
}
