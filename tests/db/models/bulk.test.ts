import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, IntegerField, DateTimeField, UUIDField, ForeignKey, CASCADE, uuid4, DateField, DecimalField, BooleanField, JSONField,
  connections, createTables, atomic, captureQueries, F, signals,
  IntegrityError, BulkOptionsError, FieldDoesNotExist, ModelStateError,
} from '../../../src/db/index.ts';
import { assertNumQueries } from '../../../src/test/index.ts';
import { DateOnly } from '../../../src/utils/dates.ts';
import { Decimal } from '../../../src/utils/decimal.ts';
import { sqlPattern, testDatabaseSettings, testVendor } from '../test-database.ts';

connections.configure({ default: testDatabaseSettings() });

class Item extends Model<Item>()({
  name: new CharField({ maxLength: 30, unique: true }),
  n: new IntegerField({ default: 0 }),
  score: new IntegerField({ dbDefault: 7 }),
  created: new DateTimeField({ autoNowAdd: true, null: true }),
  updated: new DateTimeField({ autoNow: true, null: true }),
}, { appLabel: 'bulk', ordering: ['name'] }) {}

class Code extends Model<Code>()({
  code: new CharField({ maxLength: 10, primaryKey: true }),
  label: new CharField({ maxLength: 30 }),
}, { appLabel: 'bulk' }) {}

class Token extends Model<Token>()({
  id: new UUIDField({ primaryKey: true, default: uuid4 }),
  label: new CharField({ maxLength: 30 }),
}, { appLabel: 'bulk' }) {}

class Shelf extends Model<Shelf>()({
  name: new CharField({ maxLength: 30 }),
}, { appLabel: 'bulk' }) {}

class Volume extends Model<Volume>()({
  title: new CharField({ maxLength: 30 }),
  shelf: new ForeignKey(() => Shelf, { onDelete: CASCADE, null: true }),
}, { appLabel: 'bulk' }) {}

class Typed extends Model<Typed>()({
  day: new DateField(),
  at: new DateTimeField(),
  amount: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
  ref: new UUIDField(),
  flag: new BooleanField(),
  data: new JSONField({ null: true }),
}, { appLabel: 'bulk' }) {}

const items = (count: number, prefix = 'item'): Item[] =>
  Array.from({ length: count }, (_, i) => new Item({ name: `${prefix}${String(i).padStart(4, '0')}`, n: i }));

before(async () => {
  await createTables([Item, Code, Token, Shelf, Volume, Typed]);
});

after(async () => {
  await connections.closeAll();
});

beforeEach(async () => {
  await Item.objects.all().delete();
  await Code.objects.all().delete();
  await Volume.objects.all().delete();
});

describe('bulkCreate()', () => {
  test('1,000 objects with batchSize 100 take 10 INSERTs in one transaction and get their pks', async () => {
    const objs = items(1000);
    const { result, queries } = await captureQueries(() => Item.objects.bulkCreate(objs, { batchSize: 100 }));
    const inserts = queries.filter((q) => q.sql.startsWith('INSERT'));
    assert.equal(inserts.length, 10);
    assert.deepEqual(queries.map((q) => q.sql.split(' ')[0]), ['BEGIN', ...Array(10).fill('INSERT'), 'COMMIT']);
    assert.match(inserts[0]!.sql, /RETURNING "id"$/);
    assert.equal(result.length, 1000);
    assert.equal(result[0], objs[0], 'returns the same objects');
    const pks = objs.map((o) => o.pk as number);
    assert.ok(pks.every((pk) => Number.isInteger(pk)));
    assert.equal(new Set(pks).size, 1000);
    assert.ok(pks.every((pk, i) => i === 0 || pk > pks[i - 1]!), 'pks follow insertion order');
    assert.ok(objs.every((o) => o._state.adding === false && o._state.db === 'default'));
    assert.equal(await Item.objects.count(), 1000);
    const stored = await Item.objects.get({ pk: objs[123]!.pk });
    assert.equal(stored.name, 'item0123');
    assert.equal(stored.n, 123);
  });

  test('counts 12 queries under assertNumQueries, as Django counts BEGIN and COMMIT', async () => {
    await assertNumQueries(12, () => Item.objects.bulkCreate(items(1000), { batchSize: 100 }));
  });

  test('without batchSize all rows go in one INSERT', async () => {
    const { queries } = await captureQueries(() => Item.objects.bulkCreate(items(300)));
    assert.equal(queries.filter((q) => q.sql.startsWith('INSERT')).length, 1);
  });

  test('fills autoNowAdd, autoNow, defaults and db defaults on the objects and in the rows', async () => {
    const before = Date.now();
    const [a] = await Item.objects.bulkCreate([new Item({ name: 'a' })]);
    assert.ok(a!.created instanceof Date && a!.created.getTime() >= before);
    assert.ok(a!.updated instanceof Date);
    assert.equal(a!.n, 0);
    assert.equal(a!.score, 7);
    const stored = await Item.objects.get({ name: 'a' });
    assert.equal(stored.created!.getTime(), a!.created!.getTime());
    assert.equal(stored.score, 7);
  });

  test('objects that already have a primary key are inserted with it and marked saved', async () => {
    const codes = [new Code({ code: 'FR', label: 'France' }), new Code({ code: 'BE', label: 'Belgium' })];
    const { queries } = await captureQueries(() => Code.objects.bulkCreate(codes));
    const insert = queries.find((q) => q.sql.startsWith('INSERT'))!;
    assert.doesNotMatch(insert.sql, /RETURNING/);
    assert.ok(codes.every((c) => !c._state.adding));
    assert.deepEqual((await Code.objects.orderBy('code')).map((c) => c.label), ['Belgium', 'France']);
  });

  test('a primary key with a default (UUID) is generated before the INSERT', async () => {
    const tokens = await Token.objects.bulkCreate([new Token({ label: 'x' }), new Token({ label: 'y' })]);
    assert.ok(tokens.every((t) => typeof t.id === 'string' && t.id.length === 36));
    assert.equal((await Token.objects.get({ id: tokens[1]!.id })).label, 'y');
  });

  test('sends no preSave or postSave signal', async () => {
    let calls = 0;
    const receiver = (): void => {
      calls++;
    };
    signals.preSave.connect(receiver, { sender: Item });
    signals.postSave.connect(receiver, { sender: Item });
    try {
      await Item.objects.bulkCreate(items(3));
    } finally {
      signals.preSave.disconnect(receiver, { sender: Item });
      signals.postSave.disconnect(receiver, { sender: Item });
    }
    assert.equal(calls, 0);
  });

  test('an empty list returns an empty list and runs no query', async () => {
    const { result, queries } = await captureQueries(() => Item.objects.bulkCreate([]));
    assert.deepEqual(result, []);
    assert.equal(queries.length, 0);
  });

  test('a failing batch leaves nothing written, not even the earlier batches', async () => {
    await Item.objects.create({ name: 'item0150' });
    const objs = items(200);
    const { queries } = await captureQueries(() =>
      assert.rejects(Item.objects.bulkCreate(objs, { batchSize: 100 }), IntegrityError),
    );
    assert.deepEqual(queries.map((q) => q.sql.split(' ')[0]), ['BEGIN', 'INSERT', 'INSERT', 'ROLLBACK']);
    assert.equal(await Item.objects.count(), 1, 'the first batch of 100 was rolled back');
  });

  test("joins the caller's transaction: no BEGIN of its own, rolled back with the caller", async () => {
    const { queries } = await captureQueries(() =>
      assert.rejects(
        atomic(async () => {
          await Item.objects.bulkCreate(items(5), { batchSize: 2 });
          assert.equal(await Item.objects.count(), 5);
          throw new Error('caller failed');
        }),
        /caller failed/,
      ),
    );
    assert.deepEqual(queries.map((q) => q.sql.split(' ')[0]), ['BEGIN', 'INSERT', 'INSERT', 'INSERT', 'SELECT', 'ROLLBACK']);
    assert.equal(await Item.objects.count(), 0);
  });

  test('ignoreConflicts skips colliding rows with ON CONFLICT DO NOTHING and sets no pks', async () => {
    await Item.objects.create({ name: 'taken', n: 1 });
    const objs = [new Item({ name: 'taken', n: 99 }), new Item({ name: 'fresh', n: 2 })];
    const { queries } = await captureQueries(() => Item.objects.bulkCreate(objs, { ignoreConflicts: true }));
    const insert = queries.find((q) => q.sql.startsWith('INSERT'))!;
    assert.match(insert.sql, / ON CONFLICT DO NOTHING$/);
    assert.ok(objs.every((o) => o.pk === null && o._state.adding), 'pks cannot be matched to skipped rows');
    assert.deepEqual((await Item.objects.all()).map((i) => [i.name, i.n]), [['fresh', 2], ['taken', 1]]);
  });

  test('updateConflicts upserts: colliding rows get updateFields, every object gets its pk', async () => {
    const existing = await Item.objects.create({ name: 'taken', n: 1, score: 5 });
    const objs = [new Item({ name: 'taken', n: 50, score: 9 }), new Item({ name: 'fresh', n: 2 })];
    const { queries } = await captureQueries(() =>
      Item.objects.bulkCreate(objs, { updateConflicts: true, uniqueFields: ['name'], updateFields: ['n'] }),
    );
    const insert = queries.find((q) => q.sql.startsWith('INSERT'))!;
    assert.match(insert.sql, / ON CONFLICT\("name"\) DO UPDATE SET "n" = EXCLUDED\."n" RETURNING "id"$/);
    assert.equal(objs[0]!.pk, existing.pk);
    assert.ok(Number.isInteger(objs[1]!.pk));
    const taken = await Item.objects.get({ name: 'taken' });
    assert.equal(taken.n, 50, 'updateFields were overwritten');
    assert.equal(taken.score, 5, 'other fields were kept');
    assert.equal(await Item.objects.count(), 2);
  });

  test('uniqueFields accepts pk for the primary key', async () => {
    await Code.objects.create({ code: 'FR', label: 'old' });
    await Code.objects.bulkCreate([new Code({ code: 'FR', label: 'France' })], {
      updateConflicts: true, uniqueFields: ['pk'], updateFields: ['label'],
    });
    assert.equal((await Code.objects.get({ code: 'FR' })).label, 'France');
  });

  test('contradictory or incomplete options are refused before any query', async () => {
    const objs = items(1);
    const cases: [Record<string, unknown>, RegExp, new (...args: never[]) => Error][] = [
      [{ ignoreConflicts: true, updateConflicts: true }, /mutually exclusive/, BulkOptionsError],
      [{ updateConflicts: true, uniqueFields: ['name'] }, /needs updateFields/, BulkOptionsError],
      [{ updateConflicts: true, updateFields: ['n'] }, /needs uniqueFields/, BulkOptionsError],
      [{ updateConflicts: true, uniqueFields: ['name'], updateFields: ['id'] }, /primary keys in updateFields.*'id'/, BulkOptionsError],
      [{ uniqueFields: ['name'] }, /only apply with updateConflicts/, BulkOptionsError],
      [{ batchSize: 0 }, /positive integer; got 0/, BulkOptionsError],
      [{ batchSize: 1.5 }, /positive integer/, BulkOptionsError],
      [{ updateConflicts: true, uniqueFields: ['name'], updateFields: ['colour'] }, /Item has no field named 'colour'/, FieldDoesNotExist],
    ];
    for (const [options, message, kind] of cases) {
      const { queries } = await captureQueries(() =>
        assert.rejects(Item.objects.bulkCreate(objs, options), (error: Error) => error instanceof kind && message.test(error.message)),
      );
      assert.equal(queries.length, 0, JSON.stringify(options));
    }
    assert.equal(new BulkOptionsError('x').code, 'NUAGES_DB_BULK_OPTIONS');
  });

  test('an unsaved related object is refused; a saved one fills the foreign key', async () => {
    const unsaved = new Shelf({ name: 'new' });
    await assert.rejects(
      Volume.objects.bulkCreate([new Volume({ title: 'a', shelf: unsaved })]),
      (error: Error) => error instanceof ModelStateError && /unsaved related object 'shelf'/.test(error.message),
    );
    const shelf = await Shelf.objects.create({ name: 'saved' });
    const volume = new Volume({ title: 'b', shelf });
    await Volume.objects.bulkCreate([volume]);
    assert.equal((await Volume.objects.get({ pk: volume.pk })).shelfId, shelf.pk);
  });

  test('objects of another model are refused with a TypeError naming the item', async () => {
    await assert.rejects(Item.objects.bulkCreate([new Code({ code: 'X', label: 'x' }) as never]), /item 0 is a Code/);
  });
});

describe('bulkUpdate()', () => {
  test('writes each object its own values with one CASE UPDATE per batch and returns rows matched', async () => {
    const objs = await Item.objects.bulkCreate(items(250));
    for (const obj of objs) {
      obj.n = obj.n * 10;
      obj.score = obj.n + 1;
    }
    const { result, queries } = await captureQueries(() => Item.objects.bulkUpdate(objs, ['n', 'score'], { batchSize: 100 }));
    assert.equal(result, 250);
    assert.deepEqual(queries.map((q) => q.sql.split(' ')[0]), ['BEGIN', 'UPDATE', 'UPDATE', 'UPDATE', 'COMMIT']);
    const update = queries[1]!;
    // PostgreSQL types a CASE of parameters as text: each value is cast to its column's type, as Django does.
    const value = testVendor === 'postgres' ? 'CAST\\(\\? AS integer\\)' : '\\?';
    assert.match(update.sql, sqlPattern(new RegExp(`^UPDATE "bulk_item" SET "n" = CASE WHEN "bulk_item"\\."id" = \\? THEN ${value} WHEN `)));
    assert.match(update.sql, /ELSE NULL END, "score" = CASE WHEN /);
    assert.match(update.sql, sqlPattern(/WHERE "bulk_item"\."id" IN \(\?(, \?){99}\)$/));
    assert.equal(update.params.length, 100 * 2 * 2 + 100);
    const stored = await Item.objects.get({ name: 'item0042' });
    assert.equal(stored.n, 420);
    assert.equal(stored.score, 421);
    assert.equal((await Item.objects.get({ name: 'item0249' })).n, 2490);
  });

  test('dates, datetimes, decimals, UUIDs, booleans and JSON keep their types through the CASE', async () => {
    const rows = await Typed.objects.bulkCreate([
      new Typed({ day: DateOnly.of(2024, 1, 1), at: new Date('2024-01-01T10:00:00Z'), amount: new Decimal('1.50'), ref: '8d9f5c62-2f5e-4c55-9d1e-000000000001', flag: false, data: { a: 1 } }),
      new Typed({ day: DateOnly.of(2024, 1, 2), at: new Date('2024-01-02T10:00:00Z'), amount: new Decimal('2.50'), ref: '8d9f5c62-2f5e-4c55-9d1e-000000000002', flag: true, data: [1] }),
    ]);
    rows[0]!.day = DateOnly.of(2025, 6, 30);
    rows[0]!.at = new Date('2025-06-30T23:59:59.123Z');
    rows[0]!.amount = new Decimal('1234.56');
    rows[0]!.ref = '8d9f5c62-2f5e-4c55-9d1e-0000000000ff';
    rows[0]!.flag = true;
    rows[0]!.data = { nested: { list: [1, 'two', null] } };
    rows[1]!.data = null;
    assert.equal(await Typed.objects.bulkUpdate(rows, ['day', 'at', 'amount', 'ref', 'flag', 'data']), 2);
    const [first, second] = await Typed.objects.orderBy('id');
    assert.equal(first!.day.isoformat(), '2025-06-30');
    assert.equal(first!.at.toISOString(), '2025-06-30T23:59:59.123Z');
    assert.equal(first!.amount.toString(), '1234.56');
    assert.equal(first!.ref, '8d9f5c62-2f5e-4c55-9d1e-0000000000ff');
    assert.equal(first!.flag, true);
    assert.deepEqual(first!.data, { nested: { list: [1, 'two', null] } });
    assert.equal(second!.data, null);
  });

  test('values may be F() expressions evaluated per row', async () => {
    const objs = await Item.objects.bulkCreate(items(3));
    objs[0]!.n = F('n').add(100) as never;
    objs[2]!.n = F('n').mul(3) as never;
    await Item.objects.bulkUpdate(objs, ['n']);
    assert.deepEqual(await Item.objects.valuesList('n', { flat: true }), [100, 1, 6]);
  });

  test('counts only rows that still exist', async () => {
    const objs = await Item.objects.bulkCreate(items(4));
    await Item.objects.filter({ pk: objs[1]!.pk }).delete();
    assert.equal(await Item.objects.bulkUpdate(objs, ['n']), 3);
  });

  test('leaves autoNow fields and fields not named untouched, sends no signals', async () => {
    const [obj] = await Item.objects.bulkCreate([new Item({ name: 'a', n: 1, score: 2 })]);
    const stamp = new Date('2020-01-01T00:00:00Z');
    await Item.objects.filter({ pk: obj!.pk }).update({ updated: stamp });
    let calls = 0;
    const receiver = (): void => {
      calls++;
    };
    signals.preSave.connect(receiver, { sender: Item });
    obj!.n = 5;
    obj!.score = 99;
    try {
      await Item.objects.bulkUpdate([obj!], ['n']);
    } finally {
      signals.preSave.disconnect(receiver, { sender: Item });
    }
    const stored = await Item.objects.get({ pk: obj!.pk });
    assert.equal(stored.n, 5);
    assert.equal(stored.score, 2);
    assert.equal(stored.updated!.getTime(), stamp.getTime());
    assert.equal(calls, 0);
  });

  test('writes foreign keys, by relation name', async () => {
    const [a, b] = await Shelf.objects.bulkCreate([new Shelf({ name: 'a' }), new Shelf({ name: 'b' })]);
    const vols = await Volume.objects.bulkCreate([new Volume({ title: 'x', shelf: a }), new Volume({ title: 'y', shelf: a })]);
    vols[1]!.shelf = b!;
    vols[0]!.shelf = null;
    await Volume.objects.bulkUpdate(vols, ['shelf']);
    assert.deepEqual((await Volume.objects.orderBy('title')).map((v) => v.shelfId), [null, b!.pk]);
  });

  test('a failing batch rolls back the batches before it', async () => {
    const objs = await Item.objects.bulkCreate(items(4));
    objs.forEach((o) => (o.n = 1000));
    objs[3]!.name = objs[0]!.name;
    await assert.rejects(Item.objects.bulkUpdate(objs, ['n', 'name'], { batchSize: 2 }), IntegrityError);
    assert.deepEqual(await Item.objects.valuesList('n', { flat: true }), [0, 1, 2, 3]);
  });

  test('refuses primary keys, unsaved objects, unknown fields and empty field lists', async () => {
    const [saved] = await Item.objects.bulkCreate(items(1));
    await assert.rejects(Item.objects.bulkUpdate([saved!], ['id']), (e: Error) => e instanceof BulkOptionsError && /primary key fields; remove 'id'/.test(e.message));
    await assert.rejects(Item.objects.bulkUpdate([saved!], ['pk']), BulkOptionsError);
    await assert.rejects(
      Item.objects.bulkUpdate([saved!, new Item({ name: 'new' })], ['n']),
      (e: Error) => e instanceof ModelStateError && /item 1 .* has no primary key/.test(e.message),
    );
    await assert.rejects(Item.objects.bulkUpdate([saved!], ['colour']), (e: Error) => e instanceof FieldDoesNotExist && /Item has no field named 'colour'/.test(e.message));
    await assert.rejects(Item.objects.bulkUpdate([saved!], []), (e: Error) => e instanceof BulkOptionsError && /needs the names of the fields/.test(e.message));
    await assert.rejects(Item.objects.bulkUpdate([saved!], ['n'], { batchSize: -1 }), BulkOptionsError);
  });

  test('an empty list returns 0 without a query', async () => {
    const { result, queries } = await captureQueries(() => Item.objects.bulkUpdate([], ['n']));
    assert.equal(result, 0);
    assert.equal(queries.length, 0);
  });

  test('an unsaved related object in a written field is refused', async () => {
    const [vol] = await Volume.objects.bulkCreate([new Volume({ title: 'x' })]);
    vol!.shelf = new Shelf({ name: 'unsaved' });
    await assert.rejects(Volume.objects.bulkUpdate([vol!], ['shelf']), /bulkUpdate\(\) prohibited .* unsaved related object 'shelf'/);
  });
});
