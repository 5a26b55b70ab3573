import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { configure } from '../src/conf/index.ts';
import { Http404 } from '../src/http/index.ts';
import { LocmemLoader } from '../src/template/index.ts';
import { RequestFactory } from '../src/test/request-factory.ts';
import { Model, CharField, connections, createTables, MultipleObjectsReturned } from '../src/db/index.ts';
import { NoReverseMatch, reverseLazy } from '../src/urls/index.ts';
import { bookDetail } from './urls/fixtures/shortcuts-urls.ts';
import { render, redirect, getObjectOr404, getListOr404, resolveUrl } from '../src/shortcuts.ts';


configure({
  SECRET_KEY: 'shortcuts-tests',
  ALLOWED_HOSTS: ['testserver'],
  ROOT_URLCONF: 'tests/urls/fixtures/shortcuts-urls',
  TEMPLATES: [{ BACKEND: 'nuages/template', OPTIONS: { loaders: [new LocmemLoader({ 'hi.html': 'Hi {{ name }}' })] } }],
});

class Author extends Model<Author>()({ name: new CharField({ maxLength: 50 }) }, { appLabel: 'shortcuts' }) {
  getAbsoluteUrl() {
    return `/authors/${String(this.pk)}/`;
  }
}

before(async () => {
  connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
  await createTables([Author]);
  await Author.objects.create({ name: 'Ann' });
  await Author.objects.create({ name: 'Bob' });
  await Author.objects.create({ name: 'Bob' });
});
after(() => connections.closeAll());

describe('render()', () => {
  test('renders into an HttpResponse with status and content type', async () => {
    const response = await render(await new RequestFactory().get('/'), 'hi.html', { name: 'Ann' }, { status: 201, contentType: 'text/plain' });
    assert.equal(response.text, 'Hi Ann');
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('Content-Type'), 'text/plain');
  });
});

describe('redirect()', () => {
  test('to a model, a pattern name, a view, a URL, or a relative URL', () => {
    const ann = Object.assign(new Author({ name: 'x' }), { id: 9 });
    assert.equal(redirect(ann).headers.get('Location'), '/authors/9/');
    assert.equal(redirect('book-detail', { id: 3 }).headers.get('Location'), '/books/3/');
    assert.equal(redirect(bookDetail, [4]).headers.get('Location'), '/books/4/');
    assert.equal(redirect('/somewhere/').headers.get('Location'), '/somewhere/');
    assert.equal(redirect('https://example.com').headers.get('Location'), 'https://example.com');
    assert.equal(redirect('../up').headers.get('Location'), '../up');
    assert.equal(redirect(reverseLazy('book-detail', [5])).headers.get('Location'), '/books/5/');
  });

  test('permanent and preserveRequest choose 301, 307 or 308', () => {
    assert.equal(redirect('/x/').status, 302);
    assert.equal(redirect('/x/', {}, { permanent: true }).status, 301);
    assert.equal(redirect('/x/', {}, { preserveRequest: true }).status, 307);
    assert.equal(redirect('/x/', {}, { permanent: true, preserveRequest: true }).status, 308);
  });

  test('a bare name that does not reverse is an error, not a relative URL', () => {
    assert.throws(() => redirect('nope'), NoReverseMatch);
    assert.equal(resolveUrl('nope.html'), 'nope.html');
  });
});

describe('getObjectOr404() and getListOr404()', () => {
  test('return the object, or throw Http404 naming the model', async () => {
    assert.equal((await getObjectOr404(Author, { name: 'Ann' })).name, 'Ann');
    assert.equal((await getObjectOr404(Author.objects.filter({ name: 'Ann' }))).name, 'Ann');
    await assert.rejects(getObjectOr404(Author, { name: 'Zed' }), (e: unknown) => e instanceof Http404 && /No Author matches/.test(e.message));
    await assert.rejects(getObjectOr404(Author, { name: 'Bob' }), MultipleObjectsReturned);
    await assert.rejects(getObjectOr404({} as never, { name: 'Bob' }), TypeError);
  });

  test('getListOr404() returns the matches or throws Http404 when there are none', async () => {
    assert.equal((await getListOr404(Author, { name: 'Bob' })).length, 2);
    await assert.rejects(getListOr404(Author.objects.all(), { name: 'Zed' }), Http404);
  });
});

