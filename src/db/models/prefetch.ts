/**
 * prefetchRelated: loading relations for many objects in one query per level.
 *
 * For each `__` level of a lookup, the keys of every object at that level are
 * collected and the related rows are fetched with one `IN` query (chunked below
 * the database's parameter limit), then handed out to their owners: to-one
 * relations into the relation cache (as selectRelated does), to-many relations
 * into the prefetch cache that related managers read, or onto `toAttr`.
 *
 * ```ts
 * await Publisher.objects.prefetchRelated('books__authors');   // 3 queries, whatever the count
 * ```
 */
import { FieldError } from '../../core/exceptions.ts';
import type { ModelBase } from './base.ts';
import type { Field } from './fields/field.ts';
import { ManyToManyField } from './fields/many-to-many.ts';
import { ForeignKey, OneToOneField } from './fields/related.ts';
import type { Options } from './options.ts';
import { setPrefetched } from './prefetch-cache.ts';
import { MissingRelated } from './state.ts';
import type { QuerySet } from './query-set.ts';

type ModelCtor = typeof ModelBase;
type Instance = ModelBase & Record<string, unknown>;

// The join table's key is selected under this name; like Django's _prefetch_related_val_*, it stays on the object
// (deleting a property from thousands of objects would slow every later read of them).
const KEY = '_prefetchRelatedVal';

/**
 * A prefetch with options: a custom QuerySet for the last level (filtered,
 * ordered, with its own selectRelated) and `toAttr` to store the rows as a
 * plain array attribute instead of the related manager's cache.
 * ```ts
 * new Prefetch('authors', { queryset: Author.objects.orderBy('name'), toAttr: 'sortedAuthors' })
 * ```
 */
export class Prefetch {
  readonly lookup: string;
  readonly queryset: QuerySet<any, any> | undefined;
  readonly toAttr: string | undefined;

  constructor(lookup: string, options: { queryset?: QuerySet<any, any>; toAttr?: string } = {}) {
    if (!lookup) throw new FieldError('Prefetch needs a lookup, e.g. new Prefetch(\'authors\').');
    this.lookup = lookup;
    this.queryset = options.queryset;
    this.toAttr = options.toAttr;
    if (this.queryset && this.queryset.query.valuesSelect) {
      throw new FieldError(`Prefetch('${lookup}') querysets cannot use values() or valuesList().`);
    }
  }

  /** Where the result lands: the lookup with its last part replaced by toAttr. */
  get prefetchTo(): string {
    if (!this.toAttr) return this.lookup;
    return [...this.lookup.split('__').slice(0, -1), this.toAttr].join('__');
  }
}

export type PrefetchLookup = string | Prefetch;

/** A relation as prefetchRelated handles it. */
type Relation =
  | { kind: 'forward'; field: ForeignKey; accessor: string }
  | { kind: 'reverse'; field: ForeignKey; accessor: string; single: boolean }
  | { kind: 'many'; field: ManyToManyField; accessor: string; reverse: boolean };

function findRelation(meta: Options, name: string): Relation | undefined {
  const field = meta.findField(name);
  if (field instanceof ForeignKey && field.name === name) return { kind: 'forward', field, accessor: name };
  if (field instanceof ManyToManyField) return { kind: 'many', field, accessor: name, reverse: false };
  for (const related of meta.relatedObjects) {
    if (related.field.relatedAccessorName !== name) continue;
    if (related.field instanceof ManyToManyField) return { kind: 'many', field: related.field, accessor: name, reverse: true };
    return { kind: 'reverse', field: related.field, accessor: name, single: related.field instanceof OneToOneField };
  }
  return undefined;
}

function relationNames(meta: Options): string[] {
  return [
    ...meta.fields.filter((f) => f instanceof ForeignKey).map((f) => f.name),
    ...meta.manyToMany.map((f) => f.name),
    ...meta.relatedObjects.filter((r) => !r.field.relatedName?.endsWith('+')).map((r) => r.field.relatedAccessorName),
  ];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `qs` filtered by `path__in` over `keys`, in chunks below the parameter limit. */
async function fetchIn(qs: QuerySet<any, any>, path: string, keys: readonly unknown[], keyPath?: string): Promise<Instance[]> {
  const limit = Math.max(100, (qs.query.features.maxQueryParams || 999) - 100);
  const rows: Instance[] = [];
  for (const chunk of chunks(keys, limit)) {
    const filtered = qs.filter({ [`${path}__in`]: chunk });
    if (keyPath) filtered.query.addRelationKey(KEY, keyPath);
    rows.push(...((await filtered) as Instance[]));
  }
  return rows;
}

function unique(values: Iterable<unknown>): unknown[] {
  return [...new Set([...values].filter((v) => v !== null && v !== undefined))];
}

/**
 * Loads `relation` for every object of `objs`; returns the related objects,
 * which the next level of the lookup starts from.
 */
async function prefetchLevel(objs: Instance[], relation: Relation, queryset: QuerySet<any, any> | undefined, toAttr: string | undefined): Promise<Instance[]> {
  // As Django: the level is read where the routers say, told about the first owner; without
  // a router that is the owners' database. A Prefetch queryset with using() keeps its own.
  const hinted = (qs: QuerySet<any, any>): QuerySet<any, any> => qs.all()._addHints({ instance: objs[0]! });
  if (relation.kind === 'forward') {
    const { field } = relation;
    const remote = field.remoteModel as unknown as ModelCtor;
    const target = field.targetField;
    const keys = unique(objs.map((o) => o[field.attname]));
    const base = hinted(queryset ?? remote.objects);
    const rows = keys.length ? await fetchIn(base, target.name, keys) : [];
    const byKey = new Map(rows.map((r) => [r[target.attname], r]));
    for (const obj of objs) {
      const key = obj[field.attname];
      const related = byKey.get(key) ?? null;
      if (toAttr) obj[toAttr] = related;
      // A key that matches no row (no FK constraint) reads as null, as Django's prefetch gives None.
      else (obj._state.fieldsCache ??= {})[field.name] = related ?? (key === null || key === undefined ? null : new MissingRelated(key));
    }
    return rows;
  }
  if (relation.kind === 'reverse') {
    const { field, accessor } = relation;
    const child = field.model as unknown as ModelCtor;
    const keyField: Field = field.targetField;
    const keys = unique(objs.map((o) => o[keyField.attname]));
    const base = hinted(queryset ?? child.objects);
    const rows = keys.length ? await fetchIn(base, field.name, keys) : [];
    const groups = new Map<unknown, Instance[]>();
    for (const row of rows) {
      const key = row[field.attname];
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(row);
    }
    for (const obj of objs) {
      const group = groups.get(obj[keyField.attname]) ?? [];
      // Each child already knows its parent: no query when it reads it back.
      for (const row of group) (row._state.fieldsCache ??= {})[field.name] = obj;
      if (relation.single) {
        const one = group[0] ?? null;
        if (toAttr) obj[toAttr] = one;
        else (obj._state.fieldsCache ??= {})[accessor] = one;
      } else if (toAttr) obj[toAttr] = group;
      else setPrefetched(obj, accessor, group);
    }
    return rows;
  }
  const { field, accessor, reverse } = relation;
  const other = (reverse ? field.model : field.remoteModel) as unknown as ModelCtor;
  const queryName = reverse ? field.name : field.relatedQueryName;
  const keys = unique(objs.map((o) => o.pk));
  const base = hinted(queryset ?? other.objects);
  const rows = keys.length ? await fetchIn(base, queryName, keys, queryName) : [];
  const groups = new Map<unknown, Instance[]>();
  for (const row of rows) {
    const key = row[KEY];
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(row);
  }
  for (const obj of objs) {
    const group = groups.get(obj.pk) ?? [];
    if (toAttr) obj[toAttr] = group;
    else setPrefetched(obj, accessor, group);
  }
  return rows;
}

/** The objects one level down, read from caches filled by an earlier lookup or selectRelated. */
function cachedLevel(objs: Instance[], relation: Relation, attribute: string): Instance[] | undefined {
  const toOne = relation.kind === 'forward' || (relation.kind === 'reverse' && relation.single);
  const out: Instance[] = [];
  for (const obj of objs) {
    let value: unknown;
    if (Object.hasOwn(obj, attribute)) value = obj[attribute]; // a toAttr result
    else if (toOne) {
      const cache = obj._state.fieldsCache;
      if (!cache || !(attribute in cache)) return undefined;
      value = cache[attribute];
    } else {
      value = obj._state.prefetched?.get(attribute);
      if (!value) return undefined;
    }
    if (value instanceof MissingRelated) continue;
    if (Array.isArray(value)) out.push(...(value as Instance[]));
    else if (value) out.push(value as Instance);
  }
  return out;
}

/**
 * Prefetches `lookups` for instances already in hand (Django's prefetch_related_objects).
 * ```ts
 * await prefetchRelatedObjects(books, 'authors', new Prefetch('publisher'));
 * ```
 */
export async function prefetchRelatedObjects(instances: readonly ModelBase[], ...lookups: PrefetchLookup[]): Promise<void> {
  if (!instances.length) return;
  const normalized = lookups.map((l) => (l instanceof Prefetch ? l : new Prefetch(l)));
  const seenTargets = new Set<string>();
  for (const lookup of normalized) {
    if (seenTargets.has(lookup.prefetchTo)) {
      throw new FieldError(`'${lookup.prefetchTo}' lookup was already seen with a different queryset. You may need to adjust the ordering of your lookups.`);
    }
    seenTargets.add(lookup.prefetchTo);
  }
  // Parents first: 'books' before 'books__authors', so deeper levels find their objects cached.
  const done = new Set<string>();
  for (const lookup of normalized) {
    const parts = lookup.lookup.split('__');
    let objs = [...instances] as Instance[];
    for (let level = 0; level < parts.length && objs.length; level++) {
      const name = parts[level]!;
      const isLast = level === parts.length - 1;
      const model = objs[0]!.constructor as ModelCtor;
      const relation = findRelation(model._meta, name);
      if (!relation) {
        throw new FieldError(
          `Cannot find '${name}' on ${model._meta.objectName} object, '${lookup.lookup}' is an invalid parameter to prefetchRelated(). ` +
            `Relations of ${model._meta.objectName}: ${relationNames(model._meta).join(', ') || '(none)'}. ` +
            `(Reverse relations appear once the model declaring them is installed in an app or has been used.)`,
        );
      }
      const path = parts.slice(0, level + 1).join('__');
      const attribute = isLast && lookup.toAttr ? lookup.toAttr : name;
      const cached = cachedLevel(objs, relation, attribute);
      if (cached && !(isLast && lookup.queryset && !done.has(path))) {
        objs = dedupe(cached);
        continue;
      }
      const next = await prefetchLevel(objs, relation, isLast ? lookup.queryset : undefined, isLast ? lookup.toAttr : undefined);
      done.add(path);
      if (!isLast) objs = dedupe(next);
    }
  }
}

function dedupe(objs: Instance[]): Instance[] {
  return [...new Set(objs)];
}
