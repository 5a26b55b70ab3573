/**
 * Model-aware invalidation: a committed write to a model outdates every cached value
 * stored with `dependsOn: [thatModel]`.
 *
 *   ORM write (save, delete, bulk paths, QuerySet.update/delete, m2m changes)
 *     → noteModelWrite (db/models/model-writes.ts) → invalidateAfterCommit
 *     → onCommit keyed by model: after the outermost transaction of that database
 *       commits (at once in autocommit), never after a rollback
 *     → invalidateTags('model:<app_label>.<model>') on every cache that may hold it
 *
 * Registered when this module loads: `setup()` imports it for every process it starts
 * (servers, management commands, scripts), and importing `nuages/cache` does too, for
 * code that only calls `configure()`. A failed invalidation is logged, never thrown
 * into the write: the row is committed and the page must still be served.
 */
import { settings } from '../conf/lazy-settings.ts';
import type { CacheSettings } from '../conf/settings.ts';
import type { ModelBase } from '../db/models/base.ts';
import { onModelWrite } from '../db/models/model-writes.ts';
import { onCommit } from '../db/transaction.ts';
import { getLogger } from '../utils/log.ts';
import type { Cache } from './cache.ts';
import { caches, createCache } from './caches.ts';
import { modelTag } from './model-tags.ts';

const log = getLogger('nuages.cache');
// Aliases whose CACHES entry could not be built: reported once, not on every write.
const reportedAliases = new Set<string>();
const sharedByEntry = new WeakMap<CacheSettings, boolean>();

let disconnect: (() => void) | undefined;

function invalidateAfterCommit(model: typeof ModelBase, using: string): void | Promise<void> {
  const tag = modelTag(model);
  // One invalidation per model and transaction, however many rows or statements wrote it.
  return onCommit(() => invalidateEverywhere(tag, using), { using, robust: true, key: `nuages.cache.invalidate:${tag}` });
}

/**
 * Outdates `tag` on every cache that may hold a value depending on it: the caches of the
 * current CACHES this process built (in-process stores included) and every CACHES alias whose store other
 * processes share, built now if this process never used it (a management command's write
 * must reach the pages a server cached). Resolves when all have answered; never rejects.
 */
async function invalidateEverywhere(tag: string, using: string): Promise<void> {
  const targets = cachesToInvalidate();
  const results = await Promise.allSettled(targets.map((cache) => cache.invalidateTags(tag)));
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') return;
    const alias = targets[i]!.alias;
    log.error(
      `Could not invalidate the cache tag '${tag}' on cache '${alias}' after a write on database '${using}'; ` +
        'values that depend on the model may be served stale until they expire.',
      { alias, tag, using, error: result.reason },
    );
  });
}

function cachesToInvalidate(): Cache[] {
  if (!settings.configured) return [];
  // Only the current settings' caches: one built under an earlier overrideSettings() is not
  // where anything reads now (and may have been closed).
  const targets = new Set<Cache>(caches.current());
  const entries = settings.CACHES;
  for (const [alias, entry] of Object.entries(entries)) {
    try {
      if (isShared(alias, entry)) targets.add(caches.get(alias));
    } catch (error) {
      if (!reportedAliases.has(alias)) {
        reportedAliases.add(alias);
        log.error(`Cache '${alias}' could not be built, so model writes do not invalidate it: ${(error as Error).message}`, { alias, error });
      }
    }
  }
  return [...targets];
}

/**
 * Whether the alias's store is shared with other processes. Asked of a throwaway
 * instance (backends connect on first use, so building one costs no I/O): building the
 * alias itself would make an in-process store nobody uses look like one in use.
 */
function isShared(alias: string, entry: CacheSettings): boolean {
  let shared = sharedByEntry.get(entry);
  if (shared === undefined) {
    shared = createCache(alias, entry).backend.shared;
    sharedByEntry.set(entry, shared);
  }
  return shared;
}

/**
 * Turns model-aware invalidation on in this process (it is on once `nuages/cache` or
 * `setup()` has loaded; calling it again does nothing). Every committed ORM write to a
 * model then outdates the values cached with `dependsOn` on it.
 *
 * @example
 * connectModelInvalidation();
 */
export function connectModelInvalidation(): void {
  disconnect ??= onModelWrite(invalidateAfterCommit);
}

/**
 * Turns model-aware invalidation off in this process, e.g. in an import script that
 * writes millions of rows and clears the caches once at the end. Writes made while it is
 * off never invalidate anything, even after it is turned back on.
 *
 * @example
 * disconnectModelInvalidation();
 * try { await importCatalogue(); } finally { connectModelInvalidation(); await cache.clear(); }
 */
export function disconnectModelInvalidation(): void {
  disconnect?.();
  disconnect = undefined;
}

connectModelInvalidation();
