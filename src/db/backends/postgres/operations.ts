/**
 * PostgreSQL's SQL dialect: `$n` placeholders, Django's lookup SQL (UPPER(…) LIKE UPPER(…),
 * `~` and `~*`), EXTRACT / AT TIME ZONE / DATE_TRUNC for dates, native types and
 * `FOR UPDATE` locking.
 */
import { BaseDatabaseOperations, type ForUpdateOptions, type OnConflict, type SequenceModel, type SqlStyle } from '../base/operations.ts';
import type { SqlParam } from '../base/types.ts';
import type { Field } from '../../models/fields/field.ts';
import type { ExprNode } from '../../models/sql/nodes.ts';

/** Lookups whose left side Django casts to text on PostgreSQL (so LIKE works on any column). */
const TEXT_LOOKUPS = new Set(['iexact', 'contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith', 'regex', 'iregex']);
/** Lookups compared case-insensitively by upper-casing both sides, as Django does. */
const UPPER_LOOKUPS = new Set(['iexact', 'icontains', 'istartswith', 'iendswith']);

const INT4_MIN = -2147483648;
const INT4_MAX = 2147483647;

/** What a column's type accepts as an untyped number or boolean parameter. */
type ParamKind = 'int2' | 'int4' | 'int8' | 'real' | 'bool' | 'other';

/** The parameter kind of a column type as `columnType` writes it. */
function paramKind(type: string | null): ParamKind {
  switch (type) {
    case 'smallint':
      return 'int2';
    case 'integer':
      return 'int4';
    case 'bigint':
      return 'int8';
    case 'double precision':
    case 'real':
      return 'real';
    case 'boolean':
      return 'bool';
    default:
      return type !== null && type.startsWith('numeric') ? 'real' : 'other';
  }
}

/** Whether an untyped parameter of `value` reads back as the same value in a column of `kind`. */
function fitsUntyped(kind: ParamKind, value: number | boolean): boolean {
  if (typeof value === 'boolean') return kind === 'bool';
  switch (kind) {
    case 'real':
      return Number.isFinite(value);
    case 'int8':
      return Number.isSafeInteger(value);
    case 'int4':
      return Number.isInteger(value) && value >= INT4_MIN && value <= INT4_MAX;
    case 'int2':
      return Number.isInteger(value) && value >= -32768 && value <= 32767;
    default:
      return false;
  }
}

/** A SQL string literal; used for the fixed words (date parts, zone names) Django also inlines. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** SQL, PostgreSQL flavour. One instance serves every Postgres connection. */
export class PostgresOperations extends BaseDatabaseOperations {
  sqlFlush(tables: readonly string[], { resetSequences }: { resetSequences: boolean }): string[] {
    if (tables.length === 0) return [];
    return [`TRUNCATE ${tables.map((table) => this.quoteName(table)).join(', ')}${resetSequences ? ' RESTART IDENTITY' : ''}`];
  }

  /** `SELECT setval(…)` per model with an auto key: the next id is max(id) + 1, or 1 on an empty table. */
  override sequenceResetSql(style: SqlStyle, models: readonly SequenceModel[]): string[] {
    return models.flatMap(({ _meta: meta }) => {
      const key = meta.fields.find((field) => field.isAuto);
      if (key === undefined) return [];
      const table = style.SQL_TABLE(this.quoteName(meta.dbTable));
      const column = style.SQL_FIELD(this.quoteName(key.column));
      return [
        `${style.SQL_KEYWORD('SELECT')} setval(pg_get_serial_sequence('${table}','${style.SQL_FIELD(key.column)}'), ` +
          `coalesce(max(${column}), 1), max(${column}) ${style.SQL_KEYWORD('IS NOT')} null) ${style.SQL_KEYWORD('FROM')} ${table};`,
      ];
    });
  }

  readonly lookupOperators = {
    exact: '= %s',
    iexact: '= UPPER(%s)',
    contains: 'LIKE %s',
    icontains: 'LIKE UPPER(%s)',
    regex: '~ %s',
    iregex: '~* %s',
    gt: '> %s',
    gte: '>= %s',
    lt: '< %s',
    lte: '<= %s',
    startswith: 'LIKE %s',
    endswith: 'LIKE %s',
    istartswith: 'LIKE UPPER(%s)',
    iendswith: 'LIKE UPPER(%s)',
  };

  readonly dataTypes = {
    AutoField: 'integer',
    BigAutoField: 'bigint',
    SmallAutoField: 'smallint',
    BinaryField: 'bytea',
    BooleanField: 'boolean',
    CharField: 'varchar(%(maxLength)s)',
    DateField: 'date',
    DateTimeField: 'timestamp with time zone',
    DecimalField: 'numeric(%(maxDigits)s, %(decimalPlaces)s)',
    // The field stores microseconds as an integer on every backend, so the column is one too.
    DurationField: 'bigint',
    FileField: 'varchar(%(maxLength)s)',
    FloatField: 'double precision',
    IntegerField: 'integer',
    BigIntegerField: 'bigint',
    JSONField: 'jsonb',
    PositiveBigIntegerField: 'bigint',
    PositiveIntegerField: 'integer',
    PositiveSmallIntegerField: 'smallint',
    SlugField: 'varchar(%(maxLength)s)',
    SmallIntegerField: 'smallint',
    TextField: 'text',
    TimeField: 'time',
    UUIDField: 'uuid',
  };

  override readonly groupBySelectIndex = true;
  override readonly hasArrayTypes = true;

  override readonly dataTypeChecks = {
    PositiveBigIntegerField: '"%(column)s" >= 0',
    PositiveIntegerField: '"%(column)s" >= 0',
    PositiveSmallIntegerField: '"%(column)s" >= 0',
  };

  /**
   * `$n`, typed for numbers and booleans. `pg` sends every parameter as untyped text, so
   * without a cast `SELECT $1` of 5 reads back as the string '5' and `$1 + $2` is ambiguous;
   * Django's psycopg renders such values as typed literals. Strings stay untyped, as
   * Django's text literals are, so the context decides (a date, a uuid, jsonb…).
   */
  placeholder(index: number, value?: SqlParam): string {
    switch (typeof value) {
      case 'number':
        if (Number.isInteger(value)) return value >= INT4_MIN && value <= INT4_MAX ? `$${index}::integer` : `$${index}::bigint`;
        return `$${index}::double precision`;
      case 'bigint':
        return `$${index}::numeric`;
      case 'boolean':
        return `$${index}::boolean`;
      case 'object':
        return value instanceof Uint8Array ? `$${index}::bytea` : `$${index}`;
      default:
        return `$${index}`;
    }
  }

  /** Column types by field, for {@link columnPlaceholder} (a field's column type does not change). */
  readonly #paramKinds = new WeakMap<Field, ParamKind>();

  /**
   * `$n` without a cast when the column types the parameter and the value fits that type:
   * `"book"."id" IN ($1, $2, …)`. A cast per parameter costs the server real time (a
   * 2,000-key prefetch `IN` list parses in about twice the time with `::integer` on each
   * key), and a cast to another type than the column's makes the comparison cross-type.
   * A value the column type cannot read exactly (2.5 against an integer column) keeps the
   * typed placeholder, so the comparison means what it does everywhere else.
   */
  override columnPlaceholder(index: number, value: SqlParam, field: Field): string {
    if (typeof value === 'number' || typeof value === 'boolean') {
      let kind = this.#paramKinds.get(field);
      if (kind === undefined) {
        kind = paramKind(this.columnType(field));
        this.#paramKinds.set(field, kind);
      }
      if (fitsUntyped(kind, value)) return `$${index}`;
    }
    return this.placeholder(index, value);
  }

  override lookupCast(lookup: string, lhs: string): string {
    if (!TEXT_LOOKUPS.has(lookup)) return lhs;
    return UPPER_LOOKUPS.has(lookup) ? `UPPER(${lhs}::text)` : `${lhs}::text`;
  }

  /** `EXTRACT(part FROM …)` as an integer; datetimes are read in `timeZone` first. */
  datePart(part: string, sql: string, timeZone: string | null): string {
    const value = timeZone ? `(${sql} AT TIME ZONE ${literal(timeZone)})` : sql;
    switch (part) {
      case 'week_day':
        return `(CAST(EXTRACT(DOW FROM ${value}) AS integer) + 1)`;
      case 'iso_week_day':
        return `CAST(EXTRACT(ISODOW FROM ${value}) AS integer)`;
      case 'iso_year':
        return `CAST(EXTRACT(ISOYEAR FROM ${value}) AS integer)`;
      case 'second':
        // EXTRACT(SECOND) keeps the fraction; Django's ExtractSecond is the whole second.
        return `CAST(FLOOR(EXTRACT(SECOND FROM ${value})) AS integer)`;
      default:
        return `CAST(EXTRACT(${part.toUpperCase()} FROM ${value}) AS integer)`;
    }
  }

  dateCast(to: 'date' | 'time', sql: string, timeZone: string | null): string {
    const value = timeZone ? `(${sql} AT TIME ZONE ${literal(timeZone)})` : `(${sql})`;
    return `${value}::${to}`;
  }

  /** Unbounded: no LIMIT at all (PostgreSQL has no `LIMIT -1`). */
  override limitOffset(low: number, high: number | null): string {
    if (high === null) return low ? ` OFFSET ${low}` : '';
    return ` LIMIT ${high - low}${low ? ` OFFSET ${low}` : ''}`;
  }

  override cast(sql: string, field: Field): string {
    const type = this.columnType(field);
    if (type === null) throw new Error(`Cannot cast to ${field.internalType}: it has no column type on PostgreSQL.`);
    return `(${sql})::${type}`;
  }

  /**
   * Functions spelled differently on PostgreSQL. The date truncation inlines its kind and
   * zone as Django does, so the same expression in SELECT and GROUP BY reads identically.
   */
  override compileFunction(node: Extract<ExprNode, { kind: 'func' }>, compile: (node: ExprNode) => string): string | undefined {
    switch (node.name) {
      case 'NOW':
        return 'STATEMENT_TIMESTAMP()';
      case 'INSTR':
        return `STRPOS(${node.args.map(compile).join(', ')})`;
      case 'CONCAT':
        // `||` refuses non-text operands on PostgreSQL: cast each part, as Django's ConcatPair does.
        return node.args.map((arg) => `COALESCE((${compile(arg)})::text, '')`).join(' || ');
      case 'nuages_date_trunc': {
        const [kindNode, valueNode, zoneNode] = node.args;
        const kind = kindNode?.kind === 'param' ? String(kindNode.value) : 'day';
        const zone = zoneNode?.kind === 'param' && typeof zoneNode.value === 'string' ? zoneNode.value : null;
        const value = compile(valueNode!);
        if (zone === null) return `DATE_TRUNC(${literal(kind)}, ${value})::date`;
        return `(DATE_TRUNC(${literal(kind)}, ${value} AT TIME ZONE ${literal(zone)}) AT TIME ZONE ${literal(zone)})`;
      }
      default:
        return undefined;
    }
  }

  /** `FOR [NO KEY] UPDATE [OF …] [NOWAIT | SKIP LOCKED]`. */
  override forUpdateSql(options: ForUpdateOptions, ofTables: readonly string[]): string {
    let sql = options.noKey ? ' FOR NO KEY UPDATE' : ' FOR UPDATE';
    if (ofTables.length) sql += ` OF ${ofTables.map((t) => this.quoteName(t)).join(', ')}`;
    if (options.nowait) sql += ' NOWAIT';
    else if (options.skipLocked) sql += ' SKIP LOCKED';
    return sql;
  }

  /** `ON CONFLICT DO NOTHING` / `ON CONFLICT (…) DO UPDATE SET … = EXCLUDED.…`, as Django writes them. */
  override onConflictSql(onConflict: OnConflict | null, uniqueFields: readonly Field[], updateFields: readonly Field[]): string {
    if (onConflict === 'ignore') return ' ON CONFLICT DO NOTHING';
    if (onConflict === 'update') {
      const target = uniqueFields.map((f) => this.quoteName(f.column)).join(', ');
      const set = updateFields.map((f) => `${this.quoteName(f.column)} = EXCLUDED.${this.quoteName(f.column)}`).join(', ');
      return ` ON CONFLICT(${target}) DO UPDATE SET ${set}`;
    }
    return '';
  }
}
