/**
 * Turns rows (arrays, in select order) into model instances or plain objects.
 *
 * A mapper is generated once per query shape: a small function that assigns
 * each column straight to its property, applying a converter only where the
 * field needs one. Instances are created from the model's prototype without
 * running the constructor, so no defaults are computed for loaded rows.
 */
import type { DatabaseFeatures } from '../backends/base/types.ts';
import type { Field } from './fields/field.ts';
import type { SelectItem } from './sql/nodes.ts';
import type { Query, RelatedSelection } from './sql/query.ts';
import { ModelState } from './state.ts';
import { DeferredFieldError } from './errors.ts';

export type RowMapper<R> = (row: readonly unknown[], db: string) => R;

const MAX_CACHED = 500;

function converters(columns: readonly SelectItem[], features: DatabaseFeatures): (((raw: unknown) => unknown) | null)[] {
  return columns.map((c) => (c.field ? c.field.dbConverter(features) : null));
}

function assignments(columns: readonly SelectItem[], convs: readonly unknown[], target: string, offset = 0): string {
  return columns
    .map((c, i) => `${target}[${JSON.stringify(c.name)}] = ${convs[i] ? `c[${i}](row[${offset + i}])` : `row[${offset + i}]`};`)
    .join('\n');
}

/** A cache of generated functions by key, bounded so dynamic queries cannot grow it forever. */
class MapperCache<T> {
  readonly #map = new Map<string, T>();

  get(key: string, make: () => T): T {
    let value = this.#map.get(key);
    if (value === undefined) {
      if (this.#map.size >= MAX_CACHED) this.#map.delete(this.#map.keys().next().value!);
      value = make();
      this.#map.set(key, value);
    }
    return value;
  }
}

const instanceMappers = new WeakMap<object, MapperCache<RowMapper<unknown>>>();
const plainMappers = new MapperCache<RowMapper<unknown>>();

/** Instances of the class whose prototype is `proto`, one per row. */
export function instanceMapper<R>(
  proto: object,
  key: string,
  columns: readonly SelectItem[],
  features: DatabaseFeatures,
  offset = 0,
): RowMapper<R> {
  let cache = instanceMappers.get(proto);
  if (!cache) instanceMappers.set(proto, (cache = new MapperCache()));
  return cache.get(offset ? `${offset}:${key}` : key, () => {
    const convs = converters(columns, features);
    const body = `return function map(row, db) {
      const o = Object.create(proto);
      o._state = new State(db, false);
      ${assignments(columns, convs, 'o', offset)}
      return o;
    };`;
    return new Function('proto', 'State', 'c', body)(proto, ModelState, convs) as RowMapper<unknown>;
  }) as RowMapper<R>;
}

/** Plain objects keyed by column name, for values(). */
export function objectMapper<R>(key: string, columns: readonly SelectItem[], features: DatabaseFeatures): RowMapper<R> {
  return plainMappers.get(`o:${key}`, () => {
    const convs = converters(columns, features);
    const body = `return function map(row) { const o = {}; ${assignments(columns, convs, 'o')} return o; };`;
    return new Function('c', body)(convs) as RowMapper<unknown>;
  }) as RowMapper<R>;
}

/** Arrays in column order, for valuesList(); converted where fields need it. */
export function arrayMapper<R>(key: string, columns: readonly SelectItem[], features: DatabaseFeatures): RowMapper<R> {
  return plainMappers.get(`a:${key}`, () => {
    const convs = converters(columns, features);
    if (convs.every((c) => c === null)) return ((row: readonly unknown[]) => row) as RowMapper<unknown>;
    const items = columns.map((_, i) => (convs[i] ? `c[${i}](row[${i}])` : `row[${i}]`)).join(', ');
    return new Function('c', `return function map(row) { return [${items}]; };`)(convs) as RowMapper<unknown>;
  }) as RowMapper<R>;
}

/** The single converted column, for valuesList(…, { flat: true }). */
export function flatMapper<R>(column: SelectItem, features: DatabaseFeatures): RowMapper<R> {
  const conv = column.field?.dbConverter(features);
  return (conv ? (row: readonly unknown[]) => conv(row[0]) : (row: readonly unknown[]) => row[0]) as RowMapper<R>;
}

const deferredProtos = new WeakMap<object, Map<string, object>>();

/**
 * The prototype for instances loaded with only()/defer(): reading a field that
 * was not loaded throws; assigning it stores the value like any other field.
 */
export function deferredPrototype(proto: object, modelName: string, deferred: readonly Field[]): object {
  if (!deferred.length) return proto;
  let byKey = deferredProtos.get(proto);
  if (!byKey) deferredProtos.set(proto, (byKey = new Map()));
  const key = deferred.map((f) => f.attname).join(',');
  let result = byKey.get(key);
  if (!result) {
    result = Object.create(proto) as object;
    for (const field of deferred) {
      Object.defineProperty(result, field.attname, {
        configurable: true,
        get() {
          throw new DeferredFieldError(modelName, field.name);
        },
        set(this: object, value: unknown) {
          Object.defineProperty(this, field.attname, { value, writable: true, enumerable: true, configurable: true });
        },
      });
    }
    byKey.set(key, result);
  }
  return result;
}

/** One selectRelated() object: where its columns start, how to build it, and nested ones. */
export interface RelatedReader {
  readonly name: string;
  readonly pkIndex: number;
  readonly map: RowMapper<object>;
  readonly children: readonly RelatedReader[];
}

/**
 * Wraps a row mapper so the related objects selected in the same row are built
 * and cached on their parents (NULL key: the relation is cached as null).
 */
export function withRelated<R>(base: RowMapper<R>, readers: readonly RelatedReader[]): RowMapper<R> {
  const attach = (parent: { _state: ModelState }, list: readonly RelatedReader[], row: readonly unknown[], db: string) => {
    for (const reader of list) {
      let related: { _state: ModelState } | null = null;
      if (row[reader.pkIndex] !== null) {
        related = reader.map(row, db) as { _state: ModelState };
        if (reader.children.length) attach(related, reader.children, row, db);
      }
      (parent._state.fieldsCache ??= {})[reader.name] = related;
    }
  };
  return (row, db) => {
    const obj = base(row, db);
    attach(obj as unknown as { _state: ModelState }, readers, row, db);
    return obj;
  };
}

/**
 * The mapper for model rows of `query`: instances of `model` (with deferred
 * fields guarded), plus the selectRelated objects, whose columns come last.
 */
export function modelRowMapper<R>(
  model: { prototype: object },
  query: Query,
  compiled: { readonly sql: string; readonly columns: readonly SelectItem[] },
  features: DatabaseFeatures,
): RowMapper<R> {
  const deferred = query.loadedFields ? query.meta.fields.filter((f) => !query.loadedFields!.includes(f)) : [];
  const proto = deferredPrototype(model.prototype, query.meta.objectName, deferred);
  if (!query.relatedSelections.length) return instanceMapper(proto, compiled.sql, compiled.columns, features);
  let offset = compiled.columns.length - countSelected(query, query.relatedSelections);
  const base = instanceMapper<R>(proto, compiled.sql, compiled.columns.slice(0, offset), features);
  const readers = (selections: readonly RelatedSelection[]): RelatedReader[] =>
    selections.map((selection) => {
      const fields = query.relatedFields(selection);
      const columns = compiled.columns.slice(offset, offset + fields.length);
      const start = offset;
      offset += fields.length;
      const related = selection.model as unknown as { prototype: object; _meta: { objectName: string; pk: Field; fields: readonly Field[] } };
      const meta = related._meta;
      const relatedProto = deferredPrototype(related.prototype, meta.objectName, meta.fields.filter((f) => !fields.includes(f)));
      const map = instanceMapper<object>(relatedProto, compiled.sql, columns, features, start);
      return { name: selection.name, pkIndex: start + fields.indexOf(meta.pk), map, children: readers(selection.children) };
    });
  return withRelated(base, readers(query.relatedSelections));
}

function countSelected(query: Query, selections: readonly RelatedSelection[]): number {
  return selections.reduce((n, s) => n + query.relatedFields(s).length + countSelected(query, s.children), 0);
}
