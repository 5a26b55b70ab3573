import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { configure } from '../../src/conf/index.ts';
import { HttpResponse, type HttpRequest } from '../../src/http/index.ts';
import { LocmemLoader } from '../../src/template/index.ts';
import { RequestFactory } from '../../src/test/request-factory.ts';
import { path, reverseLazy, type Params } from '../../src/urls/index.ts';
import {
  View, TemplateView, RedirectView, TemplateResponse, ContentNotRenderedError, ViewConfigurationError,
  requireGET, requirePOST, requireSafe, requireHttpMethods, requireMethods,
} from '../../src/views/index.ts';

configure({
  SECRET_KEY: 'views-tests',
  ALLOWED_HOSTS: ['testserver'],
  ROOT_URLCONF: 'tests/urls/fixtures/views-urls',
  TEMPLATES: [{
    BACKEND: 'nuages/template',
    OPTIONS: {
      loaders: [new LocmemLoader({
        'about.html': 'About {{ view.title }} {{ slug }} {{ extra }}',
        'links.html': "{% url 'book-detail' id %}|{% url 'book-detail' id=id %}|{% url 'nope' as u %}[{{ u }}]",
      })],
    },
  }],
});
const rf = new RequestFactory();

class Greeting extends View {
  greeting = 'Hello';
  get(_request: HttpRequest, params: Params) {
    return new HttpResponse(`${this.greeting} ${String(params['name'] ?? '')}`);
  }
  post() {
    return new HttpResponse('posted');
  }
}

describe('View', () => {
  const view = Greeting.asView({ greeting: 'Bonjour' });

  test('dispatches on the method with the init options applied', async () => {
    const response = await view(await rf.get('/'), { name: 'Ann' });
    assert.equal(response.text, 'Bonjour Ann');
    assert.equal((await view(await rf.post('/'), {})).text, 'posted');
    assert.equal(view.name, 'Greeting');
    assert.equal(view.viewClass, Greeting);
    assert.deepEqual(view.viewInitkwargs, { greeting: 'Bonjour' });
  });

  test('HEAD falls back to get()', async () => {
    assert.equal((await view(await rf.head('/'), {})).status, 200);
  });

  test('an unhandled method is a 405 listing the allowed ones in Django order', async () => {
    const response = await view(await rf.put('/'), {});
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('Allow'), 'GET, POST, HEAD, OPTIONS');
  });

  test('OPTIONS answers with Allow and an empty body', async () => {
    const response = await view(await rf.options('/'), {});
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('Allow'), 'GET, POST, HEAD, OPTIONS');
    assert.equal(response.headers.get('Content-Length'), '0');
  });

  test('narrowing httpMethodNames refuses the other methods', async () => {
    const only = Greeting.asView({ httpMethodNames: ['get'] });
    const response = await only(await rf.post('/'), {});
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('Allow'), 'GET');
  });

  test('each request gets a fresh instance holding request and params', async () => {
    const seen: unknown[] = [];
    class Probe extends View {
      count = 0;
      get(request: HttpRequest) {
        this.count++;
        seen.push([this.count, this.request === request, this.kwargs]);
        return new HttpResponse('');
      }
    }
    const probe = Probe.asView();
    await probe(await rf.get('/'), { a: 1 });
    await probe(await rf.get('/'), { a: 2 });
    assert.deepEqual(seen, [[1, true, { a: 1 }], [1, true, { a: 2 }]]);
  });

  test('asView() refuses method names and unknown fields', () => {
    assert.throws(() => Greeting.asView({ get: undefined } as never), (e: unknown) => e instanceof ViewConfigurationError && /HTTP method name/.test(e.message));
    assert.throws(() => Greeting.asView({ nope: 1 } as never), (e: unknown) => e instanceof ViewConfigurationError && /not a field of Greeting/.test(e.message));
  });

  test('path() refuses a View class passed without asView()', () => {
    assert.throws(() => path('x/', Greeting as never), /pass Greeting\.asView\(\)/);
  });

  test('setup() overridden without super is reported', async () => {
    class Broken extends View {
      override setup() {}
      get() {
        return new HttpResponse('');
      }
    }
    await assert.rejects(Broken.asView()(await rf.get('/'), {}), ViewConfigurationError);
  });
});

describe('TemplateView', () => {
  test('renders lazily with the view, URL params and extraContext in the context', async () => {
    class About extends TemplateView {
      override templateName = 'about.html';
      title = 'us';
    }
    const response = await About.asView({ extraContext: { extra: '!' } })(await rf.get('/'), { slug: 'x' });
    assert.ok(response instanceof TemplateResponse);
    assert.equal(response.isRendered, false);
    assert.throws(() => response.content, ContentNotRenderedError);
    await response.render();
    assert.equal(response.text, 'About us x !');
    assert.equal(response.status, 200);
  });

  test('without a template name it says what to set', async () => {
    await assert.rejects(TemplateView.asView()(await rf.get('/'), {}), /needs a templateName/);
  });

  test('{% url %} is a built-in: args, kwargs, and "as" swallowing a missing name', async () => {
    const response = await TemplateView.asView({ templateName: 'links.html' })(await rf.get('/'), { id: 7 }) as TemplateResponse;
    await response.render();
    assert.equal(response.text, '/books/7/|/books/7/|[]');
  });
});

describe('RedirectView', () => {
  test('fills %(name)s from the params and keeps the query string when asked', async () => {
    const view = RedirectView.asView({ url: '/new/%(id)s/%%/', queryString: true });
    const response = await view(await rf.get('/old/3/', { a: 'b' }), { id: 3 });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('Location'), '/new/3/%/?a=b');
  });

  test('reverses patternName with the params; permanent and preserveRequest pick the status', async () => {
    const moved = RedirectView.asView({ patternName: 'book-detail', permanent: true });
    const response = await moved(await rf.get('/old/'), { id: 4 });
    assert.equal(response.status, 301);
    assert.equal(response.headers.get('Location'), '/books/4/');
    const kept = RedirectView.asView({ url: reverseLazy('book-detail', { id: 5 }), preserveRequest: true });
    const r2 = await kept(await rf.post('/old/'), {});
    assert.equal(r2.status, 307);
    assert.equal(r2.headers.get('Location'), '/books/5/');
  });

  test('no URL is 410 Gone, for every method', async () => {
    const gone = RedirectView.asView();
    assert.equal((await gone(await rf.get('/'), {})).status, 410);
    assert.equal((await gone(await rf.delete('/'), {})).status, 410);
  });

  test('a stray % in url is a configuration error', async () => {
    await assert.rejects(RedirectView.asView({ url: '/a%2Fb' })(await rf.get('/'), {}), /write '%%'/);
  });
});

describe('method decorators', () => {
  const ok = (_request: HttpRequest, _params: Params) => new HttpResponse('ok');

  test('requireGET, requirePOST and requireSafe answer 405 with Allow', async () => {
    const get = requireGET(ok);
    assert.equal((await get(await rf.get('/'), {})).text, 'ok');
    const refused = await get(await rf.head('/'), {});
    assert.equal(refused.status, 405);
    assert.equal(refused.headers.get('Allow'), 'GET');
    assert.equal((await requirePOST(ok)(await rf.get('/'), {})).headers.get('Allow'), 'POST');
    assert.equal((await requireSafe(ok)(await rf.head('/'), {})).status, 200);
  });

  test('requireHttpMethods (alias requireMethods) keeps the name and flags of the view', async () => {
    function flagged(_r: HttpRequest, _p: Params) {
      return new HttpResponse('x');
    }
    flagged.csrfExempt = true;
    const wrapped = requireMethods(['GET', 'POST'])(flagged);
    assert.equal(requireMethods, requireHttpMethods);
    assert.equal(wrapped.name, 'flagged');
    assert.equal(wrapped.csrfExempt, true);
    const response = await wrapped(await rf.put('/'), {});
    assert.equal(response.headers.get('Allow'), 'GET, POST');
  });
});

