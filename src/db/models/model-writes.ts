/**
 * Model writes: the one notification the ORM sends after every statement that
 * changes a model's rows, whatever path issued it.
 *
 *   save() (INSERT or UPDATE), bulkCreate(), bulkUpdate(), QuerySet.update(),
 *   delete() (collector and fast path), m2m add/remove/clear/set
 *     → noteModelWrite(model, using, kind) → every listener, synchronously,
 *       in the async context of the write (so `onCommit(…, { using })` in a
 *       listener waits for the writer's transaction)
 *
 * Unlike preSave/postDelete this covers the bulk paths Django sends no signals for,
 * and it carries no instances, so a listener cannot slow a write down by much.
 * The cache's model-aware invalidation (nuages/cache, invalidation.ts) is one
 * listener; the db layer never imports it.
 */
import { getLogger } from '../../utils/log.ts';
import type { ModelBase } from './base.ts';
import { ForeignKey } from './fields/related.ts';

type ModelCtor = typeof ModelBase;

/**
 * What happened to the model's rows: `'m2m'` is sent for both models a
 * many-to-many join table links when rows of that join table change.
 */
export type ModelWriteKind = 'insert' | 'update' | 'delete' | 'm2m';

/**
 * Told about one write statement. Runs synchronously inside the write, in its async
 * context; a returned promise is awaited before the write call (save(), update() …)
 * resolves. Errors are logged, never thrown into the write: the row is already written.
 */
export type ModelWriteListener = (model: ModelCtor, using: string, kind: ModelWriteKind) => void | Promise<void>;

const log = getLogger('nuages.db.models');
const listeners: ModelWriteListener[] = [];
// Join models → the two models they link ([] for other models), found once per model.
const linkedByThrough = new WeakMap<ModelCtor, readonly ModelCtor[]>();

/**
 * Calls `listener` after every ORM write to any model's table; returns a function that
 * disconnects it. Connecting the same function twice connects it once.
 *
 * Raw SQL is not seen: call {@link noteModelWrite} after writing with it.
 *
 * @example
 * const stop = onModelWrite((model, using, kind) => {
 *   if (model === Book) onCommit(() => searchIndex.refresh('books'), { using, key: 'reindex-books' });
 * });
 */
export function onModelWrite(listener: ModelWriteListener): () => void {
  if (!listeners.includes(listener)) listeners.push(listener);
  return () => {
    const index = listeners.indexOf(listener);
    if (index !== -1) listeners.splice(index, 1);
  };
}

/** Whether any listener is connected; the ORM's write paths check it before notifying, so writes cost nothing without one. */
export function hasModelWriteListeners(): boolean {
  return listeners.length > 0;
}

/**
 * Tells every listener that rows of `model` changed on database `using`. The ORM calls
 * it after each write statement; call it yourself after changing a model's table with
 * raw SQL, so caches that depend on the model are invalidated too. When `model` is a
 * many-to-many join model, the two models it links are notified as well (kind `'m2m'`).
 * Resolves once the listeners' promises settle; never rejects.
 *
 * @example
 * await connection.execute({ sql: 'UPDATE catalog_book SET price = price * 1.1', params: [] });
 * await noteModelWrite(Book, 'default', 'update');
 */
export async function noteModelWrite(model: ModelCtor, using: string, kind: ModelWriteKind): Promise<void> {
  if (listeners.length === 0) return;
  let pending: Promise<unknown>[] | undefined;
  const tell = (target: ModelCtor, what: ModelWriteKind) => {
    // A copy: a listener may disconnect itself while being called.
    for (const listener of [...listeners]) {
      let outcome: unknown;
      try {
        outcome = listener(target, using, what);
      } catch (error) {
        reportFailure(listener, target, using, error);
        continue;
      }
      if (outcome instanceof Promise) {
        (pending ??= []).push(outcome.catch((error: unknown) => reportFailure(listener, target, using, error)));
      }
    }
  };
  tell(model, kind);
  for (const linked of linkedModels(model)) tell(linked, 'm2m');
  if (pending !== undefined) await Promise.all(pending);
}

function reportFailure(listener: ModelWriteListener, model: ModelCtor, using: string, error: unknown): void {
  const name = listener.name === '' ? 'an anonymous listener' : listener.name;
  log.error(`A model-write listener (${name}) failed after a write to ${model._meta.label} on database '${using}'; the write itself succeeded.`, {
    model: model._meta.label,
    using,
    error,
  });
}

/** The models a join model links (its two ForeignKeys' targets), or [] when no ManyToManyField goes through it. */
function linkedModels(model: ModelCtor): readonly ModelCtor[] {
  let linked = linkedByThrough.get(model);
  if (linked === undefined) {
    try {
      linked = findLinkedModels(model);
    } catch (error) {
      // A relation that does not resolve yet: tell the model itself, and look again next time.
      log.debug(`Could not resolve the relations of ${model._meta.label} to find the models it links.`, { error });
      return [];
    }
    linkedByThrough.set(model, linked);
  }
  return linked;
}

function findLinkedModels(through: ModelCtor): readonly ModelCtor[] {
  const found = new Set<ModelCtor>();
  for (const field of through._meta.fields) {
    if (!(field instanceof ForeignKey)) continue;
    // The model declaring the ManyToManyField is always one of the join model's targets.
    const owner = field.remoteModel as unknown as ModelCtor;
    for (const m2m of owner._meta.manyToMany) {
      if ((m2m.throughModel as unknown) !== through) continue;
      found.add(m2m.model as unknown as ModelCtor);
      found.add(m2m.remoteModel as unknown as ModelCtor);
    }
  }
  return [...found];
}
