import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { configure } from '../../src/conf/index.ts';
import { Http404, type HttpResponse } from '../../src/http/index.ts';
import { LocmemLoader } from '../../src/template/index.ts';
import { RequestFactory } from '../../src/test/request-factory.ts';
import { Model, CharField, IntegerField, connections, createTables, captureQueries } from '../../src/db/index.ts';
import { ListView, DetailView, TemplateResponse, ViewConfigurationError } from '../../src/views/index.ts';
import { Paginator, type Page } from '../../src/core/paginator.ts';

configure({
  SECRET_KEY: 'generic-views-tests',
  ALLOWED_HOSTS: ['testserver'],
  TEMPLATES: [{
    BACKEND: 'nuages/template',
    OPTIONS: {
      loaders: [new LocmemLoader({
        'catalog/book_list.html': '{% for b in bookList %}{{ b.title }};{% endfor %}{% if isPaginated %} page {{ pageObj.number }}/{{ paginator.numPages }}{% endif %}',
        'catalog/book_detail.html': '{{ object.title }}={{ book.title }}',
        'custom.html': 'custom {{ objectList|length }}',
      })],
    },
  }],
});

class Book extends Model<Book>()({
  title: new CharField({ maxLength: 50 }),
  slug: new CharField({ maxLength: 50 }),
  rank: new IntegerField(),
}, { appLabel: 'catalog', ordering: ['rank'] }) {}

const rf = new RequestFactory();
const text = async (response: HttpResponse) => {
  if (response instanceof TemplateResponse) await response.render();
  return response.text;
};

before(async () => {
  connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
  await createTables([Book]);
  for (let i = 1; i <= 7; i++) await Book.objects.create({ title: `B${i}`, slug: `b-${i}`, rank: i });
});
after(() => connections.closeAll());

describe('ListView', () => {
  test('lists the model with <app>/<model>_list.html and <model>List in the context', async () => {
    const response = await ListView.asView({ model: Book })(await rf.get('/books/'), {}) as TemplateResponse;
    assert.deepEqual(response.templateName, ['catalog/book_list.html']);
    assert.equal(await text(response), 'B1;B2;B3;B4;B5;B6;B7;');
    assert.equal(response.contextData['isPaginated'], false);
    assert.equal(response.contextData['pageObj'], null);
  });

  test('paginates with ?page=, in one count and one page query', async () => {
    class BookList extends ListView<Book> {
      override model = Book;
      override paginateBy = 3;
    }
    const view = BookList.asView();
    const { queries, result } = await captureQueries(async () => text(await view(await rf.get('/books/', { page: '2' }), {})));
    assert.equal(result, 'B4;B5;B6; page 2/3');
    assert.equal(queries.length, 2);
    assert.equal(await text(await view(await rf.get('/books/', { page: 'last' }), {})), 'B7; page 3/3');
    const response = await view(await rf.get('/books/'), { page: 3 }) as TemplateResponse;
    const page = response.contextData['pageObj'] as Page<Book>;
    assert.equal(page.number, 3);
    assert.ok(response.contextData['paginator'] instanceof Paginator);
  });

  test('a bad page number is a 404 that says why', async () => {
    const view = ListView.asView({ model: Book, paginateBy: 3 });
    await assert.rejects(view(await rf.get('/books/', { page: 'abc' }), {}), (e: unknown) => e instanceof Http404 && /neither a number nor 'last'/.test(e.message));
    await assert.rejects(view(await rf.get('/books/', { page: '9' }), {}), (e: unknown) => e instanceof Http404 && /^Invalid page \(9\)/.test(e.message));
  });

  test('queryset, ordering, templateName and contextObjectName are honoured', async () => {
    const view = ListView.asView({ queryset: Book.objects.filter({ rank__lte: 2 }), ordering: '-rank', templateName: 'custom.html', contextObjectName: 'books' });
    const response = await view(await rf.get('/'), {}) as TemplateResponse;
    assert.deepEqual(response.templateName, ['custom.html', 'catalog/book_list.html']);
    assert.equal(await text(response), 'custom 2');
    assert.deepEqual((await (response.contextData['books'] as PromiseLike<Book[]>)).map((b) => b.title), ['B2', 'B1']);
  });

  test('allowEmpty: false turns an empty list into a 404', async () => {
    const view = ListView.asView({ queryset: Book.objects.filter({ rank: 99 }), allowEmpty: false });
    await assert.rejects(view(await rf.get('/'), {}), /allowEmpty is false/);
  });

  test('without model or queryset it says what to set', async () => {
    await assert.rejects(ListView.asView()(await rf.get('/'), {}), (e: unknown) => e instanceof ViewConfigurationError && /Set ListView.model or ListView.queryset/.test(e.message));
  });
});

describe('DetailView', () => {
  test('finds the object by the pk param and renders <app>/<model>_detail.html', async () => {
    const book = await Book.objects.get({ rank: 3 });
    const view = DetailView.asView({ model: Book, pkUrlKwarg: 'id' });
    const response = await view(await rf.get('/'), { id: book.pk }) as TemplateResponse;
    assert.deepEqual(response.templateName, ['catalog/book_detail.html']);
    assert.equal(await text(response), 'B3=B3');
  });

  test('finds by slug, and a missing object is a 404', async () => {
    const view = DetailView.asView({ model: Book });
    assert.equal(await text(await view(await rf.get('/'), { slug: 'b-5' })), 'B5=B5');
    await assert.rejects(view(await rf.get('/'), { slug: 'nope' }), (e: unknown) => e instanceof Http404 && /No book found/.test(e.message));
  });

  test('a route with neither pk nor slug is a configuration error', async () => {
    await assert.rejects(DetailView.asView({ model: Book })(await rf.get('/'), { id: 1 }), /must be routed with a 'pk' or 'slug' param/);
  });
});
