import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, IntegerField, DecimalField, DateField, DateTimeField, BooleanField,
  connections, createTables, Decimal, DateOnly, captureQueries, FieldError,
} from '../../../src/db/index.ts';
import { setDefaultTimeZone } from '../../../src/utils/timezone.ts';
import { testDatabaseSettings, testVendor } from '../test-database.ts';

const pg = testVendor === 'postgres';

connections.configure({ default: testDatabaseSettings() });

class Item extends Model<Item>()({
  name: new CharField({ maxLength: 100 }),
  note: new CharField({ maxLength: 100, null: true, blank: true }),
  qty: new IntegerField({ null: true }),
  price: new DecimalField({ maxDigits: 12, decimalPlaces: 2, default: () => new Decimal('0') }),
  active: new BooleanField({ default: true }),
  day: new DateField({ null: true }),
  at: new DateTimeField({ null: true }),
}, { appLabel: 'lk', ordering: ['id'] }) {}

const names = async (qs: PromiseLike<Item[]>): Promise<string[]> => (await qs).map((i) => i.name);

before(async () => {
  setDefaultTimeZone('Europe/Paris');
  await createTables([Item]);
  const rows: Record<string, unknown>[] = [
    // Aware datetimes stored UTC; wall clock in Europe/Paris noted beside each.
    { name: '100% cotton', note: '', qty: 1, price: '19.99', day: new DateOnly('2024-03-30'), at: new Date('2024-03-30T23:30:00Z') }, // Sun 31 Mar 00:30 CET
    { name: 'snake_case', note: null, qty: 2, price: '0.30', day: new DateOnly('2024-03-31'), at: new Date('2024-03-31T01:30:00Z') }, // Sun 31 Mar 03:30 CEST (after DST jump)
    { name: "O'Brien", note: 'quote', qty: 3, price: '12345678.90', day: new DateOnly('2024-12-31'), at: new Date('2024-12-31T22:59:59Z') }, // Tue 31 Dec 23:59:59 CET
    { name: 'Café Ünïcode', note: 'accent', qty: null, price: '0.10', active: false, day: null, at: new Date('2024-10-27T00:15:00Z') }, // Sun 27 Oct 02:15 CEST (before fallback)
    { name: 'snakeXcase', note: 'x', qty: 5, price: '100.00', day: new DateOnly('2024-07-15'), at: null },
    { name: '100 percent', note: 'y', qty: 6, price: '100.01', day: new DateOnly('2024-07-16'), at: new Date('2024-10-27T01:15:00Z') }, // Sun 27 Oct 02:15 CET (after fallback)
  ];
  for (const row of rows) await Item.objects.create(row);
});

after(async () => {
  setDefaultTimeZone('UTC');
  await connections.closeAll();
});

describe('text lookups', () => {
  test('exact matches case-sensitively and treats quotes literally', async () => {
    assert.deepEqual(await names(Item.objects.filter({ name: "O'Brien" })), ["O'Brien"]);
    assert.deepEqual(await names(Item.objects.filter({ name__exact: "o'brien" })), []);
  });

  test('iexact folds ASCII case on SQLite (as its LIKE does) and all case on PostgreSQL (UPPER)', async () => {
    assert.deepEqual(await names(Item.objects.filter({ name__iexact: "o'BRIEN" })), ["O'Brien"]);
    assert.deepEqual(await names(Item.objects.filter({ name__iexact: 'CAFé Ünïcode' })), ['Café Ünïcode']);
    // Verified with Django 5.2 on SQLite: 'ü' does not fold to 'Ü', so this finds nothing there;
    // Django's UPPER(…) = UPPER(…) on PostgreSQL folds it.
    assert.deepEqual(await names(Item.objects.filter({ name__iexact: 'café ünïcode' })), pg ? ['Café Ünïcode'] : []);
  });

  test('contains escapes % so it matches a literal percent sign', async () => {
    assert.deepEqual(await names(Item.objects.filter({ name__contains: '%' })), ['100% cotton']);
    assert.deepEqual(await names(Item.objects.filter({ name__contains: '0%' })), ['100% cotton']);
  });

  test('contains escapes _ so it is not a single-character wildcard', async () => {
    assert.deepEqual(await names(Item.objects.filter({ name__contains: 'e_c' })), ['snake_case']);
  });

  test('contains folds ASCII case on SQLite and is case-sensitive on PostgreSQL, exactly like Django', async () => {
    // Verified with Django 5.2: SQLite's LIKE ignores ASCII case, so contains='brien' finds "O'Brien";
    // PostgreSQL's LIKE does not.
    assert.deepEqual(await names(Item.objects.filter({ name__contains: 'brien' })), pg ? [] : ["O'Brien"]);
    assert.deepEqual(await names(Item.objects.filter({ name__contains: 'Brien' })), ["O'Brien"]);
    assert.deepEqual(await names(Item.objects.filter({ name__icontains: 'BRIEN' })), ["O'Brien"]);
  });

  test('contains matches non-ASCII text', async () => {
    assert.deepEqual(await names(Item.objects.filter({ name__contains: 'Ünï' })), ['Café Ünïcode']);
  });

  test('startswith, istartswith, endswith and iendswith escape wildcards', async () => {
    assert.deepEqual(await names(Item.objects.filter({ name__startswith: '100%' })), ['100% cotton']);
    assert.deepEqual(await names(Item.objects.filter({ name__startswith: '100' })), ['100% cotton', '100 percent']);
    assert.deepEqual(await names(Item.objects.filter({ name__istartswith: 'SNAKE_' })), ['snake_case']);
    assert.deepEqual(await names(Item.objects.filter({ name__endswith: '_case' })), ['snake_case']);
    assert.deepEqual(await names(Item.objects.filter({ name__iendswith: 'COTTON' })), ['100% cotton']);
    // Verified with Django 5.2 on SQLite: endswith ignores ASCII case too (not on PostgreSQL).
    assert.deepEqual(await names(Item.objects.filter({ name__endswith: 'COTTON' })), pg ? [] : ['100% cotton']);
    assert.deepEqual(await names(Item.objects.filter({ name__endswith: 'ÜNÏCODE' })), []);
  });

  test('a backslash in a contains value is matched literally', async () => {
    const it = await Item.objects.create({ name: 'back\\slash' });
    try {
      assert.deepEqual(await names(Item.objects.filter({ name__contains: '\\' })), ['back\\slash']);
    } finally {
      await it.delete();
    }
  });

  test('regex and iregex use regular-expression matching', async () => {
    assert.deepEqual(await names(Item.objects.filter({ name__regex: '^snake.case$' })), ['snake_case', 'snakeXcase']);
    assert.deepEqual(await names(Item.objects.filter({ name__regex: '^SNAKE' })), []);
    assert.deepEqual(await names(Item.objects.filter({ name__iregex: '^SNAKE_' })), ['snake_case']);
  });
});

describe('empty string versus null', () => {
  test('exact "" matches only the empty string, not NULL', async () => {
    assert.deepEqual(await names(Item.objects.filter({ note: '' })), ['100% cotton']);
  });

  test('exact null compiles to IS NULL', async () => {
    assert.deepEqual(await names(Item.objects.filter({ note: null })), ['snake_case']);
    assert.deepEqual(await names(Item.objects.filter({ note__isnull: true })), ['snake_case']);
  });

  test('isnull false keeps the empty string', async () => {
    const got = await names(Item.objects.filter({ note__isnull: false }));
    assert.ok(got.includes('100% cotton'));
    assert.ok(!got.includes('snake_case'));
  });

  test('exclude of a value keeps NULL rows as Django does', async () => {
    // Verified with Django 5.2: exclude(note='x') adds "OR note IS NULL"-equivalent semantics, so NULL rows stay.
    const got = await names(Item.objects.exclude({ note: 'x' }));
    assert.ok(got.includes('snake_case'));
    assert.ok(!got.includes('snakeXcase'));
  });

  test('empty string and null survive a save and reload unchanged', async () => {
    const a = await Item.objects.get({ name: '100% cotton' });
    const b = await Item.objects.get({ name: 'snake_case' });
    assert.equal(a.note, '');
    assert.equal(b.note, null);
  });
});

describe('comparison lookups', () => {
  test('gt, gte, lt and lte compare integers', async () => {
    assert.deepEqual(await names(Item.objects.filter({ qty__gt: 3 })), ['snakeXcase', '100 percent']);
    assert.deepEqual(await names(Item.objects.filter({ qty__gte: 3 })), ["O'Brien", 'snakeXcase', '100 percent']);
    assert.deepEqual(await names(Item.objects.filter({ qty__lt: 2 })), ['100% cotton']);
    assert.deepEqual(await names(Item.objects.filter({ qty__lte: 2 })), ['100% cotton', 'snake_case']);
  });

  test('in matches a list and an empty list matches nothing without running SQL', async () => {
    assert.deepEqual(await names(Item.objects.filter({ qty__in: [1, 3, 99] })), ['100% cotton', "O'Brien"]);
    const { result, queries } = await captureQueries(() => Item.objects.filter({ qty__in: [] }));
    assert.deepEqual(result, []);
    assert.equal(queries.length, 0);
  });

  test('range is inclusive at both ends', async () => {
    assert.deepEqual(await names(Item.objects.filter({ qty__range: [2, 5] })), ['snake_case', "O'Brien", 'snakeXcase']);
  });

  test('decimal comparisons are exact at the cent', async () => {
    assert.deepEqual(await names(Item.objects.filter({ price__gt: '100' })), ["O'Brien", '100 percent']);
    assert.deepEqual(await names(Item.objects.filter({ price: new Decimal('100.00') })), ['snakeXcase']);
    assert.deepEqual(await names(Item.objects.filter({ price: '19.99' })), ['100% cotton']);
    assert.deepEqual(await names(Item.objects.filter({ price: '12345678.90' })), ["O'Brien"]);
  });

  test('0.1 + 0.2 equals the stored 0.30 when computed as decimals', async () => {
    const sum = new Decimal('0.1').plus(new Decimal('0.2'));
    assert.deepEqual(await names(Item.objects.filter({ price: sum })), ['snake_case']);
  });

  test('boolean exact', async () => {
    assert.deepEqual(await names(Item.objects.filter({ active: false })), ['Café Ünïcode']);
  });
});

describe('date lookups on a DateField', () => {
  test('year, month and day', async () => {
    assert.deepEqual(await names(Item.objects.filter({ day__year: 2024, day__month: 3 })), ['100% cotton', 'snake_case']);
    assert.deepEqual(await names(Item.objects.filter({ day__day: 31 })), ['snake_case', "O'Brien"]);
    assert.deepEqual(await names(Item.objects.filter({ day__year__gte: 2024, day__month__gt: 6 })), ["O'Brien", 'snakeXcase', '100 percent']);
  });

  test('week_day counts Sunday as 1 and quarter groups months', async () => {
    // 2024-03-30 is a Saturday (7), 2024-03-31 a Sunday (1), 2024-07-15 a Monday (2).
    assert.deepEqual(await names(Item.objects.filter({ day__week_day: 7 })), ['100% cotton']);
    assert.deepEqual(await names(Item.objects.filter({ day__week_day: 1 })), ['snake_case']);
    assert.deepEqual(await names(Item.objects.filter({ day__week_day: 2 })), ['snakeXcase']);
    assert.deepEqual(await names(Item.objects.filter({ day__quarter: 3 })), ['snakeXcase', '100 percent']);
    assert.deepEqual(await names(Item.objects.filter({ day__quarter: 4 })), ["O'Brien"]);
  });

  test('a DateField filters by DateOnly and by ISO string', async () => {
    assert.deepEqual(await names(Item.objects.filter({ day: new DateOnly('2024-07-15') })), ['snakeXcase']);
    assert.deepEqual(await names(Item.objects.filter({ day__gte: '2024-07-16' })), ["O'Brien", '100 percent']);
  });
});

describe('datetime lookups in the current time zone (Europe/Paris)', () => {
  test('__date uses the local date across midnight', async () => {
    // 2024-03-30T23:30Z is 31 March in Paris.
    assert.deepEqual(await names(Item.objects.filter({ at__date: new DateOnly('2024-03-31') })), ['100% cotton', 'snake_case']);
    assert.deepEqual(await names(Item.objects.filter({ at__date: new DateOnly('2024-03-30') })), []);
  });

  test('__year rolls over at local midnight on New Year\'s Eve', async () => {
    assert.deepEqual(await names(Item.objects.filter({ at__year: 2024, name: "O'Brien" })), ["O'Brien"]);
    assert.deepEqual(await names(Item.objects.filter({ at__date: new DateOnly('2024-12-31') })), ["O'Brien"]);
  });

  test('__hour follows the DST offset on both sides of the spring jump', async () => {
    assert.deepEqual(await names(Item.objects.filter({ at__hour: 0 })), ['100% cotton']);
    assert.deepEqual(await names(Item.objects.filter({ at__hour: 3 })), ['snake_case']);
  });

  test('__hour gives 2 for both 02:15 wall-clock times of the autumn fallback', async () => {
    assert.deepEqual(await names(Item.objects.filter({ at__hour: 2 })), ['Café Ünïcode', '100 percent']);
    assert.deepEqual(await names(Item.objects.filter({ at__minute: 15 })), ['Café Ünïcode', '100 percent']);
  });

  test('__day, __month, __minute, __second, __week_day and __quarter on datetimes', async () => {
    assert.deepEqual(await names(Item.objects.filter({ at__day: 31, at__month: 3 })), ['100% cotton', 'snake_case']);
    assert.deepEqual(await names(Item.objects.filter({ at__second: 59 })), ["O'Brien"]);
    assert.deepEqual(await names(Item.objects.filter({ at__minute: 59 })), ["O'Brien"]);
    // 31 March 2024 is a Sunday in Paris (Saturday in UTC for the first row).
    assert.deepEqual(await names(Item.objects.filter({ at__week_day: 1, at__month: 3 })), ['100% cotton', 'snake_case']);
    assert.deepEqual(await names(Item.objects.filter({ at__quarter: 4 })), ["O'Brien", 'Café Ünïcode', '100 percent']);
  });

  test('__date range and a plain datetime comparison', async () => {
    assert.deepEqual(
      await names(Item.objects.filter({ at__date__range: [new DateOnly('2024-10-01'), new DateOnly('2024-12-31')] })),
      ["O'Brien", 'Café Ünïcode', '100 percent'],
    );
    assert.deepEqual(await names(Item.objects.filter({ at__lt: new Date('2024-03-31T00:00:00Z') })), ['100% cotton']);
  });

  test('an aware datetime is stored in UTC and read back equal', async () => {
    const row = await Item.objects.get({ name: 'snake_case' });
    assert.ok(row.at instanceof Date);
    assert.equal(row.at.toISOString(), '2024-03-31T01:30:00.000Z');
  });
});

describe('bad lookups', () => {
  test('an unknown lookup names the field and the valid lookups without running SQL', async () => {
    const { queries } = await captureQueries(async () => {
      await assert.rejects(async () => Item.objects.filter({ name__startz: 'x' }), (err: Error) => {
        assert.ok(err instanceof FieldError, String(err));
        assert.match(err.message, /startz/);
        assert.match(err.message, /name/);
        assert.match(err.message, /startswith/);
        return true;
      });
    });
    assert.equal(queries.length, 0);
  });

  test('an unknown field names the model and the choices without running SQL', async () => {
    const { queries } = await captureQueries(async () => {
      await assert.rejects(async () => Item.objects.filter({ nmae: 'x' }), (err: Error) => {
        assert.ok(err instanceof FieldError, String(err));
        assert.match(err.message, /nmae/);
        assert.match(err.message, /name/);
        assert.match(err.message, /qty/);
        return true;
      });
    });
    assert.equal(queries.length, 0);
  });

  test('a value of the wrong type is refused before SQL runs', async () => {
    const { queries } = await captureQueries(async () => {
      await assert.rejects(async () => Item.objects.filter({ qty: 'many' }), /qty/);
      await assert.rejects(async () => Item.objects.filter({ price: 'cheap' }), /price/);
      await assert.rejects(async () => Item.objects.filter({ day: 'not a date' }), /day/);
      await assert.rejects(async () => Item.objects.filter({ qty__range: [1] }), /range/);
    });
    assert.equal(queries.length, 0);
  });
});

describe('datetimes() in the current time zone (Europe/Paris)', () => {
  test('truncates to local days and returns aware instants', async () => {
    const days = await Item.objects.filter({ at__isnull: false }).datetimes('at', 'day');
    // Local midnights: 31 Mar (CET, +01:00), 27 Oct (CEST, +02:00), 31 Dec (CET).
    assert.deepEqual(days.map((d) => d.toISOString()), [
      '2024-03-30T23:00:00.000Z', '2024-10-26T22:00:00.000Z', '2024-12-30T23:00:00.000Z',
    ]);
  });

  test('truncates to local hours across the autumn fallback as Django does', async () => {
    // Verified with Django 5.2: both 02:15 wall-clock times truncate to the same local 02:00, which
    // resolves to its first occurrence (CEST), so one value comes back.
    // PostgreSQL's AT TIME ZONE (Django's SQL there) reads the ambiguous 02:00 as standard time (CET).
    const hours = await Item.objects.filter({ at__month: 10 }).datetimes('at', 'hour');
    assert.deepEqual(hours.map((d) => d.toISOString()), [pg ? '2024-10-27T01:00:00.000Z' : '2024-10-27T00:00:00.000Z']);
  });
});

describe('in with a QuerySet', () => {
  test('becomes a subquery: one statement, same rows as the awaited list', async () => {
    const inner = Item.objects.filter({ qty__lt: 3 }).valuesList('id', { flat: true });
    const { result, queries } = await captureQueries(() => names(Item.objects.filter({ id__in: inner })));
    assert.deepEqual(result, ['100% cotton', 'snake_case']);
    assert.equal(queries.length, 1);
    assert.match(queries[0]!.sql, /IN \(SELECT/);
  });

  test('a QuerySet of instances compares primary keys', async () => {
    assert.deepEqual(await names(Item.objects.filter({ id__in: Item.objects.filter({ qty__lt: 3 }) })), ['100% cotton', 'snake_case']);
  });

  test('a subquery selecting two columns is refused, naming the fix', async () => {
    await assert.rejects(async () => Item.objects.filter({ id__in: Item.objects.values('id', 'qty') }), /one column[\s\S]*valuesList/);
  });

  test('works with the awaited list of keys', async () => {
    const ids = await Item.objects.filter({ qty__lt: 3 }).valuesList<number>('id', { flat: true });
    assert.deepEqual(await names(Item.objects.filter({ id__in: ids })), ['100% cotton', 'snake_case']);
  });
});
