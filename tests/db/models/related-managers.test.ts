/**
 * Related managers: `publisher.books` (reverse ForeignKey) and `post.tags` /
 * `tag.posts` (many-to-many, both sides): scoped QuerySets, add/remove/set/
 * clear/create, and m2mChanged with Django's actions and pkSet. The signal log
 * marked "Django 5.2" was printed by django/managers_oracle.py.
 */
import { test, describe, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, ManyToManyField, connections, createTables, atomic, setRollback, signals, FieldError, ModelStateError,
  type ManyRelatedManager,
} from '../../../src/db/index.ts';
import { assertNumQueries } from '../../../src/test/index.ts';
import { seed, Book, Publisher, Author } from './relations-fixture.ts';

class Tag extends Model<Tag>()({ name: new CharField({ maxLength: 50 }) }, { appLabel: 'mgr' }) {}
interface Tag { posts: ManyRelatedManager<Post> }
class Post extends Model<Post>()({
  title: new CharField({ maxLength: 50 }),
  tags: new ManyToManyField(() => Tag, { relatedName: 'posts' }),
}, { appLabel: 'mgr' }) {}

before(async () => {
  await seed();
  await createTables([Tag, Post]);
});
after(() => connections.closeAll());

/** Runs each test in a transaction rolled back at the end, so the shared rows stay as seeded. */
function rolledBack(fn: () => Promise<void>): () => Promise<void> {
  return () =>
    atomic(async () => {
      try {
        await fn();
      } finally {
        setRollback(true);
      }
    });
}

async function titles(qs: PromiseLike<readonly { title: string }[]>): Promise<string[]> {
  return (await qs).map((b) => b.title).sort();
}

describe('reverse ForeignKey manager (publisher.books)', () => {
  test('is a QuerySet scoped to the instance, refinable like any other', rolledBack(async () => {
    const apress = await Publisher.objects.get({ name: 'Apress' });
    assert.deepEqual(await titles(apress.books), ['Alpha', 'Beta', 'Zeta']);
    assert.deepEqual(await titles(apress.books.filter({ rating__gte: 3 })), ['Alpha', 'Beta']);
    assert.equal(await apress.books.count(), 3);
    assert.equal((await apress.books.orderBy('-pages').first())!.title, 'Alpha');
  }));

  test('create() saves a child pointing at the instance', rolledBack(async () => {
    const dune = await Publisher.objects.get({ name: 'Dune' });
    const book = await dune.books.create({ title: 'New', pages: 1, rating: 1 });
    assert.equal(book.publisherId, dune.pk);
    assert.equal(book.publisher, dune);
    assert.deepEqual(await titles(dune.books), ['New']);
  }));

  test('add() re-points saved children with one UPDATE', rolledBack(async () => {
    const dune = await Publisher.objects.get({ name: 'Dune' });
    const [alpha, beta] = await Book.objects.filter({ title__in: ['Alpha', 'Beta'] }).orderBy('title');
    await assertNumQueries(1, () => dune.books.add(alpha!, beta!));
    assert.equal(alpha!.publisherId, dune.pk);
    assert.deepEqual(await titles(dune.books), ['Alpha', 'Beta']);
  }));

  test('add({ bulk: false }) saves each object, unsaved ones included', rolledBack(async () => {
    const dune = await Publisher.objects.get({ name: 'Dune' });
    const fresh = new Book({ title: 'Fresh', pages: 2, rating: 2 });
    await dune.books.add(fresh, { bulk: false });
    assert.ok(fresh.pk);
    assert.deepEqual(await titles(dune.books), ['Fresh']);
  }));

  test('add() refuses an unsaved object in bulk mode', rolledBack(async () => {
    const dune = await Publisher.objects.get({ name: 'Dune' });
    await assert.rejects(dune.books.add(new Book({ title: 'x', pages: 1, rating: 1 })), ModelStateError);
  }));

  test('remove() and clear() need a nullable key: refused with the fix named', rolledBack(async () => {
    const apress = await Publisher.objects.get({ name: 'Apress' });
    const alpha = await Book.objects.get({ title: 'Alpha' });
    await assert.rejects(apress.books.remove(alpha), (err: Error) => err instanceof FieldError && /null: true/.test(err.message) && /Book\.publisher/.test(err.message));
    await assert.rejects(apress.books.clear(), FieldError);
    assert.equal(await apress.books.count(), 3);
  }));

  test('remove() on a nullable key sets it to NULL; an unrelated object is refused', rolledBack(async () => {
    const ann = await Author.objects.get({ name: 'Ann' });
    const [gamma, zeta] = await Book.objects.filter({ title__in: ['Gamma', 'Zeta'] }).orderBy('title');
    assert.deepEqual(await titles(ann.edited), ['Gamma', 'Zeta']);
    await ann.edited.remove(gamma!);
    assert.equal(gamma!.editorId, null);
    assert.deepEqual(await titles(ann.edited), ['Zeta']);
    const beta = await Book.objects.get({ title: 'Beta' });
    await assert.rejects(ann.edited.remove(beta), ModelStateError);
    void zeta;
  }));

  test('clear() detaches every child of a nullable key', rolledBack(async () => {
    const ann = await Author.objects.get({ name: 'Ann' });
    await ann.edited.clear();
    assert.equal(await ann.edited.count(), 0);
    assert.equal(await Book.objects.filter({ editor__isnull: true }).count(), 4);
  }));

  test('set() keeps what is wanted, detaches the rest and adds the new', rolledBack(async () => {
    const ann = await Author.objects.get({ name: 'Ann' });
    const [beta, zeta] = await Book.objects.filter({ title__in: ['Beta', 'Zeta'] }).orderBy('title');
    await ann.edited.set([beta!, zeta!]);
    assert.deepEqual(await titles(ann.edited), ['Beta', 'Zeta']);
    assert.equal((await Book.objects.get({ title: 'Gamma' })).editorId, null);
  }));

  test('set() on a non-nullable key that would detach rows is refused', rolledBack(async () => {
    const apress = await Publisher.objects.get({ name: 'Apress' });
    const alpha = await Book.objects.get({ title: 'Alpha' });
    await assert.rejects(apress.books.set([alpha]), FieldError);
  }));

  test('assigning to a reverse manager is refused, pointing at set()', async () => {
    const apress = await Publisher.objects.get({ name: 'Apress' });
    assert.throws(() => { (apress as unknown as { books: unknown }).books = []; }, /books\.set\(\)/);
  });

  test('a QuerySet derived from the manager has no add()', async () => {
    const apress = await Publisher.objects.get({ name: 'Apress' });
    const derived = apress.books.filter({ rating: 5 }) as unknown as { add?: (...objs: unknown[]) => Promise<void> };
    if (derived.add) await assert.rejects(derived.add(), FieldError);
  });

  test('an unsaved instance cannot create through its manager', () => {
    const draft = new Publisher({ name: 'Draft' });
    return assert.rejects(draft.books.create({ title: 'x', pages: 1, rating: 1 }), ModelStateError);
  });
});

describe('many-to-many managers, both sides', () => {
  test('book.authors and author.books are scoped QuerySets', rolledBack(async () => {
    const alpha = await Book.objects.get({ title: 'Alpha' });
    const ann = await Author.objects.get({ name: 'Ann' });
    assert.deepEqual((await alpha.authors.orderBy('name')).map((a) => a.name), ['Ann', 'Bob']);
    assert.deepEqual(await titles(ann.books), ['Alpha', 'Gamma', 'Zeta']);
    assert.deepEqual(await titles(ann.books.filter({ publisher__name: 'Apress' })), ['Alpha', 'Zeta']);
  }));

  test('add() from either side writes one join row, and adding twice is harmless', rolledBack(async () => {
    const eps = await Book.objects.get({ title: 'Eps' });
    const fay = await Author.objects.get({ name: 'Fay' });
    await fay.books.add(eps);
    await eps.authors.add(fay);
    assert.deepEqual((await eps.authors).map((a) => a.name), ['Fay']);
    assert.deepEqual(await titles(fay.books), ['Eps']);
  }));

  test('add() accepts primary keys as well as instances', rolledBack(async () => {
    const eps = await Book.objects.get({ title: 'Eps' });
    await eps.authors.add(5, 6);
    assert.deepEqual((await eps.authors.orderBy('pk')).map((a) => a.name), ['Eve', 'Fay']);
  }));

  test('remove() deletes join rows only; the objects stay', rolledBack(async () => {
    const zeta = await Book.objects.get({ title: 'Zeta' });
    const bob = await Author.objects.get({ name: 'Bob' });
    await zeta.authors.remove(bob);
    assert.deepEqual((await zeta.authors.orderBy('name')).map((a) => a.name), ['Ann', 'Eve']);
    assert.equal(await Author.objects.filter({ name: 'Bob' }).count(), 1);
  }));

  test('set() and set({ clear: true }) leave exactly the given set', rolledBack(async () => {
    const zeta = await Book.objects.get({ title: 'Zeta' });
    await zeta.authors.set([1, 4]);
    assert.deepEqual((await zeta.authors.orderBy('pk')).map((a) => a.name), ['Ann', 'Dee']);
    await zeta.authors.set([3], { clear: true });
    assert.deepEqual((await zeta.authors).map((a) => a.name), ['Cid']);
  }));

  test('clear() from the reverse side empties the author’s books', rolledBack(async () => {
    const ann = await Author.objects.get({ name: 'Ann' });
    await ann.books.clear();
    assert.equal(await ann.books.count(), 0);
    assert.deepEqual((await (await Book.objects.get({ title: 'Alpha' })).authors).map((a) => a.name), ['Bob']);
  }));

  test('create() makes the related object and joins it', rolledBack(async () => {
    const eps = await Book.objects.get({ title: 'Eps' });
    const gus = await eps.authors.create({ name: 'Gus', age: 70 });
    assert.ok(gus.pk);
    assert.deepEqual(await titles(gus.books), ['Eps']);
  }));

  test('assigning to the forward side is refused, pointing at set()', async () => {
    const eps = await Book.objects.get({ title: 'Eps' });
    assert.throws(() => { (eps as unknown as { authors: unknown }).authors = []; }, /authors\.set\(\)/);
  });

  test('an unsaved instance cannot use its many-to-many manager', async () => {
    const draft = new Book({ title: 'x', pages: 1, rating: 1, publisherId: 1 });
    await assert.rejects(draft.authors.add(1), ModelStateError);
  });

  test('add() of an unsaved object is refused, naming it', rolledBack(async () => {
    const eps = await Book.objects.get({ title: 'Eps' });
    await assert.rejects(eps.authors.add(new Author({ name: 'Draft', age: 1 })), ModelStateError);
  }));

  test('add() after prefetchRelated() is seen by the manager (the prefetch cache is dropped)', rolledBack(async () => {
    const eps = await Book.objects.prefetchRelated('authors').get({ title: 'Eps' });
    assert.deepEqual(await eps.authors, []);
    await eps.authors.add(6);
    assert.deepEqual((await eps.authors).map((a) => a.name), ['Fay']);
    await eps.authors.clear();
    assert.deepEqual(await eps.authors, []);
  }));
});

describe('m2mChanged', () => {
  test("sends Django's actions, reverse flag, model and pkSet (Django 5.2 log)", async () => {
    const log: unknown[] = [];
    const receiver = ({ action, instance, reverse, model, pkSet }: { action: string; instance: unknown; reverse: boolean; model: { name: string }; pkSet: ReadonlySet<unknown> | null }) => {
      const inst = instance as { constructor: { name: string }; pk: unknown };
      log.push([action, inst.constructor.name, inst.pk, reverse, model.name, pkSet === null ? null : [...pkSet].sort()]);
    };
    const through = (Post._meta.getField('tags') as ManyToManyField).throughModel;
    signals.m2mChanged.connect(receiver as never, { sender: through });
    try {
      const [t1, t2, t3, t4] = [await Tag.objects.create({ name: 'a' }), await Tag.objects.create({ name: 'b' }), await Tag.objects.create({ name: 'c' }), await Tag.objects.create({ name: 'd' })];
      const post = await Post.objects.create({ title: 'p' });
      await post.tags.add(t1!, t2!);
      await post.tags.add(t1!, t3!);
      await post.tags.remove(t1!, t4!);
      await post.tags.set([t3!, t4!]);
      await post.tags.set([t1!], { clear: true });
      await post.tags.clear();
      await t2!.posts.add(post);
      await t2!.posts.remove(post);
      await post.tags.create({ name: 'e' });
      assert.deepEqual(log, [
        ['pre_add', 'Post', 1, false, 'Tag', [1, 2]], ['post_add', 'Post', 1, false, 'Tag', [1, 2]],
        ['pre_add', 'Post', 1, false, 'Tag', [3]], ['post_add', 'Post', 1, false, 'Tag', [3]],
        ['pre_remove', 'Post', 1, false, 'Tag', [1, 4]], ['post_remove', 'Post', 1, false, 'Tag', [1, 4]],
        ['pre_remove', 'Post', 1, false, 'Tag', [2]], ['post_remove', 'Post', 1, false, 'Tag', [2]],
        ['pre_add', 'Post', 1, false, 'Tag', [4]], ['post_add', 'Post', 1, false, 'Tag', [4]],
        ['pre_clear', 'Post', 1, false, 'Tag', null], ['post_clear', 'Post', 1, false, 'Tag', null],
        ['pre_add', 'Post', 1, false, 'Tag', [1]], ['post_add', 'Post', 1, false, 'Tag', [1]],
        ['pre_clear', 'Post', 1, false, 'Tag', null], ['post_clear', 'Post', 1, false, 'Tag', null],
        ['pre_add', 'Tag', 2, true, 'Post', [1]], ['post_add', 'Tag', 2, true, 'Post', [1]],
        ['pre_remove', 'Tag', 2, true, 'Post', [1]], ['post_remove', 'Tag', 2, true, 'Post', [1]],
        ['pre_add', 'Post', 1, false, 'Tag', [5]], ['post_add', 'Post', 1, false, 'Tag', [5]],
      ]);
      assert.deepEqual((await post.tags).map((t) => t.name), ['e']);
    } finally {
      signals.m2mChanged.disconnect(receiver as never, { sender: through });
    }
  });
});
