import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, TextField, IntegerField, BigIntegerField, SmallIntegerField, PositiveIntegerField, FloatField,
  DecimalField, BooleanField, DateField, DateTimeField, TimeField, DurationField, UUIDField, JSONField, EmailField,
  SlugField, URLField, BinaryField, BigAutoField, connections, createTables, captureQueries, Decimal, DateOnly, uuid4, signals,
} from '../../../src/db/index.ts';
import { testDatabaseSettings } from '../test-database.ts';

connections.configure({ default: testDatabaseSettings() });

class Everything extends Model<Everything>()({
  id: new BigAutoField({ primaryKey: true }),
  char: new CharField({ maxLength: 50, default: '' }),
  text: new TextField({ default: '' }),
  int: new IntegerField({ default: 0 }),
  big: new BigIntegerField({ default: 0 }),
  small: new SmallIntegerField({ default: 0 }),
  positive: new PositiveIntegerField({ default: 0 }),
  float: new FloatField({ default: 0 }),
  amount: new DecimalField({ maxDigits: 12, decimalPlaces: 2, default: () => new Decimal('0') }),
  flag: new BooleanField({ default: false }),
  day: new DateField({ null: true }),
  at: new DateTimeField({ null: true }),
  clock: new TimeField({ null: true }),
  span: new DurationField({ null: true }),
  uid: new UUIDField({ default: uuid4 }),
  data: new JSONField({ null: true }),
  email: new EmailField({ default: '' }),
  slug: new SlugField({ default: '' }),
  url: new URLField({ default: '' }),
  blob: new BinaryField({ null: true }),
}, { appLabel: 'mdl' }) {}

class Note extends Model<Note>()({
  title: new CharField({ maxLength: 50 }),
  body: new TextField({ default: '' }),
  views: new IntegerField({ dbDefault: 7 }),
  created: new DateTimeField({ autoNowAdd: true }),
  modified: new DateTimeField({ autoNow: true }),
}, { appLabel: 'mdl' }) {
  shout(): string {
    return this.title.toUpperCase();
  }
}

class Stamped extends Model<Stamped>()({
  created: new DateTimeField({ autoNowAdd: true }),
  label: new CharField({ maxLength: 20, default: 'base' }),
}, { appLabel: 'mdl', abstract: true, ordering: ['-created'] }) {
  describe(): string {
    return `${this.label}@${this.created.toISOString()}`;
  }
}

class Article extends Model<Article, typeof Stamped>(Stamped)({
  headline: new CharField({ maxLength: 100 }),
}, { appLabel: 'mdl' }) {}

class Coded extends Model<Coded>()({
  code: new CharField({ maxLength: 10, primaryKey: true }),
  name: new CharField({ maxLength: 20, dbColumn: 'display_name' }),
}, { appLabel: 'mdl', dbTable: 'custom_coded' }) {}

before(async () => {
  await createTables([Everything, Note, Article, Coded]);
});

after(async () => {
  await connections.closeAll();
});

describe('field values round-trip through the database', () => {
  test('every field type saves and reloads equal', async () => {
    const obj = new Everything({
      char: "It's 100% ü_", text: 'long\ntext', int: -42, big: 9007199254740991, small: -3, positive: 5, float: 0.1 + 0.2,
      amount: new Decimal('12345678.90'), flag: true, day: new DateOnly('2024-02-29'),
      at: new Date('2024-03-31T01:30:00.123Z'), clock: '13:45:30', span: 90061001,
      data: { a: [1, 'two', null], nested: { ok: true } }, email: 'a@example.com', slug: 'a-slug', url: 'https://example.com/x?y=1',
      blob: new Uint8Array([0, 1, 255]),
    });
    await obj.save();
    const got = await Everything.objects.get({ pk: obj.pk });
    assert.equal(got.char, "It's 100% ü_");
    assert.equal(got.text, 'long\ntext');
    assert.equal(got.int, -42);
    assert.equal(got.big, 9007199254740991);
    assert.equal(got.small, -3);
    assert.equal(got.float, 0.1 + 0.2);
    assert.ok(got.amount instanceof Decimal);
    assert.equal(got.amount.toFixed(2), '12345678.90');
    assert.equal(got.flag, true);
    assert.ok(got.day instanceof DateOnly);
    assert.equal(got.day.toISOString().slice(0, 10), '2024-02-29');
    assert.equal(got.at?.toISOString(), '2024-03-31T01:30:00.123Z');
    assert.deepEqual(got.data, { a: [1, 'two', null], nested: { ok: true } });
    assert.equal(got.uid, obj.uid);
    assert.match(String(got.uid), /^[0-9a-f-]{32,36}$/);
    assert.deepEqual([...(got.blob ?? [])], [0, 1, 255]);
    assert.equal(got.url, 'https://example.com/x?y=1');
    assert.equal(got.span, 90061001);
    assert.equal(got.clock, '13:45:30');
  });

  test('a TimeField supports the hour, minute and second lookups', async () => {
    const obj = await Everything.objects.create({ clock: '13:45:30' });
    const mine = Everything.objects.filter({ pk: obj.pk });
    assert.equal(await mine.filter({ clock__hour: 13, clock__minute: 45, clock__second: 30 }).count(), 1);
    assert.equal(await mine.filter({ clock__hour: 12 }).count(), 0);
    assert.equal(await mine.filter({ clock__gt: '13:00' }).count(), 1);
    assert.equal((await mine.get()).clock, '13:45:30');
  });

  test('decimals that floats would round are stored and read back exactly', async () => {
    for (const text of ['19.99', '12345678.90', '0.30', '0.01', '-0.10', '9999999999.99']) {
      const obj = await Everything.objects.create({ amount: new Decimal(text) });
      const got = await Everything.objects.get({ pk: obj.pk });
      assert.equal(got.amount.toFixed(2), text, `${text} survived`);
      assert.equal(await Everything.objects.filter({ pk: obj.pk, amount: text }).count(), 1);
    }
    const sum = new Decimal('0.1').plus('0.2');
    const obj = await Everything.objects.create({ amount: new Decimal(sum) });
    assert.equal((await Everything.objects.get({ pk: obj.pk })).amount.toFixed(2), '0.30');
  });

  test('a decimal string is accepted on assignment and comes back as a Decimal', async () => {
    const obj = await Everything.objects.create({ amount: '19.99' as unknown as Decimal });
    const got = await Everything.objects.get({ pk: obj.pk });
    assert.ok(got.amount instanceof Decimal);
    assert.ok(got.amount.eq('19.99'));
  });

  test('a decimal over maxDigits is reported by fullClean with the field named', async () => {
    const obj = new Everything({ amount: new Decimal('123456789012.5') });
    await assert.rejects(async () => obj.fullClean(), (err: Error & { messageDict?: Record<string, string[]> }) => {
      assert.ok(err.messageDict?.['amount'], JSON.stringify(err.messageDict));
      return true;
    });
  });

  test('dbColumn and dbTable are used in SQL and the pk can be a CharField', async () => {
    const c = await Coded.objects.create({ code: 'X1', name: 'First' });
    assert.equal(c.pk, 'X1');
    const { queries } = await captureQueries(() => Coded.objects.filter({ name: 'First' }).count());
    assert.match(queries[0]!.sql, /"custom_coded"/);
    assert.match(queries[0]!.sql, /"display_name"/);
    assert.equal((await Coded.objects.get({ pk: 'X1' })).name, 'First');
  });
});

describe('save()', () => {
  test('save inserts a new object then updates it, by pk', async () => {
    const note = new Note({ title: 'draft' });
    assert.equal(note.pk, null);
    const { queries: first } = await captureQueries(() => note.save());
    assert.ok(note.pk);
    assert.match(first.at(-1)!.sql, /^INSERT/);
    note.title = 'final';
    const { queries: second } = await captureQueries(() => note.save());
    assert.match(second[0]!.sql, /^UPDATE/);
    assert.equal(second.length, 1);
    assert.equal(await Note.objects.count(), 1);
    assert.equal((await Note.objects.get({ pk: note.pk })).title, 'final');
    await Note.objects.all().delete();
  });

  test('save with updateFields writes only those columns', async () => {
    const note = await Note.objects.create({ title: 't', body: 'b' });
    note.title = 'changed';
    note.body = 'not saved';
    const { queries } = await captureQueries(() => note.save({ updateFields: ['title'] }));
    assert.equal(queries.length, 1);
    assert.doesNotMatch(queries[0]!.sql, /"body"/);
    const got = await Note.objects.get({ pk: note.pk });
    assert.equal(got.title, 'changed');
    assert.equal(got.body, 'b');
  });

  test('save with an unknown updateFields name lists the fields', async () => {
    const note = await Note.objects.create({ title: 'x' });
    await assert.rejects(async () => note.save({ updateFields: ['titel'] }), /titel[\s\S]*title/);
  });

  test('autoNowAdd is set once and autoNow on every save', async () => {
    const note = await Note.objects.create({ title: 'times' });
    const created = note.created;
    const modified = note.modified;
    assert.ok(created instanceof Date);
    await new Promise((r) => setTimeout(r, 5));
    note.title = 'times 2';
    await note.save();
    assert.equal(note.created.getTime(), created.getTime());
    assert.ok(note.modified.getTime() > modified.getTime());
    const got = await Note.objects.get({ pk: note.pk });
    assert.equal(got.created.getTime(), created.getTime());
    assert.equal(got.modified.getTime(), note.modified.getTime());
  });

  test('dbDefault is left to the database on insert and read back', async () => {
    const note = await Note.objects.create({ title: 'dbd' });
    const { queries } = await captureQueries(() => Note.objects.create({ title: 'dbd2' }));
    const insert = queries.find((q) => q.sql.startsWith('INSERT'))!.sql;
    assert.doesNotMatch(insert.slice(0, insert.indexOf('VALUES')), /"views"/);
    await note.refreshFromDb();
    assert.equal(note.views, 7);
    const explicit = await Note.objects.create({ title: 'dbd3', views: 3 });
    assert.equal((await Note.objects.get({ pk: explicit.pk })).views, 3);
  });

  test('save sends preSave and postSave with created', async () => {
    const seen: string[] = [];
    const pre = ({ instance }: { instance: unknown }): void => { seen.push(`pre:${(instance as Note).title}`); };
    const post = ({ instance, created }: { instance: unknown; created: boolean }): void => {
      seen.push(`post:${(instance as Note).title}:${created}`);
    };
    signals.preSave.connect(pre, { sender: Note });
    signals.postSave.connect(post, { sender: Note });
    try {
      const note = await Note.objects.create({ title: 'sig' });
      note.title = 'sig2';
      await note.save();
    } finally {
      signals.preSave.disconnect(pre, { sender: Note });
      signals.postSave.disconnect(post, { sender: Note });
    }
    assert.deepEqual(seen, ['pre:sig', 'post:sig:true', 'pre:sig2', 'post:sig2:false']);
  });

  test('custom methods work on loaded instances', async () => {
    await Note.objects.create({ title: 'loud' });
    assert.equal((await Note.objects.get({ title: 'loud' })).shout(), 'LOUD');
  });

  test('an unknown keyword in the constructor names the model and the field', () => {
    assert.throws(() => new Note({ titel: 'x' } as never), /Note[\s\S]*titel|titel[\s\S]*Note/);
  });
});

describe('refreshFromDb()', () => {
  test('reloads every field, or only the named ones', async () => {
    const note = await Note.objects.create({ title: 'a', body: 'b' });
    await Note.objects.filter({ pk: note.pk }).update({ title: 'A', body: 'B' });
    await note.refreshFromDb({ fields: ['title'] });
    assert.equal(note.title, 'A');
    assert.equal(note.body, 'b');
    await note.refreshFromDb();
    assert.equal(note.body, 'B');
  });

  test('refreshing a deleted row raises DoesNotExist', async () => {
    const note = await Note.objects.create({ title: 'gone' });
    await Note.objects.filter({ pk: note.pk }).delete();
    await assert.rejects(async () => note.refreshFromDb(), Note.DoesNotExist);
  });
});

describe('abstract base models', () => {
  test('a child inherits fields, options and methods; the abstract base has no table', async () => {
    const a = await Article.objects.create({ headline: 'h1' });
    await new Promise((r) => setTimeout(r, 3));
    await Article.objects.create({ headline: 'h2', label: 'x' });
    assert.equal(a.label, 'base');
    assert.ok(a.describe().startsWith('base@'));
    assert.deepEqual((await Article.objects.all()).map((x) => x.headline), ['h2', 'h1']);
    assert.equal(Article._meta.dbTable, 'mdl_article');
    assert.equal(Stamped.abstract, true);
    assert.ok(Article._meta.fields.some((f) => f.name === 'created'));
  });

  test('an abstract model has no manager to query', () => {
    assert.throws(() => (Stamped as unknown as { objects: { all(): unknown } }).objects.all(), {
      name: 'ModelStateError',
      message: /Stamped is abstract/,
    });
  });
});
