import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, IntegerField, DateField, BooleanField, ForeignKey, CASCADE, connections, createTables, Q,
  Index, CheckConstraint, UniqueConstraint, IntegrityError,
} from '../../../src/db/index.ts';

// SQLite's DDL read back from sqlite_master; tests/db/backends/postgres/schema-editor.test.ts covers PostgreSQL's.
connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });

class Customer extends Model<Customer>()({
  name: new CharField({ maxLength: 50, dbIndex: true }),
  code: new CharField({ maxLength: 10, unique: true }),
}, { appLabel: 'sch' }) {}

class Order extends Model<Order>()({
  customer: new ForeignKey(() => Customer, { onDelete: CASCADE }),
  orderDate: new DateField(),
  status: new CharField({ maxLength: 10 }),
  total: new IntegerField({ dbDefault: 0 }),
  archived: new BooleanField({ default: false }),
}, {
  appLabel: 'sch',
  indexes: [
    new Index({ fields: ['customer', '-orderDate'], name: 'order_customer_date' }),
    new Index({ fields: ['status'], name: 'order_open_status', condition: Q({ archived: false }) }),
    new Index({ fields: ['total'] }),
  ],
  constraints: [
    new CheckConstraint({ condition: Q({ total__gte: 0 }), name: 'order_total_not_negative' }),
    new UniqueConstraint({ fields: ['customer', 'status'], name: 'one_open_per_customer', condition: Q({ status: 'open' }) }),
  ],
  uniqueTogether: [['customer', 'orderDate']],
}) {}

type MasterRow = [type: string, name: string, tbl: string, sql: string | null];
let master: MasterRow[] = [];

before(async () => {
  await createTables([Customer, Order]);
  master = (await connections.get('default').fetchAll({
    sql: "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN ('sch_customer', 'sch_order')",
    params: [],
  })) as MasterRow[];
});

after(async () => {
  await connections.closeAll();
});

const tableSql = (table: string): string => master.find((r) => r[0] === 'table' && r[1] === table)![3]!;
const indexSql = (name: string): string | undefined => master.find((r) => r[0] === 'index' && r[1] === name)?.[3] ?? undefined;
const indexesOn = (table: string): string[] => master.filter((r) => r[0] === 'index' && r[2] === table && r[3]).map((r) => r[3]!);

describe('tables', () => {
  test('columns, not-null, unique, foreign keys and the db default are declared', () => {
    const sql = tableSql('sch_order');
    assert.match(sql, /"id" integer NOT NULL PRIMARY KEY AUTOINCREMENT/);
    // The implicit pk is a BigAutoField (Django's DEFAULT_AUTO_FIELD in new projects), so keys to it are bigint.
    assert.match(sql, /"customer_id" bigint NOT NULL REFERENCES "sch_customer" \("id"\) DEFERRABLE INITIALLY DEFERRED/);
    assert.match(sql, /"order_date" date NOT NULL/);
    assert.match(sql, /"total" integer DEFAULT 0 NOT NULL/);
    assert.match(tableSql('sch_customer'), /"code" varchar\(10\) NOT NULL UNIQUE/);
  });

  test('check and unconditional unique constraints are part of the table', () => {
    const sql = tableSql('sch_order');
    assert.match(sql, /CONSTRAINT "order_total_not_negative" CHECK \(/);
  });
});

describe('indexes', () => {
  test('a named composite index keeps the field order and descending column', () => {
    assert.match(indexSql('order_customer_date') ?? '', /CREATE INDEX "order_customer_date" ON "sch_order" \("customer_id", "order_date" DESC\)/);
  });

  test('a partial index has a WHERE clause', () => {
    assert.match(indexSql('order_open_status') ?? '', /ON "sch_order" \("status"\) WHERE/);
    assert.match(indexSql('order_open_status') ?? '', /"archived"/);
  });

  test('an unnamed index gets a generated name; dbIndex and foreign keys get indexes', () => {
    const order = indexesOn('sch_order');
    assert.ok(order.some((s) => /\("total"\)/.test(s)), order.join('\n'));
    assert.ok(order.some((s) => /\("customer_id"\)$/.test(s)), order.join('\n'));
    assert.ok(indexesOn('sch_customer').some((s) => /\("name"\)/.test(s)));
  });

  test('uniqueTogether is a table constraint and a conditional UniqueConstraint a partial unique index', () => {
    assert.match(tableSql('sch_order'), /UNIQUE \("customer_id", "order_date"\)/);
    assert.match(indexSql('one_open_per_customer') ?? '', /^CREATE UNIQUE INDEX "one_open_per_customer" .* WHERE/);
  });

  test('SQLite uses the partial index and enforces the conditional unique constraint', async () => {
    const c = await Customer.objects.create({ name: 'c', code: 'C1' });
    await Order.objects.create({ customer: c, orderDate: '2024-01-01' as never, status: 'open' });
    await Order.objects.create({ customer: c, orderDate: '2024-01-02' as never, status: 'closed' });
    await Order.objects.create({ customer: c, orderDate: '2024-01-03' as never, status: 'closed' });
    await assert.rejects(async () => Order.objects.create({ customer: c, orderDate: '2024-01-04' as never, status: 'open' }), IntegrityError);
    const plan = await Order.objects.filter({ status: 'closed', archived: false }).explain();
    assert.match(plan, /order_open_status/);
  });
});
