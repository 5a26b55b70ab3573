import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  connections, F, Q, Value, Func, Decimal, DateOnly, FieldError, FloatField, IntegerField, DecimalField, CharField,
  Count, Sum, Case, When, Coalesce, Cast, Greatest, Least, NullIf, Concat, Lower, Upper, Length, Substr, Replace,
  StrIndex, Left, Trim, Now, Extract, ExtractYear, ExtractHour, ExtractWeekDay, ExtractQuarter, TruncMonth, TruncDay,
  TruncDate, Trunc,
} from '../../../src/db/index.ts';
import { Book, seed } from './aggregation-fixture.ts';
import { testVendor } from '../test-database.ts';

const pg = testVendor === 'postgres';

before(seed);
after(() => connections.closeAll());

const str = (values: readonly unknown[]): string[] => values.map((v) => (v instanceof Decimal ? v.toString() : String(v)));

describe('Case and When', () => {
  test('labels rows by condition with a default', async () => {
    const rows = await Book.objects.annotate({ label: Case(When({ rating__gte: 4, then: Value('good') }), { default: Value('meh') }) }).valuesList('title', 'label');
    assert.deepEqual(rows, [['Alpha', 'good'], ['Beta', 'meh'], ['Delta', 'meh'], ['Eps', 'good'], ['Gamma', 'good']]);
  });

  test('a string then names a field, and decimals read back as Django reads them', async () => {
    const rows = await Book.objects.annotate({ x: Case(When({ rating__gte: 5, then: 'price' }), { default: F('price').mul(2) }) }).valuesList('x', { flat: true });
    // PostgreSQL keeps numeric exact (Django reads its text); SQLite computes through a float.
    assert.deepEqual(str(rows), pg ? ['19.99', '51.00', '200.00', '0.10', '19.98'] : ['19.9900000000000', '51', '200', '0.100000000000000', '19.9800000000000']);
  });

  test('conditional aggregation: Sum over Case', async () => {
    const r = await Book.objects.aggregate({ good: Sum(Case(When({ rating__gte: 4, then: 'price' }), { default: Value(0), outputField: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }) })) });
    assert.equal((r.good as Decimal).toString(), pg ? '30.08' : '30.0800000000000');
  });

  test('When takes a Q and a result', async () => {
    const rows = await Book.objects.annotate({ c: Case(When(Q({ rating: 2 }).or({ rating: 3 }), Value(1)), { default: Value(0) }) }).aggregate({ s: Sum('c') });
    assert.deepEqual(rows, { s: 2 });
  });

  test('mixed branch types need an outputField', () => {
    assert.throws(() => Book.objects.annotate({ x: Case(When({ rating: 5, then: Value('five') }), { default: Value(0) }) }), /Expression contains mixed types: CharField, IntegerField/);
  });

  test('When outside Case is refused', () => {
    assert.throws(() => Book.objects.annotate({ x: When({ rating: 5, then: Value(1) }) }), /only valid inside Case/);
  });

  test('Case can order and filter', async () => {
    const order = Case(When({ title: 'Delta', then: Value(0) }), { default: Value(1) });
    const titles = await Book.objects.orderBy(order, 'title').valuesList('title', { flat: true });
    assert.deepEqual(titles, ['Delta', 'Alpha', 'Beta', 'Eps', 'Gamma']);
  });
});

describe('comparison functions', () => {
  test('Coalesce takes the first non-null value', async () => {
    const rows = await Book.objects.annotate({ p: Coalesce('pages', Value(0)) }).valuesList('title', 'p');
    assert.deepEqual(rows, [['Alpha', 300], ['Beta', 0], ['Delta', 800], ['Eps', 50], ['Gamma', 120]]);
  });

  test('Coalesce of a decimal and an integer is refused as mixed types, as in Django', () => {
    assert.throws(() => Book.objects.annotate({ x: Coalesce('price', Value(0)) }), (e: unknown) => e instanceof FieldError && /Expression contains mixed types: DecimalField, IntegerField\. You must set outputField\./.test(e.message));
  });

  test('Coalesce needs two expressions', () => {
    assert.throws(() => Coalesce('pages'), /at least two/);
  });

  test('Cast, Greatest, Least and NullIf match Django on SQLite', async () => {
    const rows = await Book.objects.annotate({
      c: Cast('rating', new FloatField()), cs: Cast('price', new IntegerField()), g: Greatest('rating', 'pages'), le: Least('rating', 'pages'), ni: NullIf('rating', Value(5)),
    }).valuesList('title', 'c', 'cs', 'g', 'le', 'ni');
    // As Django documents: PostgreSQL's ::integer rounds where SQLite truncates, and its
    // GREATEST/LEAST skip NULL arguments where SQLite's MAX/MIN return NULL.
    assert.deepEqual(rows, pg ? [
      ['Alpha', 5, 20, 300, 5, null], ['Beta', 3, 26, 3, 3, 3], ['Delta', 2, 100, 800, 2, 2], ['Eps', 5, 0, 50, 5, null], ['Gamma', 4, 10, 120, 4, 4],
    ] : [
      ['Alpha', 5, 19, 300, 5, null], ['Beta', 3, 25, null, null, 3], ['Delta', 2, 100, 800, 2, 2], ['Eps', 5, 0, 50, 5, null], ['Gamma', 4, 9, 120, 4, 4],
    ]);
  });
});

describe('text functions', () => {
  test('Concat, Lower, Upper and Length', async () => {
    const rows = await Book.objects.annotate({ x: Concat('title', Value('-'), 'publisher__name'), l: Lower('title'), u: Upper('title'), n: Length('title') }).valuesList('x', 'l', 'u', 'n').slice(0, 2);
    assert.deepEqual(rows, [['Alpha-Apress', 'alpha', 'ALPHA', 5], ['Beta-Apress', 'beta', 'BETA', 4]]);
  });

  test('Concat treats NULL as empty text', async () => {
    const rows = await Book.objects.filter({ title: 'Beta' }).annotate({ x: Concat('title', Cast('pages', new CharField({ maxLength: 10 }))) }).valuesList('x', { flat: true });
    assert.deepEqual(rows, ['Beta']);
  });

  test('Substr, Replace, StrIndex, Left and Trim', async () => {
    const rows = await Book.objects.annotate({ s: Substr('title', 2, 3), r: Replace('title', Value('a'), Value('A')), i: StrIndex('title', Value('a')), lf: Left('title', 2), t: Trim(Value('  x ')) })
      .valuesList('s', 'r', 'i', 'lf', 't').slice(0, 2);
    assert.deepEqual(rows, [['lph', 'AlphA', 5, 'Al', 'x'], ['eta', 'BetA', 4, 'Be', 'x']]);
  });

  test('a lookup on a function annotation', async () => {
    const titles = await Book.objects.annotate({ lower: Lower('title') }).filter({ lower__startswith: 'al' }).valuesList('title', { flat: true });
    assert.deepEqual(titles, ['Alpha']);
  });

  test('Func calls a custom SQL function with an output field', async () => {
    const rows = await Book.objects.annotate({ a: new Func(['rating'], { fn: 'ABS', outputField: new IntegerField() }) }).valuesList('a', { flat: true });
    assert.deepEqual(rows, [5, 3, 2, 5, 4]);
    assert.throws(() => new Func(['a', 'b'], { fn: 'X', arity: 1 }), /takes exactly 1 argument \(2 given\)/);
  });
});

describe('date functions', () => {
  test('ExtractYear groups rows by year', async () => {
    const rows = await Book.objects.annotate({ y: ExtractYear('pubdate') }).values('y').annotate({ n: Count('id') }).orderBy('y');
    assert.deepEqual(rows, [{ y: 2022, n: 1 }, { y: 2023, n: 2 }, { y: 2024, n: 2 }]);
  });

  test('Extract parts and Trunc keep Django types', async () => {
    const rows = await Book.objects.annotate({ m: TruncMonth('pubdate'), h: ExtractHour('created'), wd: ExtractWeekDay('pubdate'), q: ExtractQuarter('pubdate'), d: TruncDay('created') })
      .valuesList('title', 'm', 'h', 'wd', 'q', 'd').slice(0, 2);
    const [alpha, beta] = rows as unknown[][];
    assert.ok(alpha![1] instanceof DateOnly);
    assert.equal((alpha![1] as DateOnly).isoformat(), '2023-01-01');
    assert.deepEqual(alpha!.slice(2, 5), [10, 1, 1]);
    assert.deepEqual((alpha![5] as Date).toISOString(), '2024-01-01T00:00:00.000Z');
    assert.equal((beta![1] as DateOnly).isoformat(), '2023-06-01');
    assert.deepEqual(beta!.slice(2, 5), [11, 5, 2]);
  });

  test('TruncDate and Trunc by name', async () => {
    const [row] = await Book.objects.filter({ title: 'Alpha' }).annotate({ d: TruncDate('created'), y: Trunc('pubdate', 'year'), e: Extract('pubdate', 'month') }).valuesList('d', 'y', 'e');
    assert.equal((row![0] as DateOnly).isoformat(), '2024-01-01');
    assert.equal((row![1] as DateOnly).isoformat(), '2023-01-01');
    assert.equal(row![2], 1);
  });

  test('Now() is a datetime and compares with datetime columns', async () => {
    const [now] = await Book.objects.annotate({ now: Now() }).valuesList('now', { flat: true }).slice(0, 1);
    assert.ok(now instanceof Date);
    assert.ok(Math.abs((now as Date).getTime() - Date.now()) < 60_000);
    assert.equal(await Book.objects.filter({ created__lt: Now() }).count(), 5);
  });

  test('Extract refuses a part the field does not have', () => {
    assert.throws(() => Book.objects.annotate({ h: ExtractHour('pubdate') }), /Cannot extract 'hour' from DateField/);
    assert.throws(() => Book.objects.annotate({ y: ExtractYear('title') }), /requires a DateField/);
  });
});
