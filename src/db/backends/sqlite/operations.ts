/** SQLite's SQL dialect: LIKE with backslash escapes, REGEXP and date parts through registered functions. */
import { BaseDatabaseOperations, type OnConflict } from '../base/operations.ts';
import type { Field } from '../../models/fields/field.ts';

export class SqliteOperations extends BaseDatabaseOperations {
  sqlFlush(tables: readonly string[], { resetSequences }: { resetSequences: boolean }): string[] {
    if (tables.length === 0) return [];
    const statements = tables.map((table) => `DELETE FROM ${this.quoteName(table)}`);
    // AUTOINCREMENT keys count on in sqlite_sequence, which exists once any such table does.
    if (resetSequences) statements.push(`UPDATE "sqlite_sequence" SET "seq" = 0 WHERE "name" IN (${tables.map((table) => `'${table.replaceAll("'", "''")}'`).join(', ')})`);
    return statements;
  }

  // SQLite's LIKE ignores ASCII case, so contains and icontains behave alike here, as in Django.
  readonly lookupOperators = {
    exact: '= %s',
    iexact: "LIKE %s ESCAPE '\\'",
    contains: "LIKE %s ESCAPE '\\'",
    icontains: "LIKE %s ESCAPE '\\'",
    regex: 'REGEXP %s',
    iregex: "REGEXP '(?i)' || %s",
    gt: '> %s',
    gte: '>= %s',
    lt: '< %s',
    lte: '<= %s',
    startswith: "LIKE %s ESCAPE '\\'",
    endswith: "LIKE %s ESCAPE '\\'",
    istartswith: "LIKE %s ESCAPE '\\'",
    iendswith: "LIKE %s ESCAPE '\\'",
  };

  readonly dataTypes = {
    AutoField: 'integer',
    BigAutoField: 'integer',
    SmallAutoField: 'integer',
    BinaryField: 'BLOB',
    BooleanField: 'bool',
    CharField: 'varchar(%(maxLength)s)',
    DateField: 'date',
    DateTimeField: 'datetime',
    DecimalField: 'decimal',
    DurationField: 'bigint',
    FileField: 'varchar(%(maxLength)s)',
    FloatField: 'real',
    IntegerField: 'integer',
    BigIntegerField: 'bigint',
    JSONField: 'text',
    PositiveBigIntegerField: 'bigint unsigned',
    PositiveIntegerField: 'integer unsigned',
    PositiveSmallIntegerField: 'smallint unsigned',
    SlugField: 'varchar(%(maxLength)s)',
    SmallIntegerField: 'smallint',
    TextField: 'text',
    TimeField: 'time',
    UUIDField: 'char(32)',
  };

  override readonly dataTypeChecks = {
    PositiveBigIntegerField: '"%(column)s" >= 0',
    PositiveIntegerField: '"%(column)s" >= 0',
    PositiveSmallIntegerField: '"%(column)s" >= 0',
    JSONField: '(JSON_VALID("%(column)s") OR "%(column)s" IS NULL)',
  };

  placeholder(): string {
    return '?';
  }

  datePart(part: string, sql: string, timeZone: string | null): string {
    return `nuages_date_part('${part}', ${sql}, ${timeZone ? `'${timeZone.replaceAll("'", "''")}'` : 'NULL'})`;
  }

  override readonly functionNames = { GREATEST: 'MAX', LEAST: 'MIN' };

  // Without affinity, SQLite compares a computed number with a decimal parameter (bound as
  // text) as text; CAST … AS NUMERIC gives the result numeric affinity, as Django does.
  override decimalResult(sql: string): string {
    return `CAST(${sql} AS NUMERIC)`;
  }

  override cast(sql: string, field: Field): string {
    const type = field.internalType;
    // SQLite has no date types: Django casts with its date functions so the text is canonical.
    if (type === 'DateField') return `date(${sql})`;
    if (type === 'DateTimeField') return `strftime('%Y-%m-%d %H:%M:%f', ${sql})`;
    if (type === 'TimeField') return `strftime('%H:%M:%f', ${sql})`;
    if (type === 'DecimalField') return `CAST(${sql} AS NUMERIC)`;
    return super.cast(sql, field);
  }

  dateCast(to: 'date' | 'time', sql: string, timeZone: string | null): string {
    return `nuages_datetime_cast_${to}(${sql}, ${timeZone ? `'${timeZone.replaceAll("'", "''")}'` : 'NULL'})`;
  }

  /**
   * SQLite's upsert clause (3.24+), the same text PostgreSQL reads. Django writes
   * `INSERT OR IGNORE` here, which also swallows NOT NULL and CHECK failures; `ON CONFLICT
   * DO NOTHING` skips only rows that collide on a unique constraint, as on PostgreSQL.
   */
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
