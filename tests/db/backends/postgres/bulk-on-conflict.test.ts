// bulkCreate() with ON CONFLICT on PostgreSQL, as Django 5 behaves there: ignoreConflicts skips
// colliding rows and reads no keys back; updateConflicts upserts and reads every key back
// (RETURNING), so the objects are saved.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Model, CharField, IntegerField, connections, createTables, captureQueries, UniqueConstraint } from '../../../../src/db/index.ts';
import { postgresTestSettings } from '../../test-database.ts';

connections.configure({ default: postgresTestSettings() });

class Stock extends Model<Stock>()({
  sku: new CharField({ maxLength: 20, unique: true }),
  warehouse: new CharField({ maxLength: 10, default: 'main' }),
  qty: new IntegerField({ default: 0 }),
  note: new CharField({ maxLength: 20, default: '' }),
}, { appLabel: 'pgbulk', constraints: [new UniqueConstraint({ fields: ['warehouse', 'note'], name: 'stock_wh_note' })] }) {}

before(() => createTables([Stock]));
after(() => connections.closeAll());
beforeEach(async () => {
  await Stock.objects.all().delete();
  await Stock.objects.bulkCreate([new Stock({ sku: 'a', qty: 1, note: 'n1' }), new Stock({ sku: 'b', qty: 2, note: 'n2' })]);
});

const rows = async () => (await Stock.objects.orderBy('sku').valuesList('sku', 'qty', 'note')) as unknown[];

test('ignoreConflicts writes ON CONFLICT DO NOTHING, skips collisions and leaves keys unset', async () => {
  const objs = [new Stock({ sku: 'a', qty: 10, note: 'x1' }), new Stock({ sku: 'c', qty: 3, note: 'n3' })];
  const { queries } = await captureQueries(() => Stock.objects.bulkCreate(objs, { ignoreConflicts: true }));
  const insert = queries.find((q) => q.sql.startsWith('INSERT'))!;
  assert.match(insert.sql, / ON CONFLICT DO NOTHING$/);
  assert.doesNotMatch(insert.sql, /RETURNING/);
  assert.deepEqual(objs.map((o) => o.pk), [null, null]);
  assert.deepEqual(await rows(), [['a', 1, 'n1'], ['b', 2, 'n2'], ['c', 3, 'n3']]);
});

test('updateConflicts upserts the named fields and reads every key back with RETURNING', async () => {
  const existing = await Stock.objects.get({ sku: 'a' });
  const objs = [new Stock({ sku: 'a', qty: 10, note: 'changed' }), new Stock({ sku: 'd', qty: 4, note: 'n4' })];
  const { queries } = await captureQueries(() =>
    Stock.objects.bulkCreate(objs, { updateConflicts: true, uniqueFields: ['sku'], updateFields: ['qty'] }));
  const insert = queries.find((q) => q.sql.startsWith('INSERT'))!;
  assert.match(insert.sql, /ON CONFLICT\("sku"\) DO UPDATE SET "qty" = EXCLUDED\."qty" RETURNING "id"$/);
  assert.equal(objs[0]!.pk, existing.pk);
  assert.ok(typeof objs[1]!.pk === 'number' && objs[1]!.pk > (existing.pk as number));
  assert.deepEqual(objs.map((o) => o._state.adding), [false, false]);
  // note was not in updateFields: the stored row keeps its own.
  assert.deepEqual(await rows(), [['a', 10, 'n1'], ['b', 2, 'n2'], ['d', 4, 'n4']]);
});

test('updateConflicts on a multi-column unique constraint', async () => {
  await Stock.objects.bulkCreate([new Stock({ sku: 'z', warehouse: 'main', note: 'n2', qty: 99 })], {
    updateConflicts: true, uniqueFields: ['warehouse', 'note'], updateFields: ['qty'],
  });
  assert.deepEqual(await rows(), [['a', 1, 'n1'], ['b', 99, 'n2']]);
});

test('a collision on a constraint other than uniqueFields still raises IntegrityError', async () => {
  await assert.rejects(
    Stock.objects.bulkCreate([new Stock({ sku: 'a', note: 'new' })], { updateConflicts: true, uniqueFields: ['warehouse', 'note'], updateFields: ['qty'] }),
    (error: unknown) => (error as { code?: string }).code === 'NUAGES_DB_INTEGRITY',
  );
});
