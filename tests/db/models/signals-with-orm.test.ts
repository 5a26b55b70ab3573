import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, IntegerField, ForeignKey, CASCADE, connections, createTables, atomic, signals,
} from '../../../src/db/index.ts';
import { testDatabaseSettings } from '../test-database.ts';

connections.configure({ default: testDatabaseSettings() });

class Shelf extends Model<Shelf>()({ label: new CharField({ maxLength: 20 }) }, { appLabel: 'sig' }) {}
class Tome extends Model<Tome>()({
  title: new CharField({ maxLength: 20 }),
  copies: new IntegerField({ default: 1 }),
  shelf: new ForeignKey(() => Shelf, { onDelete: CASCADE }),
}, { appLabel: 'sig' }) {}

before(async () => {
  await createTables([Shelf, Tome]);
});

after(async () => {
  await connections.closeAll();
});

describe('model signals sent by the ORM', () => {
  test('a receiver connected by the label \'sig.Tome\' gets only Tome saves, with created and updateFields', async () => {
    const seen: unknown[] = [];
    const receiver = ({ instance, created, updateFields, raw }: { instance: unknown; created: boolean; updateFields: ReadonlySet<string> | null; raw: boolean }): void => {
      seen.push([(instance as Tome).title, created, updateFields && [...updateFields], raw]);
    };
    signals.postSave.connect(receiver, { sender: 'sig.Tome' });
    try {
      const shelf = await Shelf.objects.create({ label: 's' });
      const tome = await Tome.objects.create({ title: 't', shelf });
      tome.copies = 2;
      await tome.save({ updateFields: ['copies'] });
    } finally {
      signals.postSave.disconnect(receiver, { sender: 'sig.Tome' });
    }
    assert.deepEqual(seen, [['t', true, null, false], ['t', false, ['copies'], false]]);
  });

  test('an async receiver is awaited before save() resolves', async () => {
    let done = false;
    const receiver = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, 5));
      done = true;
    };
    signals.postSave.connect(receiver, { sender: Shelf });
    try {
      await Shelf.objects.create({ label: 'async' });
      assert.equal(done, true);
    } finally {
      signals.postSave.disconnect(receiver, { sender: Shelf });
    }
  });

  test('a preSave receiver can change the instance before it is written', async () => {
    const receiver = ({ instance }: { instance: unknown }): void => {
      (instance as Shelf).label = (instance as Shelf).label.toUpperCase();
    };
    signals.preSave.connect(receiver, { sender: Shelf });
    try {
      const shelf = await Shelf.objects.create({ label: 'loud' });
      assert.equal((await Shelf.objects.get({ pk: shelf.pk })).label, 'LOUD');
    } finally {
      signals.preSave.disconnect(receiver, { sender: Shelf });
    }
  });

  test('QuerySet.update() sends no save signals, as in Django', async () => {
    let count = 0;
    const receiver = (): void => { count++; };
    signals.postSave.connect(receiver, { sender: Shelf });
    try {
      await Shelf.objects.update({ label: 'bulk' });
    } finally {
      signals.postSave.disconnect(receiver, { sender: Shelf });
    }
    assert.equal(count, 0);
  });

  test('a cascade sends preDelete and postDelete for the dependants with the deleted origin', async () => {
    const shelf = await Shelf.objects.create({ label: 'gone' });
    await Tome.objects.create({ title: 'a', shelf });
    await Tome.objects.create({ title: 'b', shelf });
    const seen: string[] = [];
    const receiver = ({ instance, origin }: { instance: unknown; origin?: unknown }): void => {
      seen.push(`${(instance as Tome).title}:${origin === shelf}`);
    };
    signals.postDelete.connect(receiver, { sender: Tome });
    try {
      await shelf.delete();
    } finally {
      signals.postDelete.disconnect(receiver, { sender: Tome });
    }
    assert.deepEqual(seen.sort(), ['a:true', 'b:true']);
  });

  test('a QuerySet delete sends that QuerySet as the origin', async () => {
    const shelf = await Shelf.objects.create({ label: 'qs' });
    await Tome.objects.create({ title: 'c', shelf });
    const qs = Shelf.objects.filter({ label: 'qs' });
    const origins: unknown[] = [];
    const receiver = ({ origin }: { origin?: unknown }): void => { origins.push(origin); };
    signals.preDelete.connect(receiver);
    try {
      await qs.delete();
    } finally {
      signals.preDelete.disconnect(receiver);
    }
    assert.equal(origins.length, 2);
    assert.ok(origins.every((o) => o === qs));
  });

  test('a throwing postSave receiver inside atomic() rolls the save back', async () => {
    const receiver = (): void => { throw new Error('refused'); };
    signals.postSave.connect(receiver, { sender: Shelf });
    try {
      await assert.rejects(atomic(() => Shelf.objects.create({ label: 'rolled back' })), /refused/);
    } finally {
      signals.postSave.disconnect(receiver, { sender: Shelf });
    }
    assert.equal(await Shelf.objects.filter({ label: 'rolled back' }).count(), 0);
  });
});

test('classPrepared is sent once a model class has its metadata', async () => {
  const { classPrepared } = await import('../../../src/db/models/signals.ts');
  const { Model: M, CharField: C } = await import('../../../src/db/index.ts');
  const prepared: string[] = [];
  const receiver = ({ sender }: { sender: unknown }) => {
    prepared.push((sender as { name: string }).name);
  };
  classPrepared.connect(receiver);
  try {
    class Prepared extends M<Prepared>()({ name: new C({ maxLength: 10 }) }, { appLabel: 'sig_prepared' }) {}
    assert.equal(Prepared._meta.objectName, 'Prepared');
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(prepared.includes('Prepared'));
  } finally {
    classPrepared.disconnect(receiver);
  }
});
