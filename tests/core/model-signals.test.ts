// Tests for src/db/models/signals.ts (kept under tests/core/ beside the
// Signal tests while the ORM's tests/db/ folder is being written).
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apps, MODEL_MARKER } from '../../src/conf/index.ts';
import {
  classPrepared,
  m2mChanged,
  ModelSignal,
  postDelete,
  postSave,
  preSave,
} from '../../src/db/models/signals.ts';

class Book {
  static readonly [MODEL_MARKER] = true;
  title = 'Dune';
}
class Author {
  static readonly [MODEL_MARKER] = true;
  name = 'Frank';
}

afterEach(() => apps.clear());

describe('ModelSignal', () => {
  test("a string sender 'app.Model' connects once the model is registered", async () => {
    const signal = new ModelSignal<{ instance: unknown }>({ name: 'test' });
    const seen: string[] = [];
    signal.connect(({ instance }) => void seen.push(String((instance as Book).title)), { sender: 'library.Book' });
    await signal.send(Book, { instance: new Book() });
    assert.deepEqual(seen, []);
    assert.equal(apps.pendingReferences()[0]?.ref, 'library.Book');
    apps.register('library', Book);
    await signal.send(Book, { instance: new Book() });
    await signal.send(Author, { instance: new Author() });
    assert.deepEqual(seen, ['Dune']);
  });

  test('a string sender of a registered model connects at once and disconnects by name', async () => {
    apps.register('library', Book);
    const signal = new ModelSignal<{ instance: unknown }>();
    const r = () => {};
    signal.connect(r, { sender: 'library.book' });
    assert.equal(signal.hasListeners(Book), true);
    assert.equal(signal.disconnect(r, { sender: 'library.Book' }), true);
    assert.equal(signal.hasListeners(Book), false);
  });

  test('a class sender types instance as that model', async () => {
    const titles: string[] = [];
    const r = ({ instance, created }: { instance: Book; created: boolean }) => {
      if (created) titles.push(instance.title);
    };
    postSave.connect(({ instance, created, updateFields, raw, using }) => {
      const book: Book = instance;
      // @ts-expect-error Book has no name
      void instance.name;
      void [updateFields, raw, using];
      r({ instance: book, created });
    }, { sender: Book, dispatchUid: 'typed-test' });
    try {
      await postSave.send(Book, { instance: new Book(), created: true, raw: false, using: 'default', updateFields: null });
      assert.deepEqual(titles, ['Dune']);
    } finally {
      assert.equal(postSave.disconnect(undefined, { sender: Book, dispatchUid: 'typed-test' }), true);
    }
  });

  test('model signals are ModelSignals and carry their names', () => {
    assert.ok(preSave instanceof ModelSignal);
    assert.ok(postDelete instanceof ModelSignal);
    assert.ok(m2mChanged instanceof ModelSignal);
    assert.equal(preSave.name, 'preSave');
    assert.equal(classPrepared.name, 'classPrepared');
  });

  test('preSave payload type requires its arguments', async () => {
    const typeOnly = () => {
      // @ts-expect-error updateFields and friends are required
      void preSave.send(Book, { instance: new Book() });
    };
    void typeOnly;
    assert.deepEqual(await preSave.send(Book, { instance: new Book(), raw: false, using: 'default', updateFields: null }), []);
  });
});
