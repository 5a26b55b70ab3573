import { test, describe, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, IntegerField, ForeignKey, ManyToManyField, CASCADE,
  connections, createTables, atomic, inAtomicBlock, signals,
  onModelWrite, noteModelWrite, hasModelWriteListeners,
  type ModelWriteKind, type ManyRelatedManager, type ModelBase,
} from '../../../src/db/index.ts';
import { captureLogs } from '../../../src/utils/log.ts';
import { nativeSql, testDatabaseSettings } from '../test-database.ts';

connections.configure({ default: testDatabaseSettings() });

class Writer extends Model<Writer>()({
  name: new CharField({ maxLength: 30 }),
}, { appLabel: 'writes' }) {}
interface Writer { pieces: ManyRelatedManager<Piece> }

class Piece extends Model<Piece>()({
  title: new CharField({ maxLength: 30, unique: true }),
  n: new IntegerField({ default: 0 }),
  writers: new ManyToManyField(() => Writer, { relatedName: 'pieces' }),
}, { appLabel: 'writes' }) {}

class Note extends Model<Note>()({
  piece: new ForeignKey(() => Piece, { onDelete: CASCADE }),
  text: new CharField({ maxLength: 30 }),
}, { appLabel: 'writes' }) {}

type Seen = [label: string, using: string, kind: ModelWriteKind];
let seen: Seen[] = [];
const record = (model: typeof ModelBase, using: string, kind: ModelWriteKind): void => {
  seen.push([model._meta.label, using, kind]);
};
let stop: (() => void) | undefined;

const through = () => Piece._meta.getField('writers') as unknown as { throughModel: typeof ModelBase };
const labels = () => seen.map(([label, , kind]) => `${label}:${kind}`);

before(async () => {
  await createTables([Writer, Piece, Note]);
});

after(async () => {
  await connections.closeAll();
});

beforeEach(async () => {
  stop?.();
  await Note.objects.all().delete();
  await Piece.objects.all().delete();
  await Writer.objects.all().delete();
  seen = [];
  stop = onModelWrite(record);
});

afterEach(() => {
  stop?.();
  stop = undefined;
});

describe('onModelWrite(): every ORM write path notifies once per statement', () => {
  test('save() of a new object is an insert, save() of a loaded one an update, on its database', async () => {
    const piece = await Piece.objects.create({ title: 'a' });
    piece.n = 2;
    await piece.save();
    assert.deepEqual(seen, [['writes.Piece', 'default', 'insert'], ['writes.Piece', 'default', 'update']]);
  });

  test('getOrCreate() and updateOrCreate() notify through save(); a get that finds the row notifies nothing', async () => {
    await Piece.objects.getOrCreate({ title: 'a' });
    await Piece.objects.getOrCreate({ title: 'a' });
    await Piece.objects.updateOrCreate({ title: 'a' }, { n: 5 });
    assert.deepEqual(labels(), ['writes.Piece:insert', 'writes.Piece:update']);
  });

  test('bulkCreate() and bulkUpdate() notify although they send no signals', async () => {
    const pieces = await Piece.objects.bulkCreate([new Piece({ title: 'a' }), new Piece({ title: 'b' })]);
    for (const piece of pieces) piece.n = 9;
    await Piece.objects.bulkUpdate(pieces, ['n']);
    assert.deepEqual(labels(), ['writes.Piece:insert', 'writes.Piece:update']);
  });

  test('QuerySet.update() notifies when it changed rows, not when it matched none', async () => {
    await Piece.objects.create({ title: 'a' });
    seen = [];
    assert.equal(await Piece.objects.filter({ title: 'zzz' }).update({ n: 1 }), 0);
    assert.deepEqual(seen, []);
    await Piece.objects.filter({ title: 'a' }).update({ n: 1 });
    assert.deepEqual(labels(), ['writes.Piece:update']);
  });

  test('the fast delete path (no signals, one DELETE) notifies, cascades included', async () => {
    const piece = await Piece.objects.create({ title: 'a' });
    await Note.objects.create({ piece, text: 'x' });
    seen = [];
    await Piece.objects.all().delete();
    assert.deepEqual(new Set(labels()), new Set(['writes.Note:delete', 'writes.Piece:delete']));
  });

  test('delete() through the collector (signals connected) notifies for each model deleted', async () => {
    const receiver = () => undefined;
    signals.postDelete.connect(receiver, { sender: Note });
    try {
      const piece = await Piece.objects.create({ title: 'a' });
      await Note.objects.create({ piece, text: 'x' });
      seen = [];
      await piece.delete();
      assert.deepEqual(new Set(labels()), new Set(['writes.Note:delete', 'writes.Piece:delete']));
    } finally {
      signals.postDelete.disconnect(receiver, { sender: Note });
    }
  });

  test('m2m add/remove/clear/set notify for the join model and, as m2m, for both models it links', async () => {
    const piece = await Piece.objects.create({ title: 'a' });
    const [w1, w2] = [await Writer.objects.create({ name: 'w1' }), await Writer.objects.create({ name: 'w2' })];
    const join = through().throughModel._meta.label;
    const expected = (kind: ModelWriteKind) => [`${join}:${kind}`, 'writes.Piece:m2m', 'writes.Writer:m2m'];

    for (const [step, kind] of [
      [() => piece.writers.add(w1), 'insert'],
      [() => piece.writers.remove(w1), 'delete'],
      [() => w2.pieces.add(piece), 'insert'],
      [() => piece.writers.clear(), 'delete'],
      [() => piece.writers.set([w1]), 'insert'],
    ] as const) {
      seen = [];
      await step();
      assert.deepEqual(labels().slice(0, 3), expected(kind), `${step} notifies ${kind}`);
    }
  });

  test('rows that change nothing notify nothing: removing an m2m link that does not exist', async () => {
    const piece = await Piece.objects.create({ title: 'a' });
    const writer = await Writer.objects.create({ name: 'w' });
    seen = [];
    await piece.writers.remove(writer);
    assert.deepEqual(seen, []);
  });
});

describe('onModelWrite(): how listeners are called', () => {
  test('a listener runs inside the writer\'s transaction, so it can defer work to its commit', async () => {
    const inside: boolean[] = [];
    const off = onModelWrite(() => void inside.push(inAtomicBlock()));
    try {
      await Piece.objects.create({ title: 'outside' });
      await atomic(() => Piece.objects.create({ title: 'inside' }));
    } finally {
      off();
    }
    assert.deepEqual(inside, [false, true]);
  });

  test('a write waits for the promise a listener returns', async () => {
    let finished = false;
    const off = onModelWrite(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      finished = true;
    });
    try {
      await Piece.objects.create({ title: 'a' });
      assert.equal(finished, true);
    } finally {
      off();
    }
  });

  test('a listener that throws or rejects is logged and the write still succeeds', async () => {
    const throwing = function throwingListener(): void {
      throw new Error('boom');
    };
    const rejecting = async function rejectingListener(): Promise<void> {
      throw new Error('later boom');
    };
    const offs = [onModelWrite(throwing), onModelWrite(rejecting)];
    try {
      const { result, records } = await captureLogs('nuages.db', () => Piece.objects.create({ title: 'a' }));
      assert.equal(typeof result.pk, 'number');
      assert.equal(await Piece.objects.filter({ title: 'a' }).count(), 1);
      assert.equal(records.length, 2);
      assert.match(records[0]!.message, /throwingListener.*writes\.Piece.*'default'.*the write itself succeeded/);
      assert.match(records[1]!.message, /rejectingListener/);
      assert.deepEqual(labels(), ['writes.Piece:insert'], 'the other listeners were still called');
    } finally {
      for (const off of offs) off();
    }
  });

  test('connecting a listener twice calls it once; disconnecting stops it', async () => {
    const again = onModelWrite(record);
    await Piece.objects.create({ title: 'a' });
    assert.equal(seen.length, 1);
    again();
    await Piece.objects.create({ title: 'b' });
    assert.equal(seen.length, 1, 'the disconnect function of either connection disconnects it');
    assert.equal(hasModelWriteListeners(), false);
  });

  test('noteModelWrite() tells the listeners about a write made with raw SQL', async () => {
    await connections.get().execute({ sql: nativeSql('INSERT INTO writes_writer (name) VALUES (?)'), params: ['raw'] });
    assert.deepEqual(seen, [], 'raw SQL is not seen by itself');
    await noteModelWrite(Writer, 'default', 'insert');
    assert.deepEqual(seen, [['writes.Writer', 'default', 'insert']]);
  });
});
