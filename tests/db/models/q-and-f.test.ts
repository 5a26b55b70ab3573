import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, IntegerField, DecimalField, connections, createTables, captureQueries, Q, F, Value, Decimal, FieldError,
} from '../../../src/db/index.ts';
import { testDatabaseSettings } from '../test-database.ts';

connections.configure({ default: testDatabaseSettings() });

class Stock extends Model<Stock>()({
  name: new CharField({ maxLength: 20 }),
  kind: new CharField({ maxLength: 10 }),
  onHand: new IntegerField(),
  reserved: new IntegerField(),
  price: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
  cost: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
}, { appLabel: 'qf', ordering: ['name'] }) {}

const names = async (qs: PromiseLike<Stock[]>): Promise<string[]> => (await qs).map((s) => s.name);

before(async () => {
  await createTables([Stock]);
  for (const [name, kind, onHand, reserved, price, cost] of [
    ['a', 'x', 10, 2, '19.99', '10.00'],
    ['b', 'x', 3, 3, '0.10', '0.20'],
    ['c', 'y', 0, 0, '100.00', '50.00'],
    ['d', 'y', 8, 9, '12345.67', '12345.66'],
  ] as const) {
    await Stock.objects.create({ name, kind, onHand, reserved, price: new Decimal(price), cost: new Decimal(cost) });
  }
});

after(async () => {
  await connections.closeAll();
});

describe('Q objects', () => {
  test('or combines alternatives', async () => {
    assert.deepEqual(await names(Stock.objects.filter(Q({ name: 'a' }).or({ name: 'c' }))), ['a', 'c']);
  });

  test('and within one Q and across Q objects', async () => {
    assert.deepEqual(await names(Stock.objects.filter(Q({ kind: 'x', onHand__gt: 5 }))), ['a']);
    assert.deepEqual(await names(Stock.objects.filter(Q({ kind: 'y' }).and(Q({ onHand__gt: 5 })))), ['d']);
  });

  test('not negates, and nested groups keep their precedence', async () => {
    assert.deepEqual(await names(Stock.objects.filter(Q({ kind: 'x' }).not())), ['c', 'd']);
    const q = Q({ kind: 'x' }).and(Q({ onHand: 3 }).or({ onHand: 10 }).not()).or(Q({ name: 'c' }));
    assert.deepEqual(await names(Stock.objects.filter(q)), ['c']);
    const q2 = Q({ kind: 'y' }).and(Q({ name: 'c' }).or({ name: 'a' }));
    assert.deepEqual(await names(Stock.objects.filter(q2)), ['c']);
  });

  test('Q combined with keyword lookups in the same filter', async () => {
    assert.deepEqual(await names(Stock.objects.filter(Q({ name: 'a' }).or({ name: 'd' }), { kind: 'y' })), ['d']);
  });

  test('exclude with an or-Q removes both alternatives', async () => {
    assert.deepEqual(await names(Stock.objects.exclude(Q({ name: 'a' }).or({ name: 'b' }))), ['c', 'd']);
  });

  test('an empty Q matches everything', async () => {
    assert.equal((await Stock.objects.filter(Q())).length, 4);
  });

  test('xor matches rows where exactly one side holds', async () => {
    assert.deepEqual(await names(Stock.objects.filter(Q({ kind: 'x' }).xor({ onHand__gt: 5 }))), ['b', 'd']);
  });

  test('the SQL parenthesises nested groups', () => {
    const { sql } = Stock.objects.filter(Q({ kind: 'x' }).and(Q({ name: 'a' }).or({ name: 'b' }))).toSQL();
    assert.match(sql, /AND \(/);
  });
});

describe('F expressions', () => {
  test('compare two columns', async () => {
    assert.deepEqual(await names(Stock.objects.filter({ reserved__gte: F('onHand') })), ['b', 'c', 'd']);
    assert.deepEqual(await names(Stock.objects.filter({ price__lt: F('cost') })), ['b']);
  });

  test('arithmetic inside a filter', async () => {
    assert.deepEqual(await names(Stock.objects.filter({ onHand__gt: F('reserved').mul(2) })), ['a']);
    assert.deepEqual(await names(Stock.objects.filter({ onHand: F('reserved').add(8) })), ['a']);
    assert.deepEqual(await names(Stock.objects.filter({ onHand__lt: F('reserved').sub(0) })), ['d']);
  });

  test('decimal arithmetic in a filter stays exact enough to match cents', async () => {
    assert.deepEqual(await names(Stock.objects.filter({ price: F('cost').add(new Decimal('0.01')) })), ['d']);
  });

  test('update with F arithmetic updates atomically in SQL', async () => {
    const { result, queries } = await captureQueries(() => Stock.objects.filter({ kind: 'x' }).update({ onHand: F('onHand').add(1), reserved: F('reserved').sub(1) }));
    assert.equal(result, 2);
    assert.equal(queries.length, 1);
    assert.match(queries[0]!.sql, /"on_hand" = \("?\w*"?\.?"on_hand" \+ \?\)|"on_hand" \+/);
    assert.deepEqual(await Stock.objects.filter({ kind: 'x' }).valuesList('onHand', { flat: true }), [11, 4]);
    await Stock.objects.filter({ kind: 'x' }).update({ onHand: F('onHand').sub(1), reserved: F('reserved').add(1) });
  });

  test('update with F on a decimal field', async () => {
    await Stock.objects.filter({ name: 'a' }).update({ price: F('price').mul(2) });
    assert.equal((await Stock.objects.get({ name: 'a' })).price.toFixed(2), '39.98');
    await Stock.objects.filter({ name: 'a' }).update({ price: new Decimal('19.99') });
  });

  test('Value wraps a literal', async () => {
    assert.deepEqual(await names(Stock.objects.filter({ onHand: Value(3) })), ['b']);
  });

  test('an F naming an unknown field lists the choices', async () => {
    await assert.rejects(async () => Stock.objects.filter({ onHand: F('onHnad') }), (err: Error) => {
      assert.ok(err instanceof FieldError);
      assert.match(err.message, /onHnad/);
      assert.match(err.message, /onHand/);
      return true;
    });
  });

  test('update of an unknown field names the model', async () => {
    await assert.rejects(async () => Stock.objects.update({ nope: 1 }), /Stock[\s\S]*nope|nope[\s\S]*Stock/);
  });

  test('update with a wrong value type is refused before SQL runs', async () => {
    const { queries } = await captureQueries(async () => {
      await assert.rejects(async () => Stock.objects.update({ onHand: 'lots' }), /onHand/);
    });
    assert.equal(queries.length, 0);
  });
});
