/** SQLite's SQL dialect: LIKE with backslash escapes, REGEXP and date parts through registered functions. */
import { BaseDatabaseOperations } from '../base/operations.ts';

export class SqliteOperations extends BaseDatabaseOperations {
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

  dateCast(to: 'date' | 'time', sql: string, timeZone: string | null): string {
    return `nuages_datetime_cast_${to}(${sql}, ${timeZone ? `'${timeZone.replaceAll("'", "''")}'` : 'NULL'})`;
  }
}
