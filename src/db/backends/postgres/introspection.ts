/**
 * Reading a PostgreSQL schema back: tables, columns, constraints and indexes of the current
 * search_path schema, from pg_catalog. Tests compare what the schema editor built with
 * what the models say; migrations will diff against it.
 */
import type { DatabaseWrapper } from '../base/connection.ts';

/** One column as the database has it. */
export interface ColumnInfo {
  readonly name: string;
  /** `format_type()` text: `integer`, `character varying(100)`, `numeric(10,2)`, … */
  readonly type: string;
  readonly nullable: boolean;
  readonly default: string | null;
  /** `'BY DEFAULT'` / `'ALWAYS'` for identity columns, else null. */
  readonly identity: string | null;
}

/** One constraint: `p` primary key, `u` unique, `f` foreign key, `c` check. */
export interface ConstraintInfo {
  readonly name: string;
  readonly kind: 'p' | 'u' | 'f' | 'c' | (string & {});
  readonly columns: string[];
  /** `pg_get_constraintdef()` text, e.g. `FOREIGN KEY (a) REFERENCES t(id) DEFERRABLE INITIALLY DEFERRED`. */
  readonly definition: string;
}

/** One index with its full `CREATE INDEX` text. */
export interface IndexInfo {
  readonly name: string;
  readonly unique: boolean;
  readonly definition: string;
}

/** Introspection queries for one Postgres connection. */
export class PostgresIntrospection {
  readonly connection: DatabaseWrapper;

  constructor(connection: DatabaseWrapper) {
    this.connection = connection;
  }

  /** Ordinary and partitioned tables of the first schema on the search_path, by name. */
  async tableNames(): Promise<string[]> {
    const rows = await this.connection.fetchAll({
      sql:
        "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname",
      params: [],
    });
    return rows.map((r) => String(r[0]));
  }

  /** The columns of `table`, in table order. */
  async columns(table: string): Promise<ColumnInfo[]> {
    const rows = await this.connection.fetchAll({
      sql:
        'SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, pg_get_expr(d.adbin, d.adrelid), ' +
        "CASE a.attidentity WHEN 'd' THEN 'BY DEFAULT' WHEN 'a' THEN 'ALWAYS' END " +
        'FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum ' +
        'WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum',
      params: [table],
    });
    return rows.map((r) => ({
      name: String(r[0]),
      type: String(r[1]),
      nullable: r[2] === true,
      default: r[3] === null ? null : String(r[3]),
      identity: r[4] === null ? null : String(r[4]),
    }));
  }

  /** The constraints of `table`, by name. */
  async constraints(table: string): Promise<ConstraintInfo[]> {
    const rows = await this.connection.fetchAll({
      sql:
        'SELECT c.conname, c.contype, ' +
        'ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)::text[], ' +
        'pg_get_constraintdef(c.oid) FROM pg_catalog.pg_constraint c WHERE c.conrelid = $1::regclass ORDER BY c.conname',
      params: [table],
    });
    return rows.map((r) => ({ name: String(r[0]), kind: String(r[1]), columns: r[2] as string[], definition: String(r[3]) }));
  }

  /** The indexes of `table` (including those behind primary keys and unique constraints), by name. */
  async indexes(table: string): Promise<IndexInfo[]> {
    const rows = await this.connection.fetchAll({
      sql:
        'SELECT ic.relname, i.indisunique, pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index i ' +
        'JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = $1::regclass ORDER BY ic.relname',
      params: [table],
    });
    return rows.map((r) => ({ name: String(r[0]), unique: r[1] === true, definition: String(r[2]) }));
  }
}
