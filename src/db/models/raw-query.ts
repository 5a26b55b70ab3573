/**
 * `Model.objects.raw(sql, params)`: model instances from SQL you write.
 *
 * sql + params → `connection.fetchWithColumns()` → column names (renamed by
 * `translations`) matched to the model's fields → one instance per row, model columns
 * converted by their fields, other columns set as plain attributes, fields the SQL did
 * not select left deferred.
 *
 * The SQL text is sent as written and the values travel separately as parameters: the
 * database parses the statement before it sees them, so a value can never become SQL.
 */
import { FieldDoesNotExist } from '../../core/exceptions.ts';
import { DateOnly } from '../../utils/dates.ts';
import type { SqlParam } from '../backends/base/types.ts';
import type { DatabaseWrapper } from '../backends/base/connection.ts';
import { connections } from '../connections.ts';
import { router } from '../routers.ts';
import type { ModelBase } from './base.ts';
import type { Field } from './fields/field.ts';
import { BooleanField } from './fields/misc.ts';
import { DateField, DateTimeField } from './fields/temporal.ts';
import { deferredPrototype, instanceMapper } from './row-mapper.ts';
import type { SelectItem } from './sql/nodes.ts';

type ModelCtor = typeof ModelBase;

/** Options of `raw()`. */
export interface RawQueryOptions {
  /** Maps a column name of the result to the model field it holds: `{ first: 'firstName' }`. */
  readonly translations?: Readonly<Record<string, string>>;
  /** The database alias to run on (default: the QuerySet's). */
  readonly using?: string;
}

/** A value `raw()` binds: what the driver takes, plus the JavaScript types model fields use. */
export type RawParam = SqlParam | boolean | Date | { toFixed(): string } | undefined;

// Unattached fields, used only to turn JavaScript values into the backend's parameter form.
let adapters: { date: DateField; dateTime: DateTimeField; boolean: BooleanField } | undefined;

/**
 * Turns a raw-SQL parameter into what the driver binds, as a model field would:
 * `Date` → the datetime text SQLite stores, `DateOnly` → `YYYY-MM-DD`, booleans → 1/0
 * where the database has none, decimals → their exact text.
 */
export function adaptParam(value: unknown, index: number, connection: DatabaseWrapper): SqlParam {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'bigint':
      return value;
    case 'boolean':
      break;
    case 'object':
      if (value instanceof Uint8Array) return value;
      break;
    default:
      throw new TypeError(`raw() parameter ${index} is a ${typeof value}, which no database column can hold.`);
  }
  adapters ??= { date: new DateField(), dateTime: new DateTimeField(), boolean: new BooleanField() };
  const features = connection.features;
  if (typeof value === 'boolean') return adapters.boolean.toDb(value, features);
  if (value instanceof DateOnly) return adapters.date.toDb(value);
  if (value instanceof Date) return adapters.dateTime.toDb(value);
  if (typeof (value as { toFixed?: unknown }).toFixed === 'function' && typeof (value as { isFinite?: unknown }).isFinite === 'function') {
    return (value as { toFixed(): string }).toFixed();
  }
  throw new TypeError(
    `raw() parameter ${index} is a ${(value as object).constructor?.name ?? 'object'}; pass a string, number, bigint, ` +
      'boolean, Date, DateOnly, Decimal, Uint8Array or null (serialise JSON yourself with JSON.stringify).',
  );
}

/**
 * The result of `Model.objects.raw(sql, params)`: lazy (nothing runs until it is awaited
 * or iterated), then cached like a QuerySet. Awaiting gives an array of instances;
 * `for await` iterates them.
 *
 * Each result column is matched to a field by column name (`publisher_id`), then by
 * attribute name (`publisherId`), after `translations`. Matched columns are converted as
 * the field reads them; other columns become plain attributes; fields the SQL left out
 * are deferred (reading one throws; `refreshFromDb()` loads it). The primary key column
 * is required.
 *
 * Placeholders are the driver's own: `?` on SQLite.
 *
 * @example
 * const books = await Book.objects.raw(
 *   'SELECT id, title, price * ? AS "withTax" FROM catalog_book WHERE title LIKE ?',
 *   [1.2, 'Dune%'],
 * );
 * books[0].withTax; // an extra column, set as an attribute
 */
export class RawQuerySet<M = ModelBase> implements PromiseLike<M[]>, AsyncIterable<M> {
  readonly model: ModelCtor;
  /** The SQL text, exactly as given. */
  readonly rawQuery: string;
  /** The parameters, as given. */
  readonly params: readonly unknown[];
  readonly translations: Readonly<Record<string, string>>;
  readonly #db: string | undefined;
  #result: M[] | undefined;
  #columns: string[] | undefined;

  constructor(model: ModelCtor, sql: string, params: readonly unknown[] = [], options: RawQueryOptions = {}) {
    if (typeof sql !== 'string') {
      throw new TypeError(`raw() on ${model._meta.objectName} takes the SQL text as a string and the values as an array of parameters.`);
    }
    if (!Array.isArray(params)) {
      throw new TypeError(
        `raw() on ${model._meta.objectName} takes its parameters as an array: raw('… WHERE id = ?', [id]).`,
      );
    }
    this.model = model;
    this.rawQuery = sql;
    this.params = [...params];
    this.translations = { ...options.translations };
    this.#db = options.using;
  }

  /** The database alias the query runs on: `using`'s, else the routers' dbForRead. */
  get db(): string {
    return this.#db ?? router.dbForRead(this.model);
  }

  /** The same raw query on another database alias (not yet run). */
  using(alias: string): RawQuerySet<M> {
    return new RawQuerySet<M>(this.model, this.rawQuery, this.params, { translations: this.translations, using: alias });
  }

  /** The result's column names after `translations` (runs the query if it has not run). */
  async columns(): Promise<string[]> {
    await this.#fetchAll();
    return [...this.#columns!];
  }

  then<T1 = M[], T2 = never>(
    onfulfilled?: ((value: M[]) => T1 | PromiseLike<T1>) | null,
    onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return this.#fetchAll().then(onfulfilled, onrejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<M> {
    yield* await this.#fetchAll();
  }

  /** Django's repr: the SQL, for logs and the debugger. */
  toString(): string {
    return `<RawQuerySet: ${this.rawQuery}>`;
  }

  async #fetchAll(): Promise<M[]> {
    if (this.#result) return this.#result;
    const db = this.db;
    const connection = connections.get(db);
    const params = this.params.map((value, i) => adaptParam(value, i, connection));
    const { columns: raw, rows } = await connection.fetchWithColumns({ sql: this.rawQuery, params });
    const columns = raw.map((c) => this.translations[c] ?? c);
    const { items, deferred } = this.#plan(columns);
    const meta = this.model._meta;
    const proto = deferredPrototype(this.model.prototype, meta.objectName, deferred);
    const key = `raw:${items.map((item) => `${item.name}${item.field ? '' : '+'}`).join('\u0000')}`;
    const map = instanceMapper<M>(proto, key, items, connection.features);
    this.#columns = columns;
    this.#result = rows.map((row) => map(row, db));
    return this.#result;
  }

  /** Which field each column fills, and which fields the query left out. */
  #plan(columns: readonly string[]): { items: SelectItem[]; deferred: Field[] } {
    const meta = this.model._meta;
    const byColumn = new Map<string, Field>();
    const byAttname = new Map<string, Field>();
    for (const field of meta.fields) {
      byColumn.set(field.column, field);
      byAttname.set(field.attname, field);
      byAttname.set(field.name, field);
    }
    const seen = new Set<Field>();
    const items: SelectItem[] = columns.map((column) => {
      const field = byColumn.get(column) ?? byAttname.get(column);
      // A column matched twice keeps the first value, as a row read by position would.
      if (!field || seen.has(field)) return { name: column, expr: { kind: 'param', value: null }, field: undefined };
      seen.add(field);
      return { name: field.attname, expr: { kind: 'param', value: null }, field };
    });
    if (!seen.has(meta.pk)) {
      throw new FieldDoesNotExist(
        `Raw query must include the primary key: ${meta.objectName}'s query returned columns ${columns.map((c) => `'${c}'`).join(', ') || '(none)'} ` +
          `but not '${meta.pk.column}'. Select it, or map the column holding it with translations: { yourColumn: '${meta.pk.name}' }.`,
      );
    }
    return { items, deferred: meta.fields.filter((f) => !seen.has(f)) };
  }
}
