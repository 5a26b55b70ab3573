import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, IntegerField, DecimalField, DateField, DateTimeField, QuerySet,
  connections, createTables, Decimal, DateOnly, captureQueries, F, Q,
  ObjectDoesNotExist, MultipleObjectsReturned,
} from '../../../src/db/index.ts';
import { testDatabaseSettings, testVendor } from '../test-database.ts';

const pg = testVendor === 'postgres';

connections.configure({ default: testDatabaseSettings() });

class ProductQuerySet extends QuerySet<Product> {
  expensive(): this {
    return this.filter({ price__gt: 100 });
  }
}

class Product extends Model<Product>()({
  name: new CharField({ maxLength: 100 }),
  category: new CharField({ maxLength: 20 }),
  price: new DecimalField({ maxDigits: 10, decimalPlaces: 2 }),
  stock: new IntegerField({ null: true }),
  released: new DateField({ null: true }),
  updated: new DateTimeField({ null: true }),
}, { appLabel: 'qs' }) {
  static override objects = ProductQuerySet.asManager(this);

  isExpensive(): boolean {
    return this.price.gt(100);
  }
}

/** A second manager given by the `managers` option, as a function of the base QuerySet. */
class Gadget extends Model<Gadget>()({
  name: new CharField({ maxLength: 20 }),
  live: new IntegerField({ default: 1 }),
}, {
  appLabel: 'qs',
  managers: {
    objects: (qs: QuerySet) => qs.filter({ live: 1 }),
    everything: (qs: QuerySet) => qs,
  },
}) {}

class Counter extends Model<Counter>()({
  n: new IntegerField(),
}, { appLabel: 'qs' }) {}

const names = (rows: readonly Product[]): string[] => rows.map((p) => p.name);

before(async () => {
  await createTables([Product, Counter, Gadget]);
  const data: [string, string, string, number | null, string | null, string | null][] = [
    ['Anvil', 'tools', '150.00', 3, '2023-01-15', '2023-01-15T10:00:00Z'],
    ['Bolt', 'tools', '0.10', 500, '2023-06-01', '2023-06-01T08:30:00Z'],
    ['Chair', 'home', '89.99', null, '2024-02-29', '2024-02-29T23:00:00Z'],
    ['Desk', 'home', '250.00', 7, null, null],
    ['Easel', 'art', '45.50', 0, '2024-06-10', '2024-06-10T12:00:00Z'],
  ];
  for (const [name, category, price, stock, released, updated] of data) {
    await Product.objects.create({
      name, category, price: new Decimal(price), stock,
      released: released === null ? null : new DateOnly(released),
      updated: updated === null ? null : new Date(updated),
    });
  }
});

after(async () => {
  await connections.closeAll();
});

describe('laziness and immutability', () => {
  test('building a QuerySet runs no query until it is awaited', async () => {
    const { result: qs, queries } = await captureQueries(() => ({ qs: Product.objects.filter({ category: 'tools' }).orderBy('name') }));
    assert.equal(queries.length, 0);
    assert.deepEqual(names(await qs.qs), ['Anvil', 'Bolt']);
  });

  test('filter returns a new QuerySet and leaves the original unchanged', async () => {
    const all = Product.objects.all();
    const tools = all.filter({ category: 'tools' });
    assert.notEqual(all, tools);
    assert.equal(await all.count(), 5);
    assert.equal(await tools.count(), 2);
  });

  test('a QuerySet is async-iterable', async () => {
    const seen: string[] = [];
    for await (const p of Product.objects.orderBy('name')) seen.push(p.name);
    assert.deepEqual(seen, ['Anvil', 'Bolt', 'Chair', 'Desk', 'Easel']);
  });

  test('custom QuerySet methods are available on the manager and chain', async () => {
    assert.deepEqual(names(await Product.objects.expensive().orderBy('name')), ['Anvil', 'Desk']);
    assert.deepEqual(names(await Product.objects.filter({ category: 'home' }).expensive()), ['Desk']);
    const anvil = await Product.objects.get({ name: 'Anvil' });
    assert.equal(anvil.isExpensive(), true);
  });
});

describe('managers given in options', () => {
  test('the default manager filters and a second manager sees every row', async () => {
    await Gadget.objects.create({ name: 'on' });
    await Gadget.objects.create({ name: 'off', live: 0 });
    assert.deepEqual((await Gadget.objects.all()).map((g) => g.name), ['on']);
    const everything = (Gadget as unknown as { everything: QuerySet<Gadget> }).everything;
    assert.equal(await everything.count(), 2);
  });
});

describe('ordering', () => {
  test('orderBy with a leading minus sorts descending', async () => {
    assert.deepEqual(names(await Product.objects.orderBy('-price')), ['Desk', 'Anvil', 'Chair', 'Easel', 'Bolt']);
  });

  test('orderBy on several fields', async () => {
    assert.deepEqual(names(await Product.objects.orderBy('category', '-name')), ['Easel', 'Desk', 'Chair', 'Bolt', 'Anvil']);
  });

  test('nulls first and last with F().asc/desc', async () => {
    const last = names(await Product.objects.orderBy(F('stock').asc({ nullsLast: true })));
    assert.deepEqual(last, ['Easel', 'Anvil', 'Desk', 'Bolt', 'Chair']);
    const first = names(await Product.objects.orderBy(F('stock').desc({ nullsFirst: true })));
    assert.deepEqual(first, ['Chair', 'Bolt', 'Desk', 'Anvil', 'Easel']);
  });

  test('by default NULL sorts first ascending on SQLite and last on PostgreSQL', async () => {
    const ordered = names(await Product.objects.orderBy('stock'));
    assert.equal(pg ? ordered.at(-1) : ordered[0], 'Chair');
  });

  test("'?' orders randomly but returns every row", async () => {
    const rows = await Product.objects.orderBy('?');
    assert.deepEqual(names(rows).sort(), ['Anvil', 'Bolt', 'Chair', 'Desk', 'Easel']);
    assert.match(Product.objects.orderBy('?').toSQL().sql, /RANDOM\(\)/i);
  });

  test('reverse flips the ordering', async () => {
    assert.deepEqual(names(await Product.objects.orderBy('name').reverse()), ['Easel', 'Desk', 'Chair', 'Bolt', 'Anvil']);
  });

  test('reverse also flips an ordering set after it, as in Django', async () => {
    assert.deepEqual(names(await Product.objects.reverse().orderBy('name')), ['Easel', 'Desk', 'Chair', 'Bolt', 'Anvil']);
  });

  test('reverse leaves an unordered query unordered', () => {
    assert.doesNotMatch(Product.objects.reverse().toSQL().sql, /ORDER BY/);
  });

  test('distinct values also select the ordering columns, as Django does', async () => {
    // Django 5.2 sends SELECT DISTINCT category, name … ORDER BY name: the rows stay distinct per (category, name).
    const rows = await Product.objects.orderBy('name').values('category').distinct();
    assert.deepEqual(rows.map((r) => r.category), ['tools', 'tools', 'home', 'home', 'art']);
    assert.deepEqual(Object.keys(rows[0]!), ['category']);
    const unordered = await Product.objects.orderBy().values('category').distinct();
    assert.deepEqual(unordered.map((r) => r.category).sort(), ['art', 'home', 'tools']);
  });

  test('ordering by an unknown field names the model and the choices', async () => {
    await assert.rejects(async () => Product.objects.orderBy('nmae'), /nmae[\s\S]*name/);
  });
});

describe('slicing, distinct and values', () => {
  test('slice becomes LIMIT/OFFSET', async () => {
    const qs = Product.objects.orderBy('name').slice(1, 3);
    assert.deepEqual(names(await qs), ['Bolt', 'Chair']);
    assert.match(qs.toSQL().sql, /LIMIT/);
    assert.deepEqual(names(await Product.objects.orderBy('name').slice(3)), ['Desk', 'Easel']);
  });

  test('filtering a sliced QuerySet is refused', () => {
    assert.throws(() => Product.objects.orderBy('name').slice(0, 2).filter({ name: 'x' }), /slice/i);
  });

  test('negative slicing is refused', () => {
    assert.throws(() => Product.objects.slice(-1));
  });

  test('distinct removes duplicate rows', async () => {
    const cats = await Product.objects.orderBy('category').values('category').distinct();
    assert.deepEqual(cats, [{ category: 'art' }, { category: 'home' }, { category: 'tools' }]);
  });

  test('valuesList flat returns plain values', async () => {
    assert.deepEqual(await Product.objects.orderBy('name').valuesList('name', { flat: true }), ['Anvil', 'Bolt', 'Chair', 'Desk', 'Easel']);
  });
});

describe('single objects', () => {
  test('count and exists', async () => {
    assert.equal(await Product.objects.count(), 5);
    assert.equal(await Product.objects.filter({ category: 'none' }).exists(), false);
    assert.equal(await Product.objects.filter({ category: 'art' }).exists(), true);
  });

  test('get raises the model DoesNotExist with Django\'s message', async () => {
    await assert.rejects(async () => Product.objects.get({ name: 'Zed' }), (err: Error) => {
      assert.ok(err instanceof Product.DoesNotExist);
      assert.ok(err instanceof ObjectDoesNotExist);
      assert.equal(err.message, 'Product matching query does not exist.');
      return true;
    });
  });

  test('get raises MultipleObjectsReturned with Django\'s message', async () => {
    await assert.rejects(async () => Product.objects.get({ category: 'tools' }), (err: Error) => {
      assert.ok(err instanceof Product.MultipleObjectsReturned);
      assert.ok(err instanceof MultipleObjectsReturned);
      assert.equal(err.message, 'get() returned more than one Product -- it returned 2!');
      return true;
    });
  });

  test('DoesNotExist of one model is not another model\'s', async () => {
    await assert.rejects(async () => Product.objects.get({ name: 'Zed' }), (err: Error) => !(err instanceof Counter.DoesNotExist));
  });

  test('get by pk', async () => {
    const anvil = await Product.objects.get({ name: 'Anvil' });
    const again = await Product.objects.get({ pk: anvil.pk });
    assert.equal(again.name, 'Anvil');
    assert.ok(again.equals(anvil));
  });

  test('first and last use the pk when unordered and the ordering otherwise', async () => {
    assert.equal((await Product.objects.first())?.name, 'Anvil');
    assert.equal((await Product.objects.last())?.name, 'Easel');
    assert.equal((await Product.objects.orderBy('-price').first())?.name, 'Desk');
    assert.equal((await Product.objects.orderBy('-price').last())?.name, 'Bolt');
    assert.equal(await Product.objects.filter({ name: 'Zed' }).first(), undefined);
  });

  test('latest and earliest', async () => {
    // Verified with Django 5.2 on SQLite: NULL sorts first ascending, so earliest('released') is the undated Desk.
    // PostgreSQL sorts NULL last ascending, first descending: there latest() is the undated Desk.
    assert.equal((await Product.objects.latest('released')).name, pg ? 'Desk' : 'Easel');
    assert.equal((await Product.objects.earliest('released')).name, pg ? 'Anvil' : 'Desk');
    assert.equal((await Product.objects.filter({ released__isnull: false }).earliest('released')).name, 'Anvil');
    assert.equal((await Product.objects.filter({ released__isnull: false }).latest('-price')).name, 'Bolt');
    await assert.rejects(async () => Product.objects.filter({ name: 'Zed' }).latest('released'), Product.DoesNotExist);
  });

  test('inBulk maps pks to instances', async () => {
    const all = await Product.objects.orderBy('name');
    const map = await Product.objects.inBulk([all[0]!.pk, all[2]!.pk, 9999]);
    assert.equal(map.size, 2);
    assert.equal(map.get(all[0]!.pk)?.name, 'Anvil');
    await assert.rejects(async () => Product.objects.inBulk(['Bolt'], { fieldName: 'name' }), /Product\.name/);
    assert.equal((await Product.objects.inBulk()).size, 5);
    assert.equal((await Product.objects.inBulk([])).size, 0);
  });
});

describe('create, getOrCreate, updateOrCreate, update and delete', () => {
  test('getOrCreate returns the existing row or creates one', async () => {
    const [found, created1] = await Product.objects.getOrCreate({ name: 'Anvil' }, { category: 'x', price: '1' });
    assert.equal(created1, false);
    assert.equal(found.category, 'tools');
    const [made, created2] = await Product.objects.getOrCreate({ name: 'Fan' }, { category: 'home', price: '30.00' });
    assert.equal(created2, true);
    assert.ok(made.pk);
    assert.equal((await Product.objects.get({ name: 'Fan' })).price.toFixed(2), '30.00');
    await made.delete();
  });

  test('updateOrCreate updates the found row with defaults', async () => {
    const [p, created] = await Product.objects.updateOrCreate({ name: 'Bolt' }, { stock: 499 });
    assert.equal(created, false);
    assert.equal(p.stock, 499);
    assert.equal((await Product.objects.get({ name: 'Bolt' })).stock, 499);
    const [n, created2] = await Product.objects.updateOrCreate({ name: 'Gong' }, { category: 'art', price: '5' });
    assert.equal(created2, true);
    assert.equal(n.category, 'art');
    await Product.objects.filter({ name: 'Gong' }).delete();
    await Product.objects.filter({ name: 'Bolt' }).update({ stock: 500 });
  });

  test('update returns the number of rows and accepts F arithmetic', async () => {
    await Counter.objects.create({ n: 1 });
    await Counter.objects.create({ n: 2 });
    assert.equal(await Counter.objects.update({ n: F('n').mul(10).add(1) }), 2);
    assert.deepEqual(await Counter.objects.orderBy('n').valuesList('n', { flat: true }), [11, 21]);
    assert.equal(await Counter.objects.filter({ n__gt: 100 }).update({ n: 0 }), 0);
    await Counter.objects.all().delete();
  });

  test('delete returns Django\'s total and per-model counts', async () => {
    await Counter.objects.create({ n: 1 });
    await Counter.objects.create({ n: 2 });
    assert.deepEqual(await Counter.objects.filter({ n: 1 }).delete(), [1, { 'qs.Counter': 1 }]);
    assert.deepEqual(await Counter.objects.all().delete(), [1, { 'qs.Counter': 1 }]);
    // Verified with Django 5.2: deleting nothing returns (0, {}).
    assert.deepEqual(await Counter.objects.all().delete(), [0, {}]);
  });

  test('none() returns nothing and runs no query', async () => {
    const { result, queries } = await captureQueries(async () => [await Product.objects.none(), await Product.objects.none().count()]);
    assert.deepEqual(result, [[], 0]);
    assert.equal(queries.length, 0);
  });
});

describe('set operations', () => {
  test('union, intersection and difference', async () => {
    const tools = Product.objects.filter({ category: 'tools' });
    const cheap = Product.objects.filter({ price__lt: 50 });
    assert.deepEqual(names(await tools.union(cheap).orderBy('name')), ['Anvil', 'Bolt', 'Easel']);
    assert.deepEqual(names(await tools.intersection(cheap)), ['Bolt']);
    assert.deepEqual(names(await tools.difference(cheap)), ['Anvil']);
  });

  test('union with all keeps duplicates', async () => {
    const tools = Product.objects.filter({ category: 'tools' });
    assert.equal((await tools.union(tools, { all: true })).length, 4);
    assert.equal((await tools.union(tools)).length, 2);
  });

  test('filtering after union is refused', () => {
    const tools = Product.objects.filter({ category: 'tools' });
    // Django 5.2 raises NotSupportedError here too.
    assert.throws(() => tools.union(tools).filter({ name: 'x' }), { name: 'NotSupportedError', message: /filter\(\) after union\(\)/ });
    assert.throws(() => tools.difference(tools).exclude({ name: 'x' }), { name: 'NotSupportedError', message: /exclude\(\) after difference\(\)/ });
  });
});

describe('dates, datetimes and explain', () => {
  test('dates truncates and deduplicates', async () => {
    const years = await Product.objects.dates('released', 'year');
    assert.deepEqual(years.map((d) => d.toISOString().slice(0, 10)), ['2023-01-01', '2024-01-01']);
    const months = await Product.objects.dates('released', 'month', 'DESC');
    assert.deepEqual(months.map((d) => d.toISOString().slice(0, 10)), ['2024-06-01', '2024-02-01', '2023-06-01', '2023-01-01']);
    assert.ok(years[0] instanceof DateOnly);
  });

  test('datetimes truncates in UTC by default', async () => {
    const days = await Product.objects.datetimes('updated', 'day');
    assert.deepEqual(days.map((d) => d.toISOString()), [
      '2023-01-15T00:00:00.000Z', '2023-06-01T00:00:00.000Z', '2024-02-29T00:00:00.000Z', '2024-06-10T00:00:00.000Z',
    ]);
  });

  test('explain returns the query plan', async () => {
    const plan = await Product.objects.filter({ name: 'Anvil' }).explain();
    assert.match(plan, pg ? /Scan/ : /SCAN|SEARCH/);
  });
});

describe('iterator', () => {
  test('iterator({ chunkSize }) streams rows in chunks instead of loading them all', async () => {
    class Row extends Model<Row>()({ n: new IntegerField() }, { appLabel: 'qs' }) {}
    await createTables([Row]);
    const db = connections.get('default');
    await db.execute({ sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) INSERT INTO "qs_row" ("n") SELECT x FROM c', params: [] });
    // The connection reads chunkSize rows per step from an open cursor; wrap it to see how far ahead it runs.
    let maxAhead = 0;
    let fetched = 0;
    let consumed = 0;
    let chunkSizeSeen = 0;
    const original = db.iterate.bind(db);
    db.iterate = async function* (query, chunkSize) {
      chunkSizeSeen = chunkSize;
      for await (const row of original(query, chunkSize)) {
        fetched++;
        maxAhead = Math.max(maxAhead, fetched - consumed);
        yield row;
      }
    };
    try {
      let sum = 0;
      for await (const row of Row.objects.orderBy('n').iterator({ chunkSize: 500 })) {
        consumed++;
        sum += row.n;
      }
      assert.equal(consumed, 20000);
      assert.equal(sum, (20000 * 20001) / 2);
      assert.equal(chunkSizeSeen, 500);
      assert.ok(maxAhead <= 500, `read ${maxAhead} rows ahead of the consumer`);
    } finally {
      db.iterate = original;
    }
  });
});
