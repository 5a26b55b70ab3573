/**
 * What differs between databases in the SQL the compiler writes: quoting,
 * placeholders, lookup operators, date functions, column types. One subclass
 * per backend overrides only what differs.
 */
import type { Field } from '../../models/fields/field.ts';
import type { ExprNode } from '../../models/sql/nodes.ts';
import { NotSupportedError } from '../../errors.ts';
import type { SqlParam } from './types.ts';

/** What bulkCreate() does with a row that collides with an existing one (Django's OnConflict). */
export type OnConflict = 'ignore' | 'update';

/** How `selectForUpdate()` locks rows (Django's nowait, skip_locked, of, no_key). */
export interface ForUpdateOptions {
  /** Fail at once instead of waiting for a row another transaction holds. */
  readonly nowait?: boolean;
  /** Leave out rows another transaction holds. */
  readonly skipLocked?: boolean;
  /** Lock only the rows of these relations (`'self'` is the queried model), not every joined table. */
  readonly of?: readonly string[];
  /** A weaker lock that still lets other transactions insert rows referencing these (FOR NO KEY UPDATE). */
  readonly noKey?: boolean;
}

/** The roles of a command's Style that SQL printed for the user is coloured with. */
export interface SqlStyle {
  SQL_KEYWORD(text: string): string;
  SQL_TABLE(text: string): string;
  SQL_FIELD(text: string): string;
}

/** What sequenceResetSql() reads of a model: its table and fields. */
export interface SequenceModel {
  readonly _meta: { readonly dbTable: string; readonly fields: readonly Field[] };
}

export abstract class BaseDatabaseOperations {
  /** `WHERE lhs <op>` templates; `%s` is the right-hand side. */
  abstract readonly lookupOperators: Readonly<Record<string, string>>;
  /** Column type templates by internal type; `%(name)s` takes the field's dbParameters(). */
  abstract readonly dataTypes: Readonly<Record<string, string>>;
  /** Extra column SQL (CHECK) by internal type, e.g. positive integers. */
  readonly dataTypeChecks: Readonly<Record<string, string>> = {};

  /**
   * Statements that empty `tables` (Django's sql_flush), restarting their id sequences
   * when asked. Run them in one transaction: foreign keys are checked at commit, so the
   * order of the tables does not matter.
   */
  abstract sqlFlush(tables: readonly string[], options: { resetSequences: boolean }): string[];

  /**
   * Statements that move the id sequence of each model's auto key past its largest id
   * (Django's sequence_reset_sql), for after rows were written with explicit ids (loading
   * fixtures, copying data). None here: SQLite's next id already follows the largest one.
   */
  sequenceResetSql(_style: SqlStyle, _models: readonly SequenceModel[]): string[] {
    return [];
  }

  quoteName(name: string): string {
    if (name.startsWith('"') && name.endsWith('"')) return name;
    return `"${name.replaceAll('"', '""')}"`;
  }

  /**
   * GROUP BY and ORDER BY name a selected expression by its position or alias instead of
   * repeating it (Django's allows_group_by_select_index). Needed where parameters are
   * numbered: `GROUP BY "n" + $2` is not the `"n" + $1` of the SELECT list to PostgreSQL.
   */
  readonly groupBySelectIndex: boolean = false;

  /** Array column types (`integer[]`) exist: PostgreSQL. ArrayField refuses to create a column otherwise. */
  readonly hasArrayTypes: boolean = false;

  /** The placeholder for the n-th parameter (1-based); `value` lets a backend type it. */
  abstract placeholder(index: number, value?: SqlParam): string;

  /**
   * The placeholder for a parameter compared with a column of `field` (`col = $n`, `col IN (…)`),
   * where the column can give the parameter its type. Defaults to {@link placeholder}.
   */
  columnPlaceholder(index: number, value: SqlParam, _field: Field): string {
    return this.placeholder(index, value);
  }

  /** The left side of a lookup as the database compares it (PostgreSQL: `UPPER(x::text)` for icontains). */
  lookupCast(_lookup: string, lhs: string): string {
    return lhs;
  }

  /**
   * SQL for a function this database spells differently (PostgreSQL's DATE_TRUNC for the
   * registered SQLite date functions), or undefined to write it the standard way.
   * `compile` turns an argument into SQL, adding its parameters in order.
   */
  compileFunction(_node: Extract<ExprNode, { kind: 'func' }>, _compile: (node: ExprNode) => string): string | undefined {
    return undefined;
  }

  /**
   * The locking clause of `selectForUpdate()`; `ofTables` are the table aliases `of` named.
   * Databases without row locks (SQLite locks the whole database for a writer) write nothing.
   */
  forUpdateSql(_options: ForUpdateOptions, _ofTables: readonly string[]): string {
    return '';
  }

  /** SQL extracting `part` (year, month, …) of a date or datetime expression in a time zone. */
  abstract datePart(part: string, sql: string, timeZone: string | null): string;

  /** SQL casting a datetime expression to its date (or time) in a time zone. */
  abstract dateCast(to: 'date' | 'time', sql: string, timeZone: string | null): string;

  randomFunction(): string {
    return 'RANDOM()';
  }

  /** LIMIT/OFFSET clause; `high` null means no upper bound. */
  limitOffset(low: number, high: number | null): string {
    if (high === null) return low ? ` LIMIT -1 OFFSET ${low}` : '';
    return ` LIMIT ${high - low}${low ? ` OFFSET ${low}` : ''}`;
  }

  /** The column type for a field, or null for fields without a column. */
  columnType(field: Field & { targetInternalType?: string }): string | null {
    const custom = field.customColumnType((f) => this.columnType(f), this);
    if (custom !== undefined) return custom;
    const type = field.targetInternalType ?? field.internalType;
    const template = this.dataTypes[type];
    if (template === undefined) return null;
    const params = field.dbParameters();
    return template.replace(/%\((\w+)\)s/g, (_, key: string) => String(params[key]));
  }

  /** Database functions spelled differently here, by their standard name (SQLite: GREATEST → MAX). */
  readonly functionNames: Readonly<Record<string, string>> = {};

  /**
   * Wraps an expression whose result is a decimal (Sum, Avg, Case… over DecimalField).
   * Databases with a native decimal type need nothing; SQLite gives it numeric affinity.
   */
  decimalResult(sql: string): string {
    return sql;
  }

  /** CAST(sql AS the column type of `field`), for the Cast() function. */
  cast(sql: string, field: Field): string {
    const type = this.columnType(field);
    if (type === null) throw new Error(`Cannot cast to ${field.internalType}: it has no column type on this database.`);
    return `CAST(${sql} AS ${type})`;
  }

  /** Operator for arithmetic on two expressions; `^` is power on most databases. */
  combineExpression(op: string, lhs: string, rhs: string): string {
    if (op === '^') return `POWER(${lhs}, ${rhs})`;
    return `(${lhs} ${op} ${rhs})`;
  }

  /**
   * The clause appended to a bulk INSERT for `onConflict` (Django's on_conflict_suffix_sql):
   * `'ignore'` skips rows that collide, `'update'` overwrites `updateFields` of the row that
   * collided on `uniqueFields` with the values of the row that was refused. A plain SQL-92
   * database has no such clause, so the base refuses; backends that have one override this.
   */
  onConflictSql(
    onConflict: OnConflict | null,
    _uniqueFields: readonly Field[],
    _updateFields: readonly Field[],
  ): string {
    if (onConflict === null) return '';
    throw new NotSupportedError(
      `This database backend does not support bulkCreate() with ${onConflict === 'ignore' ? 'ignoreConflicts' : 'updateConflicts'}. ` +
        'Insert the rows one at a time inside atomic(), catching IntegrityError.',
    );
  }
}
