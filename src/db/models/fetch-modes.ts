/**
 * Fetch modes: what happens when code asks for data a query did not load
 * (a relation via `fetchRelated()` or a related manager, a deferred field),
 * as Django 6.1 defines them.
 *
 * - `FETCH_ONE`: load it for this object (one query per object: the N+1 shape).
 * - `FETCH_PEERS` (Nuages's default): load it for every object that came from
 *   the same query, in one query, so a naive loop costs 1 + 1 queries.
 * - `RAISE`: refuse, naming the selectRelated/prefetchRelated to add.
 *
 * Set it per QuerySet (`qs.fetchMode(FETCH_ONE)`) or for the project with the
 * `FETCH_MODE` setting.
 */
import { settings } from '../../conf/index.ts';
import { NuagesError } from '../../core/errors.ts';
import { FieldError } from '../../core/exceptions.ts';
import type { ModelBase } from './base.ts';
import { ManyToManyField } from './fields/many-to-many.ts';
import { ForeignKey, OneToOneField } from './fields/related.ts';
import { recordLazyLoad } from './n-plus-one.ts';
import { prefetchRelatedObjects } from './prefetch.ts';

export const FETCH_ONE = 'FETCH_ONE';
export const FETCH_PEERS = 'FETCH_PEERS';
export const RAISE = 'RAISE';
export type FetchMode = typeof FETCH_ONE | typeof FETCH_PEERS | typeof RAISE;

const MODES: readonly string[] = [FETCH_ONE, FETCH_PEERS, RAISE];

export function checkFetchMode(mode: unknown): FetchMode {
  if (typeof mode !== 'string' || !MODES.includes(mode)) {
    throw new FieldError(`Unknown fetch mode ${JSON.stringify(mode)}; use FETCH_ONE, FETCH_PEERS or RAISE from nuages/db.`);
  }
  return mode as FetchMode;
}

/** The project's default: settings.FETCH_MODE, else FETCH_PEERS. */
export function defaultFetchMode(): FetchMode {
  if (!settings.configured) return FETCH_PEERS;
  const configured = (settings as unknown as Record<string, unknown>)['FETCH_MODE'];
  return configured === undefined ? FETCH_PEERS : checkFetchMode(configured);
}

/** A lazy load refused by the RAISE fetch mode. */
export class LazyLoadRefusedError extends NuagesError {
  readonly code = 'NUAGES_DB_LAZY_LOAD_REFUSED';
  constructor(model: string, name: string, fix: string) {
    super(`${model}.${name} was not loaded and the fetch mode is RAISE. Add ${fix} to the query that loaded the ${model} objects.`);
  }
}

type Instance = ModelBase & Record<string, unknown>;
type ModelCtor = typeof ModelBase;

type Kind = 'toOne' | 'toMany' | 'field';

function modelOf(obj: ModelBase): ModelCtor {
  return obj.constructor as ModelCtor;
}

/** What `name` is on the object's model, or a clear error listing what can be fetched. */
function kindOf(obj: Instance, name: string): Kind {
  const meta = modelOf(obj)._meta;
  const field = meta.findField(name);
  if (field instanceof ManyToManyField) return 'toMany';
  if (field instanceof ForeignKey && field.name === name) return 'toOne';
  if (field && field.concrete) return 'field';
  for (const related of meta.relatedObjects) {
    if (related.field.relatedAccessorName !== name) continue;
    return related.field instanceof OneToOneField ? 'toOne' : 'toMany';
  }
  throw new FieldError(
    `${meta.objectName} has no relation or field named '${name}' to fetch. Relations: ` +
      `${[...meta.fields.filter((f) => f instanceof ForeignKey).map((f) => f.name), ...meta.manyToMany.map((f) => f.name), ...meta.relatedObjects.map((r) => r.field.relatedAccessorName)].join(', ') || '(none)'}.`,
  );
}

function isLoaded(obj: Instance, name: string, kind: Kind): boolean {
  if (kind === 'field') {
    const field = modelOf(obj)._meta.getField(name);
    return Object.hasOwn(obj, field.attname);
  }
  if (kind === 'toMany') return obj._state.prefetched?.has(name) ?? false;
  const cache = obj._state.fieldsCache;
  if (cache && name in cache) return true;
  const field = modelOf(obj)._meta.findField(name);
  // A forward key that is NULL needs no query: the relation is null.
  return field instanceof ForeignKey && (obj[field.attname] === null || obj[field.attname] === undefined);
}

function readLoaded(obj: Instance, name: string, kind: Kind): unknown {
  if (kind === 'field') return obj[modelOf(obj)._meta.getField(name).attname];
  if (kind === 'toMany') return obj._state.prefetched!.get(name);
  return obj[name];
}

function fixFor(name: string, kind: Kind): string {
  if (kind === 'field') return `only('${name}', …) or removing '${name}' from defer()`;
  return kind === 'toOne' ? `.selectRelated('${name}')` : `.prefetchRelated('${name}')`;
}

/** Loads one field of deferred objects with a single query by primary key. */
async function loadField(objs: readonly Instance[], name: string): Promise<void> {
  const model = modelOf(objs[0]!);
  const field = model._meta.getField(name);
  // Read where the routers say, told about the instance (its own database without a router).
  const rows = (await model.objects
    .all()
    ._addHints({ instance: objs[0]! })
    .filter({ pk__in: objs.map((o) => o.pk) })
    .values('pk', field.attname)) as Record<string, unknown>[];
  const byPk = new Map(rows.map((r) => [r['pk'], r[field.attname]]));
  for (const obj of objs) {
    Object.defineProperty(obj, field.attname, { value: byPk.get(obj.pk) ?? null, writable: true, enumerable: true, configurable: true });
  }
}

/**
 * Loads `name` (a relation or a deferred field) for `obj` according to the fetch
 * mode, and returns it: the related object (or null), the related rows, or the
 * field value.
 */
export async function fetchRelated(instance: ModelBase, name: string, origin?: Error): Promise<unknown> {
  const obj = instance as Instance;
  const kind = kindOf(obj, name);
  if (isLoaded(obj, name, kind)) return readLoaded(obj, name, kind);
  const mode = obj._state.fetchMode ?? defaultFetchMode();
  const model = modelOf(obj)._meta.objectName;
  if (mode === RAISE) throw new LazyLoadRefusedError(model, name, fixFor(name, kind));
  const peers = obj._state.peers as Instance[] | null;
  let targets: Instance[] = [obj];
  if (mode === FETCH_PEERS && peers && peers.length > 1) {
    targets = peers.filter((p) => p === obj || !isLoaded(p, name, kind));
  } else if (peers && peers.length > 1) {
    recordLazyLoad(peers, model, name, fixFor(name, kind), origin ?? new Error());
  }
  if (targets.length > 1) await loadOnce(peers!, name, () => (kind === 'field' ? loadField(targets, name) : prefetchRelatedObjects(targets, name)));
  else if (kind === 'field') await loadField(targets, name);
  else await prefetchRelatedObjects(targets, name);
  return readLoaded(obj, name, kind);
}

const inFlight = new WeakMap<object, Map<string, Promise<void>>>();

/**
 * One load per query and name at a time: `Promise.all(posts.map((p) => p.fetchRelated('author')))`
 * starts the peers' load once and every call waits for it.
 */
function loadOnce(peers: readonly object[], name: string, load: () => Promise<void>): Promise<void> {
  let byName = inFlight.get(peers);
  if (!byName) inFlight.set(peers, (byName = new Map()));
  let pending = byName.get(name);
  if (!pending) {
    pending = load().finally(() => byName!.delete(name));
    byName.set(name, pending);
  }
  return pending;
}
