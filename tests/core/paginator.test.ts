// Expected values come from Django 5.2's Paginator on the same inputs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Paginator, Page, EmptyPage, PageNotAnInteger, InvalidPage, PaginatorNotCountedError } from '../../src/core/paginator.ts';
import { Model, CharField, IntegerField, connections, createTables, captureQueries } from '../../src/db/index.ts';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('Paginator over an array', () => {
  const p = new Paginator(range(1, 24), 5, { orphans: 2 });

  test('counts pages with orphans folded into the last page', async () => {
    assert.equal(p.count, 23);
    assert.equal(p.numPages, 5);
    assert.deepEqual(p.pageRange, [1, 2, 3, 4, 5]);
    const page = await p.page(4);
    assert.deepEqual(page.objectList, [16, 17, 18, 19, 20]);
    assert.equal(page.startIndex(), 16);
    assert.equal(page.endIndex(), 20);
    assert.ok(page.hasNext() && page.hasPrevious() && page.hasOtherPages());
    assert.equal(String(page), '<Page 4 of 5>');
    assert.deepEqual([...(await p.page(5))], [21, 22, 23]);
  });

  test('orphans: a short last page joins the previous one', () => {
    assert.equal(new Paginator(range(0, 10), 5, { orphans: 5 }).numPages, 1);
    assert.equal(new Paginator(range(0, 11), 5, { orphans: 5 }).numPages, 2);
    assert.equal(new Paginator(range(0, 1), 5, { orphans: 5 }).numPages, 1);
  });

  test('validateNumber() accepts integers and integer strings, as Python int() does', () => {
    assert.equal(p.validateNumber(5), 5);
    assert.equal(p.validateNumber('2'), 2);
    assert.equal(p.validateNumber(' 3 '), 3);
    assert.equal(p.validateNumber(2.0), 2);
    assert.equal(p.validateNumber(true), 1);
    for (const bad of ['x', 2.5, null, undefined, '1.0', '']) {
      assert.throws(() => p.validateNumber(bad), (e: unknown) => e instanceof PageNotAnInteger && e instanceof InvalidPage && e.code === 'NUAGES_PAGE_NOT_AN_INTEGER');
    }
    assert.throws(() => p.validateNumber(0), (e: unknown) => e instanceof EmptyPage && /less than 1/.test(e.message));
    assert.throws(() => p.validateNumber(-1), EmptyPage);
    assert.throws(() => p.validateNumber(6), (e: unknown) => e instanceof EmptyPage && /contains no results/.test(e.message));
  });

  test('getPage() falls back to the first page for junk and the last for out of range', async () => {
    assert.equal((await p.getPage('x')).number, 1);
    assert.equal((await p.getPage(null)).number, 1);
    assert.equal((await p.getPage(0)).number, 5);
    assert.equal((await p.getPage(99)).number, 5);
    assert.equal((await p.getPage('2')).number, 2);
  });

  test('an empty list has one empty page, unless allowEmptyFirstPage is false', async () => {
    const e = new Paginator([], 5);
    assert.equal(e.count, 0);
    assert.equal(e.numPages, 1);
    const page = await e.page(1);
    assert.deepEqual(page.objectList, []);
    assert.equal(page.startIndex(), 0);
    assert.equal(page.endIndex(), 0);
    await assert.rejects(e.page(2), EmptyPage);
    const strict = new Paginator([], 5, { allowEmptyFirstPage: false });
    assert.equal(strict.numPages, 0);
    await assert.rejects(strict.page(1), /contains no results/);
    await assert.rejects(strict.getPage(1), /less than 1/);
  });

  test('next and previous page numbers refuse to leave the range', async () => {
    const q = new Paginator(range(0, 100), 2);
    assert.throws(() => Page.prototype.previousPageNumber.call(new Page([], 1, q)), EmptyPage);
    assert.equal((await q.page(2)).previousPageNumber(), 1);
    assert.throws(() => new Page([], 50, q).nextPageNumber(), EmptyPage);
  });

  test('error messages can be replaced', async () => {
    const custom = new Paginator([1], 1, { errorMessages: { noResults: 'Nothing on page %(page)s' } });
    await assert.rejects(custom.page(3), /^EmptyPage: Nothing on page 3$/);
  });

  test('getElidedPageRange() matches Django around the current page and at the ends', () => {
    const q = new Paginator(range(0, 100), 2);
    const E = Paginator.ELLIPSIS;
    assert.deepEqual(q.getElidedPageRange(1), [1, 2, 3, 4, E, 49, 50]);
    assert.deepEqual(q.getElidedPageRange(5), [1, 2, 3, 4, 5, 6, 7, 8, E, 49, 50]);
    assert.deepEqual(q.getElidedPageRange(6), [1, 2, 3, 4, 5, 6, 7, 8, 9, E, 49, 50]);
    assert.deepEqual(q.getElidedPageRange(7), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, E, 49, 50]);
    assert.deepEqual(q.getElidedPageRange(10), [1, 2, E, 7, 8, 9, 10, 11, 12, 13, E, 49, 50]);
    assert.deepEqual(q.getElidedPageRange(25), [1, 2, E, 22, 23, 24, 25, 26, 27, 28, E, 49, 50]);
    assert.deepEqual(q.getElidedPageRange(44), [1, 2, E, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
    assert.deepEqual(q.getElidedPageRange(45), [1, 2, E, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
    assert.deepEqual(q.getElidedPageRange(46), [1, 2, E, 43, 44, 45, 46, 47, 48, 49, 50]);
    assert.deepEqual(q.getElidedPageRange(50), [1, 2, E, 47, 48, 49, 50]);
    assert.deepEqual(q.getElidedPageRange(7, { onEachSide: 1, onEnds: 0 }), [E, 6, 7, 8, E]);
    assert.deepEqual(new Paginator(range(0, 20), 2).getElidedPageRange(3), range(1, 11));
    assert.throws(() => q.getElidedPageRange(51), EmptyPage);
  });
});

class Item extends Model<Item>()({
  name: new CharField({ maxLength: 20 }),
  rank: new IntegerField(),
}, { appLabel: 'paging', ordering: ['rank'] }) {}

describe('Paginator over a QuerySet', () => {
  before(async () => {
    connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
    await createTables([Item]);
    for (let i = 1; i <= 12; i++) await Item.objects.create({ name: `item ${i}`, rank: i });
  });
  after(() => connections.closeAll());

  test('counts once and fetches one page per query', async () => {
    const p = new Paginator(Item.objects.all(), 5);
    assert.throws(() => p.count, PaginatorNotCountedError);
    const { queries } = await captureQueries(async () => {
      const page = await p.page(3);
      assert.deepEqual(page.objectList.map((item) => item.rank), [11, 12]);
      await p.page(1);
    });
    assert.equal(queries.length, 3);
    assert.match(queries[0]!.sql, /COUNT/);
    assert.equal(p.count, 12);
    assert.equal(p.numPages, 3);
  });
});
