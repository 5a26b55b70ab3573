// The PostgreSQL schema editor, read back through introspection (pg_catalog): identity keys,
// deferred foreign keys, indexes (descending, partial), constraints; and the SQL the Postgres
// operations write for lookups, dates and row locks.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, IntegerField, DateField, DateTimeField, BooleanField, DecimalField, JSONField, UUIDField, BinaryField,
  ForeignKey, CASCADE, connections, createTables, Q, Index, CheckConstraint, UniqueConstraint, IntegrityError, OperationalError,
  atomic, Decimal, DateOnly, ExtractYear, TruncMonth, TransactionManagementError, Count, F, Value, Concat,
} from '../../../../src/db/index.ts';
import { PostgresIntrospection } from '../../../../src/db/backends/postgres/introspection.ts';
import { schemaEditorFor } from '../../../../src/db/schema.ts';
import { postgresTestSettings } from '../../test-database.ts';

connections.configure({ default: postgresTestSettings(), other: postgresTestSettings() });

// Order is declared before Customer on purpose: its foreign key waits for the customer table.
class Order extends Model<Order>()({
  customer: new ForeignKey(() => Customer, { onDelete: CASCADE }),
  orderDate: new DateField(),
  status: new CharField({ maxLength: 10 }),
  total: new IntegerField({ dbDefault: 0 }),
  archived: new BooleanField({ default: false }),
}, {
  appLabel: 'pgs',
  indexes: [
    new Index({ fields: ['customer', '-orderDate'], name: 'order_customer_date' }),
    new Index({ fields: ['status'], name: 'order_open_status', condition: Q({ archived: false }) }),
  ],
  constraints: [
    new CheckConstraint({ condition: Q({ total__gte: 0 }), name: 'order_total_not_negative' }),
    new UniqueConstraint({ fields: ['customer', 'status'], name: 'one_open_per_customer', condition: Q({ status: 'open' }) }),
  ],
  uniqueTogether: [['customer', 'orderDate']],
}) {}

class Customer extends Model<Customer>()({
  name: new CharField({ maxLength: 50, dbIndex: true }),
  code: new CharField({ maxLength: 10, unique: true }),
}, { appLabel: 'pgs' }) {}

class Sample extends Model<Sample>()({
  price: new DecimalField({ maxDigits: 10, decimalPlaces: 2 }),
  at: new DateTimeField({ null: true }),
  data: new JSONField({ null: true }),
  key: new UUIDField({ null: true }),
  blob: new BinaryField({ null: true }),
}, { appLabel: 'pgs' }) {}

const intro = () => new PostgresIntrospection(connections.get('default'));

before(async () => {
  await createTables([Order, Customer, Sample]);
});

after(() => connections.closeAll());

describe('tables', () => {
  test('tableNames() lists the tables of the connection schema only', async () => {
    assert.deepEqual(await schemaEditorFor(connections.get('default')).tableNames(), ['pgs_customer', 'pgs_order', 'pgs_sample']);
    assert.deepEqual(await schemaEditorFor(connections.get('other')).tableNames(), []);
  });

  test('columns carry Postgres types; the automatic key is an identity column', async () => {
    const columns = await intro().columns('pgs_sample');
    const byName = Object.fromEntries(columns.map((c) => [c.name, c]));
    assert.equal(byName['id']!.type, 'bigint');
    assert.equal(byName['id']!.identity, 'BY DEFAULT');
    assert.equal(byName['price']!.type, 'numeric(10,2)');
    assert.equal(byName['at']!.type, 'timestamp with time zone');
    assert.deepEqual([byName['data']!.type, byName['key']!.type, byName['blob']!.type], ['jsonb', 'uuid', 'bytea']);
    const order = Object.fromEntries((await intro().columns('pgs_order')).map((c) => [c.name, c]));
    assert.equal(order['total']!.default, '0');
    assert.equal(order['archived']!.type, 'boolean');
    assert.equal(order['customer_id']!.nullable, false);
  });

  test('a foreign key to a table created later is added when that table appears, deferred to COMMIT', async () => {
    const fks = (await intro().constraints('pgs_order')).filter((c) => c.kind === 'f');
    assert.equal(fks.length, 1);
    assert.match(fks[0]!.definition, /FOREIGN KEY \(customer_id\) REFERENCES pgs_customer\(id\) DEFERRABLE INITIALLY DEFERRED/);
    await atomic(async () => {
      // Deferred: the row may point at a customer inserted later in the same transaction.
      const order = await Order.objects.create({ customerId: 999 as never, orderDate: new DateOnly('2024-01-01'), status: 'x' } as never);
      await Customer.objects.create({ id: 999, name: 'late', code: 'L' } as never);
      await order.delete();
    });
    await assert.rejects(atomic(() => Order.objects.create({ customerId: 12345 as never, orderDate: new DateOnly('2024-01-01'), status: 'x' } as never)), IntegrityError);
  });

  test('check, unique and uniqueTogether constraints are declared', async () => {
    const constraints = await intro().constraints('pgs_order');
    const check = constraints.find((c) => c.name === 'order_total_not_negative');
    assert.match(check!.definition, /CHECK \(\(total >= 0\)\)/);
    assert.ok(constraints.some((c) => c.kind === 'u' && c.columns.join() === 'customer_id,order_date'));
    assert.ok((await intro().constraints('pgs_customer')).some((c) => c.kind === 'u' && c.columns.join() === 'code'));
  });
});

describe('indexes', () => {
  test('a composite index keeps its descending column; a partial index its WHERE', async () => {
    const indexes = Object.fromEntries((await intro().indexes('pgs_order')).map((i) => [i.name, i]));
    assert.match(indexes['order_customer_date']!.definition, /\(customer_id, order_date DESC\)/);
    assert.match(indexes['order_open_status']!.definition, /\(status\) WHERE \(archived = false\)/);
    assert.equal(indexes['one_open_per_customer']!.unique, true);
    assert.match(indexes['one_open_per_customer']!.definition, /WHERE \(\(status\)::text = 'open'::text\)/);
    assert.ok((await intro().indexes('pgs_customer')).some((i) => /\(name\)$/.test(i.definition)));
  });

  test('the conditional unique constraint is enforced', async () => {
    const c = await Customer.objects.create({ name: 'c', code: 'C1' });
    await Order.objects.create({ customer: c, orderDate: new DateOnly('2024-01-01'), status: 'open' });
    await Order.objects.create({ customer: c, orderDate: new DateOnly('2024-01-02'), status: 'closed' });
    await assert.rejects(async () => Order.objects.create({ customer: c, orderDate: new DateOnly('2024-01-03'), status: 'open' }), IntegrityError);
  });
});

describe('operations', () => {
  test('lookups use $n placeholders, UPPER(…::text) for i-lookups and ~ for regex, as Django writes them', () => {
    const { sql } = Customer.objects.filter({ name__icontains: 'a', code__startswith: 'C', name__regex: '^x', code__iregex: 'y' }).toSQL();
    assert.match(sql, /UPPER\("pgs_customer"\."name"::text\) LIKE UPPER\(\$1\)/);
    assert.match(sql, /"pgs_customer"\."code"::text LIKE \$2/);
    assert.match(sql, /"pgs_customer"\."name"::text ~ \$3/);
    assert.match(sql, /"pgs_customer"\."code"::text ~\* \$4/);
  });

  test('a number compared with a column it fits takes the column type; one past the column range stays cast', async () => {
    const order = Order.objects.filter({ customer__in: [1, 2], total__gte: 0, archived: true });
    assert.match(order.toSQL().sql, /\("pgs_order"\."customer_id" IN \(\$1, \$2\)\) AND \("pgs_order"\."total" >= \$3\) AND \("pgs_order"\."archived" = \$4\)$/);
    // Past int4 the value keeps its cast, so the comparison means what it says instead of failing.
    assert.match(Order.objects.filter({ total__lt: 2 ** 40 }).toSQL().sql, /"total" < \$1::bigint/);
    assert.equal(await Order.objects.filter({ total__gt: 2 ** 40, customer__in: [1, 2] }).count(), 0);
    // A computed left side types nothing: its parameter keeps the cast.
    assert.match(Order.objects.annotate({ t: F('total').add(1) }).filter({ t__gt: 3 }).toSQL().sql, /\$2::integer/);
  });

  test('dates use EXTRACT and DATE_TRUNC in the current time zone', async () => {
    await Sample.objects.create({ price: new Decimal('1.50'), at: new Date('2024-12-31T23:30:00Z') });
    const { sql } = Sample.objects.annotate({ y: ExtractYear('at'), m: TruncMonth('at') }).toSQL();
    assert.match(sql, /CAST\(EXTRACT\(YEAR FROM \("pgs_sample"\."at" AT TIME ZONE 'UTC'\)\) AS integer\)/);
    assert.match(sql, /DATE_TRUNC\('month', "pgs_sample"\."at" AT TIME ZONE 'UTC'\) AT TIME ZONE 'UTC'/);
    const [row] = await Sample.objects.annotate({ y: ExtractYear('at'), m: TruncMonth('at') }).values('y', 'm', 'price');
    assert.equal(row!.y, 2024);
    assert.equal((row!.m as Date).toISOString(), '2024-12-01T00:00:00.000Z');
    assert.equal((row!.price as Decimal).toString(), '1.50');
  });

  test('grouping by an expression with parameters names it by position, and ordering by its alias', async () => {
    const qs = Customer.objects.annotate({ tag: Concat('code', Value('!')), len: F('id').add(1000) }).values('tag').annotate({ n: Count('id') }).orderBy('tag');
    assert.match(qs.toSQL().sql, /GROUP BY 1 ORDER BY "tag" ASC$/);
    const rows = await qs;
    assert.ok(rows.every((r) => typeof r.tag === 'string' && r.tag.endsWith('!') && r.n === 1));
  });

  test('slicing without an end writes OFFSET alone', () => {
    assert.match(Customer.objects.all().slice(2).toSQL().sql, / OFFSET 2$/);
  });
});

describe('selectForUpdate()', () => {
  test('compiles FOR UPDATE with nowait, skipLocked, of and noKey', () => {
    assert.match(Order.objects.selectForUpdate().toSQL().sql, / FOR UPDATE$/);
    assert.match(Order.objects.selectForUpdate({ nowait: true }).toSQL().sql, / FOR UPDATE NOWAIT$/);
    assert.match(Order.objects.selectForUpdate({ skipLocked: true, noKey: true }).toSQL().sql, / FOR NO KEY UPDATE SKIP LOCKED$/);
    assert.match(Order.objects.selectRelated('customer').selectForUpdate({ of: ['self'] }).toSQL().sql, / FOR UPDATE OF "pgs_order"$/);
    assert.throws(() => Order.objects.selectForUpdate({ of: ['nope'] }).toSQL(), /neither 'self' nor a relation loaded with selectRelated/);
    assert.throws(() => Order.objects.selectForUpdate({ nowait: true, skipLocked: true }), /nowait or skipLocked, not both/);
  });

  test('outside atomic() it is refused, as in Django, since the lock would end with the statement', async () => {
    await assert.rejects(async () => Customer.objects.selectForUpdate(), TransactionManagementError);
  });

  test('a row locked by another transaction is skipped with skipLocked and refused with nowait', async () => {
    const c = await Customer.objects.create({ name: 'lock', code: 'LK' });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = atomic(async () => {
      await Customer.objects.filter({ pk: c.pk }).selectForUpdate();
      locked();
      await gate;
    });
    await isLocked;
    try {
      const skipped = await atomic(async () => await Customer.objects.filter({ code__in: ['LK', 'C1'] }).selectForUpdate({ skipLocked: true }).valuesList('code', { flat: true }));
      assert.deepEqual(skipped, ['C1']);
      await assert.rejects(atomic(async () => await Customer.objects.filter({ pk: c.pk }).selectForUpdate({ nowait: true })), OperationalError);
    } finally {
      release();
      await holder;
    }
  });
});
