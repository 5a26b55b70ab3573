/**
 * Several databases on SQLite: two database files (and a third standing in for a read
 * replica), `using()`, DATABASE_ROUTERS consulted as Django does (dbForRead, dbForWrite,
 * allowRelation, allowMigrate), related managers and prefetch following the instance's
 * database, and ReplicaRouter's routing (round-robin, atomic, sticky after write, a replica
 * that cannot be opened).
 */
import { test, describe, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Model, CharField, ForeignKey, ManyToManyField, CASCADE, connections, createTables, atomic, schemaEditorFor, router,
  ReplicaRouter, CrossDatabaseRelationError, RouterConfigError, runWithRoutingScope, wroteTo,
  type DatabaseRouter, type ManyRelatedManager, type RelatedManager,
} from '../../src/db/index.ts';
import { configure, overrideSettings, resetSettings } from '../../src/conf/index.ts';

class Publisher extends Model<Publisher>()({ name: new CharField({ maxLength: 50 }) }, { appLabel: 'rt' }) {}
interface Publisher { books: RelatedManager<Book> }
class Author extends Model<Author>()({ name: new CharField({ maxLength: 50 }) }, { appLabel: 'rt' }) {}
class Book extends Model<Book>()({
  title: new CharField({ maxLength: 50 }),
  publisher: new ForeignKey(() => Publisher, { onDelete: CASCADE, relatedName: 'books' }),
  authors: new ManyToManyField(() => Author, { relatedName: 'books' }),
}, { appLabel: 'rt' }) {}
interface Book { authors: ManyRelatedManager<Author> }
/** A model of another app, which the analytics router keeps on its own database. */
class Hit extends Model<Hit>()({ path: new CharField({ maxLength: 50 }) }, { appLabel: 'analytics' }) {}

const models = [Publisher, Author, Book, Hit];
const dir = mkdtempSync(join(tmpdir(), 'nuages-routers-'));

/** Sends the analytics app to 'other' and keeps it (and only it) there. */
const analyticsRouter: DatabaseRouter = {
  dbForRead: (model) => (model._meta.appLabel === 'analytics' ? 'other' : undefined),
  dbForWrite: (model) => (model._meta.appLabel === 'analytics' ? 'other' : undefined),
  allowMigrate: (db, appLabel) => (appLabel === 'analytics' ? db === 'other' : db !== 'other'),
};

async function titles(qs: PromiseLike<readonly { title: string }[]>): Promise<string[]> {
  return (await qs).map((b) => b.title).sort();
}

async function freshDatabases(): Promise<void> {
  router.configure(undefined);
  await connections.reset();
  const stamp = Math.random().toString(36).slice(2);
  connections.configure({
    default: { ENGINE: 'sqlite', NAME: join(dir, `default-${stamp}.sqlite3`) },
    other: { ENGINE: 'sqlite', NAME: join(dir, `other-${stamp}.sqlite3`) },
    replica: { ENGINE: 'sqlite', NAME: join(dir, `replica-${stamp}.sqlite3`) },
    // A directory that does not exist: SQLite cannot open the file, as a replica that is down.
    broken: { ENGINE: 'sqlite', NAME: join(dir, 'missing', 'nested', `broken-${stamp}.sqlite3`) },
  });
  for (const alias of ['default', 'other', 'replica']) await createTables(models, { using: alias });
}

before(() => configure({ SECRET_KEY: 'test', BASE_DIR: import.meta.dirname }));
after(async () => {
  router.configure(undefined);
  await connections.reset();
  resetSettings();
  rmSync(dir, { recursive: true, force: true });
});

describe('using() across two database files', () => {
  beforeEach(freshDatabases);

  test('rows written with using() are read only from that database, and instances remember it', async () => {
    await Publisher.objects.using('other').create({ name: 'Elsewhere' });
    await Publisher.objects.create({ name: 'Here' });
    assert.deepEqual((await Publisher.objects.all()).map((p) => p.name), ['Here']);
    const [elsewhere] = await Publisher.objects.using('other');
    assert.equal(elsewhere!.name, 'Elsewhere');
    assert.equal(elsewhere!._state.db, 'other');
  });

  test('save() and delete() of a loaded instance go back to its own database', async () => {
    const p = await Publisher.objects.using('other').create({ name: 'Before' });
    const loaded = await Publisher.objects.using('other').get({ pk: p.pk });
    loaded.name = 'After';
    await loaded.save();
    assert.equal((await Publisher.objects.using('other').get({ pk: p.pk })).name, 'After');
    assert.equal(await Publisher.objects.count(), 0);
    await loaded.delete();
    assert.equal(await Publisher.objects.using('other').count(), 0);
  });

  test('save({ using }) copies an object to another database', async () => {
    const p = await Publisher.objects.create({ name: 'Copied' });
    await p.save({ using: 'other' });
    assert.equal(p._state.db, 'other');
    assert.equal(await Publisher.objects.using('other').filter({ name: 'Copied' }).count(), 1);
    assert.equal(await Publisher.objects.filter({ name: 'Copied' }).count(), 1);
  });

  test('related managers read and write on the database of their instance', async () => {
    const p = await Publisher.objects.using('other').create({ name: 'Other press' });
    const book = await p.books.create({ title: 'Far away' });
    assert.equal(book._state.db, 'other');
    assert.deepEqual(await titles(p.books.all()), ['Far away']);
    assert.equal(await Book.objects.count(), 0);
    const author = await Author.objects.using('other').create({ name: 'Ann' });
    await book.authors.add(author);
    assert.deepEqual((await book.authors.all()).map((a) => a.name), ['Ann']);
    assert.equal(await Author.objects.count(), 0);
  });

  test('prefetchRelated reads each level from the database the rows came from', async () => {
    const p = await Publisher.objects.using('other').create({ name: 'Other press' });
    await Book.objects.using('other').create({ title: 'One', publisher: p });
    await Book.objects.using('other').create({ title: 'Two', publisher: p });
    const [loaded] = await Publisher.objects.using('other').prefetchRelated('books');
    assert.deepEqual(await titles(loaded!.books), ['One', 'Two']);
    const [book] = await Book.objects.using('other').orderBy('title').prefetchRelated('publisher');
    assert.equal(book!.publisher.name, 'Other press');
  });

  test('a new object related to a saved one takes its database, as in Django', async () => {
    const p = await Publisher.objects.using('other').create({ name: 'Other press' });
    const book = new Book({ title: 'Follows', publisher: p });
    assert.equal(book._state.db, 'other');
    await book.save();
    assert.equal(await Book.objects.using('other').filter({ title: 'Follows' }).count(), 1);
  });

  test('relating objects of two databases is refused without a router that allows it', async () => {
    const there = await Publisher.objects.using('other').create({ name: 'There' });
    const here = await Book.objects.create({ title: 'Here', publisher: await Publisher.objects.create({ name: 'Home' }) });
    assert.throws(
      () => { here.publisher = there; },
      (error: unknown) =>
        error instanceof CrossDatabaseRelationError && error.code === 'NUAGES_DB_CROSS_DATABASE_RELATION' &&
        /'other'/.test(error.message) && /'default'/.test(error.message) && /allowRelation/.test(error.message),
    );
    const farAuthor = await Author.objects.using('other').create({ name: 'Far' });
    await assert.rejects(() => here.authors.add(farAuthor), CrossDatabaseRelationError);
    router.configure([{ allowRelation: () => true }]);
    here.publisher = there;
    assert.equal(here.publisherId, there.pk);
  });
});

describe('DATABASE_ROUTERS', () => {
  beforeEach(freshDatabases);

  test('a QuerySet without using() reads through dbForRead and writes through dbForWrite', async () => {
    router.configure([analyticsRouter]);
    await Hit.objects.create({ path: '/a/' });
    await Hit.objects.bulkCreate([new Hit({ path: '/b/' })]);
    assert.deepEqual(await connections.get('other').fetchOne({ sql: 'SELECT COUNT(*) FROM analytics_hit', params: [] }), [2]);
    assert.deepEqual(await connections.get('default').fetchOne({ sql: 'SELECT COUNT(*) FROM analytics_hit', params: [] }), [0]);
    assert.equal(await Hit.objects.count(), 2);
    assert.equal(Hit.objects.all().db, 'other');
    assert.equal(Publisher.objects.all().db, 'default');
    const hit = await Hit.objects.get({ path: '/a/' });
    assert.equal(hit._state.db, 'other');
    assert.equal(await Hit.objects.filter({ path: '/b/' }).update({ path: '/c/' }), 1);
    await Hit.objects.filter({ path: '/c/' }).delete();
    assert.deepEqual((await Hit.objects.all()).map((h) => h.path), ['/a/']);
  });

  test('the first router with an opinion wins, later ones are not asked', async () => {
    const asked: string[] = [];
    router.configure([
      { dbForRead: () => { asked.push('first'); return undefined; } },
      { dbForRead: () => { asked.push('second'); return 'other'; } },
      { dbForRead: () => { asked.push('third'); return 'default'; } },
    ]);
    assert.equal(Publisher.objects.all().db, 'other');
    assert.deepEqual(asked, ['first', 'second']);
  });

  test('routers get the instance as a hint from related managers, save() and delete()', async () => {
    const seen: [string, string | null][] = [];
    const spy: DatabaseRouter = {
      dbForRead: (model, hints) => { seen.push([`read ${model._meta.modelName}`, hints.instance?._state.db ?? null]); return undefined; },
      dbForWrite: (model, hints) => { seen.push([`write ${model._meta.modelName}`, hints.instance?._state.db ?? null]); return undefined; },
    };
    const p = await Publisher.objects.using('other').create({ name: 'P' });
    router.configure([spy]);
    await p.books.count();
    p.name = 'Q';
    await p.save();
    await p.delete();
    // Calls without an instance (the QuerySets' own) are left out; those with one carry it.
    assert.deepEqual(seen.filter(([what, db]) => db !== null && what !== 'write book'), [
      ['read book', 'other'],
      ['write publisher', 'other'],
      ['write publisher', 'other'],
    ]);
  });

  test('routers named by module#Export strings in settings are imported and instantiated once', async () => {
    const spec = 'nuages/db#ReplicaRouter';
    await overrideSettings({ DATABASE_ROUTERS: [spec], DATABASE_REPLICAS: { default: ['replica'] } }, async () => {
      assert.ok(router.routers[0] instanceof ReplicaRouter);
      assert.equal(router.routers[0], router.routers[0]);
      assert.equal(Publisher.objects.all().db, 'replica');
    });
    assert.equal(Publisher.objects.all().db, 'default');
    await overrideSettings({ DATABASE_ROUTERS: ['./no-such-router#Nope'] }, () => {
      assert.throws(() => Publisher.objects.all().db, (e: unknown) => e instanceof RouterConfigError && /no-such-router/.test(e.message));
    });
    await overrideSettings({ DATABASE_ROUTERS: [{ notARouter: true } as never] }, () => {
      assert.throws(() => router.routers, RouterConfigError);
    });
  });

  test('allowMigrate keeps tables off the databases a router refuses', async () => {
    await connections.reset();
    connections.configure({
      default: { ENGINE: 'sqlite', NAME: ':memory:' },
      other: { ENGINE: 'sqlite', NAME: ':memory:' },
    });
    router.configure([analyticsRouter]);
    assert.deepEqual(await createTables(models, { using: 'other' }), ['analytics_hit']);
    assert.deepEqual((await createTables(models, { using: 'default' })).sort(), ['rt_author', 'rt_book', 'rt_book_authors', 'rt_publisher']);
    // The migration executor goes through the schema editor, which skips refused models too.
    const editor = schemaEditorFor(connections.get('other'));
    await editor.createModel(Publisher);
    assert.deepEqual((await editor.tableNames()).sort(), ['analytics_hit']);
    assert.equal(router.allowMigrate('other', 'rt', 'publisher'), false);
    assert.equal(router.allowMigrate('default', 'rt'), true);
  });
});

describe('ReplicaRouter on SQLite files', () => {
  let replicaRouter: ReplicaRouter;
  beforeEach(async () => {
    await freshDatabases();
    replicaRouter = new ReplicaRouter({ replicas: { default: ['replica', 'other'] } });
    router.configure([replicaRouter]);
  });

  test('reads take turns over the replicas; writes go to the primary', async () => {
    assert.deepEqual([1, 2, 3, 4].map(() => Publisher.objects.all().db), ['replica', 'other', 'replica', 'other']);
    await Publisher.objects.create({ name: 'Primary only' });
    assert.equal(await Publisher.objects.using('default').count(), 1);
    assert.equal(await Publisher.objects.using('replica').count(), 0);
  });

  test('an object read from a replica is saved to the primary and may be related to primary objects', async () => {
    await Publisher.objects.using('replica').create({ name: 'Copy' });
    const copy = await Publisher.objects.get({ name: 'Copy' });
    assert.equal(copy._state.db, 'replica');
    const book = new Book({ title: 'T', publisher: copy });
    assert.equal(book._state.db, 'default');
    copy.name = 'Edited';
    await copy.save();
    assert.equal(copy._state.db, 'default');
    assert.equal(await Publisher.objects.using('default').filter({ name: 'Edited' }).count(), 1);
  });

  test('inside atomic() reads go to the primary', async () => {
    await atomic(async () => {
      assert.equal(Publisher.objects.all().db, 'default');
      await Publisher.objects.create({ name: 'In transaction' });
      assert.equal(await Publisher.objects.count(), 1);
    });
    assert.notEqual(Publisher.objects.all().db, 'default');
  });

  test('after a write, the rest of the routing scope reads from the primary', async () => {
    await runWithRoutingScope(async () => {
      assert.equal(Publisher.objects.all().db, 'replica');
      const p = await Publisher.objects.create({ name: 'Fresh' });
      assert.ok(wroteTo('default'));
      assert.equal((await Publisher.objects.get({ pk: p.pk })).name, 'Fresh');
      assert.equal(await p.books.count(), 0);
    });
    // Outside the scope the write is forgotten: the lagging replica answers.
    assert.equal(await Publisher.objects.filter({ name: 'Fresh' }).count(), 0);
  });

  test('a replica that cannot be opened is skipped and the read runs on the primary', async (t) => {
    const warn = t.mock.method(console, 'warn', () => undefined);
    replicaRouter = new ReplicaRouter({ replicas: { default: ['broken', 'replica'] }, retryAfter: 60 });
    router.configure([replicaRouter]);
    await Publisher.objects.using('default').create({ name: 'On primary' });
    assert.deepEqual((await Publisher.objects.all()).map((p) => p._state.db), ['default']);
    assert.ok(replicaRouter.isDown('broken'));
    assert.equal(warn.mock.callCount(), 1);
    assert.deepEqual([1, 2, 3].map(() => Publisher.objects.all().db), ['replica', 'replica', 'replica']);
    replicaRouter.markAllUp();
    assert.equal(Publisher.objects.all().db, 'broken');
  });

  test('migrations skip the replicas', () => {
    assert.equal(router.allowMigrate('replica', 'rt', 'publisher'), false);
    assert.equal(router.allowMigrate('default', 'rt', 'publisher'), true);
  });
});
