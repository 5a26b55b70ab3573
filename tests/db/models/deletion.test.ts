import { test, describe, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, IntegerField, ForeignKey, CASCADE, PROTECT, RESTRICT, SET_NULL, SET_DEFAULT, DO_NOTHING,
  connections, createTables, captureQueries, signals, ProtectedError, RestrictedError,
} from '../../../src/db/index.ts';
import { nativeSql, testDatabaseSettings } from '../test-database.ts';

connections.configure({ default: testDatabaseSettings() });

class Author extends Model<Author>()({ name: new CharField({ maxLength: 50 }) }, { appLabel: 'del' }) {}
class Book extends Model<Book>()({
  title: new CharField({ maxLength: 50 }),
  author: new ForeignKey(() => Author, { onDelete: CASCADE, relatedName: 'books' }),
}, { appLabel: 'del' }) {}
class Chapter extends Model<Chapter>()({
  n: new IntegerField(),
  book: new ForeignKey(() => Book, { onDelete: CASCADE, relatedName: 'chapters' }),
}, { appLabel: 'del' }) {}
class Contract extends Model<Contract>()({
  author: new ForeignKey(() => Author, { onDelete: PROTECT, relatedName: 'contracts' }),
}, { appLabel: 'del' }) {}
class Review extends Model<Review>()({
  book: new ForeignKey(() => Book, { onDelete: RESTRICT, relatedName: 'reviews' }),
}, { appLabel: 'del' }) {}
class Critique extends Model<Critique>()({
  book: new ForeignKey(() => Book, { onDelete: RESTRICT, relatedName: 'critiques' }),
  author: new ForeignKey(() => Author, { onDelete: CASCADE, relatedName: 'critiques' }),
}, { appLabel: 'del' }) {}
class Fan extends Model<Fan>()({
  name: new CharField({ maxLength: 50 }),
  favourite: new ForeignKey(() => Author, { onDelete: SET_NULL, null: true, relatedName: 'fans' }),
}, { appLabel: 'del' }) {}
class Ghost extends Model<Ghost>()({
  author: new ForeignKey(() => Author, { onDelete: SET_DEFAULT, default: 1, relatedName: 'ghosts' }),
}, { appLabel: 'del' }) {}
class Log extends Model<Log>()({
  author: new ForeignKey(() => Author, { onDelete: DO_NOTHING, dbConstraint: false, relatedName: 'logs' } as never),
}, { appLabel: 'del' }) {}

const all = [Author, Book, Chapter, Contract, Review, Critique, Fan, Ghost, Log];

before(async () => {
  await createTables(all);
});

beforeEach(async () => {
  for (const model of [...all].reverse()) await connections.get('default').execute({ sql: `DELETE FROM "${model._meta.dbTable}"`, params: [] });
});

after(async () => {
  await connections.closeAll();
});

describe('onDelete', () => {
  test('CASCADE deletes dependants transitively and counts per model', async () => {
    const a = await Author.objects.create({ name: 'A' });
    const b1 = await Book.objects.create({ title: 'b1', author: a });
    await Book.objects.create({ title: 'b2', author: a });
    await Chapter.objects.create({ n: 1, book: b1 });
    await Chapter.objects.create({ n: 2, book: b1 });
    const result = await a.delete();
    assert.deepEqual(result, [5, { 'del.Chapter': 2, 'del.Book': 2, 'del.Author': 1 }]);
    assert.equal(await Book.objects.count(), 0);
    assert.equal(await Chapter.objects.count(), 0);
  });

  test('QuerySet.delete cascades too and returns Django\'s tuple', async () => {
    const a = await Author.objects.create({ name: 'A' });
    await Book.objects.create({ title: 'b1', author: a });
    await Author.objects.create({ name: 'B' });
    assert.deepEqual(await Author.objects.all().delete(), [3, { 'del.Book': 1, 'del.Author': 2 }]);
  });

  test('PROTECT refuses with ProtectedError naming the models and deletes nothing', async () => {
    const a = await Author.objects.create({ name: 'A' });
    await Book.objects.create({ title: 'b', author: a });
    await Contract.objects.create({ author: a });
    await assert.rejects(async () => a.delete(), (err: Error & { protectedObjects?: unknown }) => {
      assert.ok(err instanceof ProtectedError);
      // Verified with Django 5.2: "Cannot delete some instances of model 'Author' because they are
      // referenced through protected foreign keys: 'Contract.author'."
      assert.match(err.message, /Author/);
      assert.match(err.message, /Contract\.author/);
      return true;
    });
    assert.equal(await Author.objects.count(), 1);
    assert.equal(await Book.objects.count(), 1);
  });

  test('RESTRICT allows the delete when the restricting row is itself reached by the cascade', async () => {
    const a = await Author.objects.create({ name: 'A' });
    const b = await Book.objects.create({ title: 'b', author: a });
    await Critique.objects.create({ book: b, author: a });
    await assert.rejects(async () => b.delete(), RestrictedError);
    assert.deepEqual(await a.delete(), [3, { 'del.Critique': 1, 'del.Book': 1, 'del.Author': 1 }]);
  });

  test('RESTRICT refuses a direct delete', async () => {
    const a = await Author.objects.create({ name: 'A' });
    const b = await Book.objects.create({ title: 'b', author: a });
    await Review.objects.create({ book: b });
    await assert.rejects(async () => b.delete(), (err: Error) => {
      assert.ok(err instanceof RestrictedError);
      assert.match(err.message, /Review\.book/);
      return true;
    });
    assert.equal(await Book.objects.count(), 1);
  });

  test('RESTRICT still refuses when the cascade does not also delete the restricting row', async () => {
    const a = await Author.objects.create({ name: 'A' });
    const b = await Book.objects.create({ title: 'b', author: a });
    await Review.objects.create({ book: b });
    // Deleting the author cascades to the book; the review restricts the book and is not itself
    // reached by the cascade, so Django raises RestrictedError.
    await assert.rejects(async () => a.delete(), RestrictedError);
  });

  test('SET_NULL nulls the key and keeps the row', async () => {
    const a = await Author.objects.create({ name: 'A' });
    const fan = await Fan.objects.create({ name: 'f', favourite: a });
    assert.deepEqual(await a.delete(), [1, { 'del.Author': 1 }]);
    await fan.refreshFromDb();
    assert.equal(fan.favouriteId, null);
  });

  test('SET_DEFAULT sets the key to the field default', async () => {
    const keeper = await Author.objects.create({ name: 'Keeper' });
    const a = await Author.objects.create({ name: 'A' });
    await connections.get('default').execute({ sql: nativeSql('UPDATE "del_author" SET "id" = 1 WHERE "id" = ?'), params: [keeper.pk as number] });
    const ghost = await Ghost.objects.create({ author: a });
    await a.delete();
    await ghost.refreshFromDb();
    assert.equal(ghost.authorId, 1);
  });

  test('DO_NOTHING leaves dangling keys alone', async () => {
    const a = await Author.objects.create({ name: 'A' });
    const log = await Log.objects.create({ author: a });
    const id = a.pk;
    await a.delete();
    await log.refreshFromDb();
    assert.equal(log.authorId, id);
  });

  test('deleting an instance clears its pk', async () => {
    const a = await Author.objects.create({ name: 'A' });
    await a.delete();
    assert.equal(a.pk, null);
  });

  test('deleting an unsaved instance is refused', async () => {
    await assert.rejects(async () => new Author({ name: 'x' }).delete(), /Author/);
  });
});

describe('deletion signals', () => {
  test('preDelete and postDelete fire for every collected object, parents after children', async () => {
    const a = await Author.objects.create({ name: 'A' });
    const b = await Book.objects.create({ title: 'b', author: a });
    await Chapter.objects.create({ n: 1, book: b });
    const events: string[] = [];
    const pre = ({ instance }: { instance: unknown }): void => { events.push(`pre:${(instance as object).constructor.name}`); };
    const post = ({ instance }: { instance: unknown }): void => { events.push(`post:${(instance as object).constructor.name}`); };
    signals.preDelete.connect(pre);
    signals.postDelete.connect(post);
    try {
      await Author.objects.filter({ name: 'A' }).delete();
    } finally {
      signals.preDelete.disconnect(pre);
      signals.postDelete.disconnect(post);
    }
    assert.equal(events.filter((e) => e.startsWith('pre:')).length, 3);
    assert.equal(events.filter((e) => e.startsWith('post:')).length, 3);
    assert.ok(events.indexOf('pre:Chapter') < events.indexOf('pre:Author'), events.join(','));
  });

  test('without receivers a QuerySet delete of a leaf model is a single fast DELETE', async () => {
    const a = await Author.objects.create({ name: 'A' });
    await Chapter.objects.create({ n: 1, book: await Book.objects.create({ title: 'b', author: a }) });
    const { queries } = await captureQueries(() => Chapter.objects.all().delete());
    assert.equal(queries.filter((q) => q.sql.startsWith('DELETE')).length, 1);
    assert.equal(queries.filter((q) => q.sql.startsWith('SELECT')).length, 0);
  });

  test('a receiver that throws rolls the whole deletion back', async () => {
    const a = await Author.objects.create({ name: 'A' });
    await Book.objects.create({ title: 'b', author: a });
    const boom = ({ instance }: { instance: unknown }): void => {
      if (instance instanceof Author) throw new Error('boom');
    };
    signals.postDelete.connect(boom);
    try {
      await assert.rejects(async () => a.delete(), /boom/);
    } finally {
      signals.postDelete.disconnect(boom);
    }
    assert.equal(await Author.objects.count(), 1);
    assert.equal(await Book.objects.count(), 1);
  });
});

describe('foreign keys on save', () => {
  test('saving with an unsaved related object is refused with Django\'s message', async () => {
    const unsaved = new Author({ name: 'nobody' });
    await assert.rejects(async () => Book.objects.create({ title: 't', author: unsaved }), {
      message: "save() prohibited to prevent data loss due to unsaved related object 'author'. Save the related object first.",
    });
  });

  test('a key to a missing row fails with IntegrityError', async () => {
    await assert.rejects(async () => Book.objects.create({ title: 't', authorId: 987654 } as never), { name: 'IntegrityError' });
  });

  test('a deleted instance saved again is inserted as a new row', async () => {
    const a = await Author.objects.create({ name: 'again' });
    await a.delete();
    await a.save();
    assert.ok(a.pk);
    assert.equal(await Author.objects.filter({ name: 'again' }).count(), 1);
  });
});
