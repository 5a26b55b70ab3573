// XFrameOptionsMiddleware and the xframeOptions* view decorators: every request of Django
// 5.2's oracle (django/security-headers.json) replayed for the same X-Frame-Options; then a
// page another site frames, decorators on TemplateResponse and class-based views, the flags
// decorators must keep, and subclassing the middleware.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings, resetSettings } from '../../src/conf/index.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import { HttpResponse, type HttpRequest, type HttpResponseBase } from '../../src/http/index.ts';
import { XFrameOptionsMiddleware, isXFrameOptionsExempt, markXFrameOptionsExempt } from '../../src/middleware/index.ts';
import { LocmemLoader } from '../../src/template/index.ts';
import { Client } from '../../src/test/index.ts';
import { path } from '../../src/urls/index.ts';
import {
  TemplateResponse, View, ViewConfigurationError, cachePage, csrfExempt, methodDecorator, xframeOptionsDeny, xframeOptionsExempt, xframeOptionsSameorigin,
} from '../../src/views/index.ts';
import { baseSettings, clientWith, oracle, replay } from './security-headers-cases.ts';

let previousLogger: RequestLogger;
before(() => {
  configure({
    ...baseSettings,
    CACHES: { default: { BACKEND: 'locmem', LOCATION: 'clickjacking-tests' } },
    TEMPLATES: [{ BACKEND: 'nuages/template', OPTIONS: { loaders: [new LocmemLoader({ 'page.html': 'framed {{ title }}' })] } }],
  });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
});
after(() => {
  setRequestLogger(previousLogger);
  resetSettings();
});

describe(`as Django ${oracle.django}`, () => {
  const cases = oracle.cases.filter((entry) => !entry.middleware.includes('security'));
  test('the oracle covers the middleware, the three decorators and class views', () => {
    assert.ok(cases.length >= 15, `only ${cases.length} cases`);
    for (const path of ['/exempt/', '/deny/', '/sameorigin/', '/class-sameorigin/', '/class-exempt/']) {
      assert.ok(cases.some((entry) => entry.request.path === path), `no case requests ${path}`);
    }
  });
  for (const entry of cases) {
    test(entry.name, async () => {
      assert.deepEqual(await replay(entry), entry.expected);
    });
  }
});

const ok = async () => new HttpResponse('ok');

function client(urls: ReturnType<typeof path>[], middleware: unknown[] = [XFrameOptionsMiddleware]): Client {
  return new Client({ urlconf: urls, middleware: middleware as never });
}

describe('attacks', () => {
  test('a page another site loads in a frame is sent with DENY, so the browser refuses to show it', async () => {
    const urls = [path('account/delete/', ok)];
    const response = await client(urls).get('/account/delete/', undefined, {
      headers: { 'Sec-Fetch-Dest': 'iframe', 'Sec-Fetch-Site': 'cross-site', Referer: 'https://evil.example/trap.html' },
    });
    assert.equal(response.headers.get('X-Frame-Options'), 'DENY');
  });

  test('SAMEORIGIN is still sent to a cross-site frame request (the browser enforces it)', async () => {
    await overrideSettings({ X_FRAME_OPTIONS: 'SAMEORIGIN' }, async () => {
      const response = await client([path('', ok)]).get('/', undefined, { headers: { 'Sec-Fetch-Dest': 'iframe', 'Sec-Fetch-Site': 'cross-site' } });
      assert.equal(response.headers.get('X-Frame-Options'), 'SAMEORIGIN');
    });
  });

  test('every method and every status is covered: errors and redirects are framed too', async () => {
    const urls = [path('gone/', async () => new HttpResponse('gone', { status: 410 })), path('go/', async () => new HttpResponse('', { status: 302, headers: { Location: '/' } }))];
    const c = client(urls);
    assert.equal((await c.get('/gone/')).headers.get('X-Frame-Options'), 'DENY');
    assert.equal((await c.get('/go/')).headers.get('X-Frame-Options'), 'DENY');
    assert.equal((await c.delete('/gone/')).headers.get('X-Frame-Options'), 'DENY');
    assert.equal((await c.get('/missing/')).headers.get('X-Frame-Options'), 'DENY');
  });

  test('only the exempt view loses the header; its neighbours keep DENY', async () => {
    const c = clientWith(['clickjacking']);
    assert.equal((await c.get('/exempt/')).headers.has('X-Frame-Options'), false);
    assert.equal((await c.get('/books/')).headers.get('X-Frame-Options'), 'DENY');
    assert.equal((await c.get('/exempt/')).headers.has('X-Frame-Options'), false);
  });
});

describe('decorators', () => {
  test('work on a TemplateResponse, which the handler renders afterwards', async () => {
    const page = (request: HttpRequest) => new TemplateResponse(request, 'page.html', { title: 'preview' });
    const urls = [path('deny/', xframeOptionsDeny(page)), path('exempt/', xframeOptionsExempt(page))];
    await overrideSettings({ X_FRAME_OPTIONS: 'SAMEORIGIN' }, async () => {
      const denied = await client(urls).get('/deny/');
      assert.equal(denied.content.toString(), 'framed preview');
      assert.equal(denied.headers.get('X-Frame-Options'), 'DENY');
      const exempt = await client(urls).get('/exempt/');
      assert.equal(exempt.content.toString(), 'framed preview');
      assert.equal(exempt.headers.has('X-Frame-Options'), false);
    });
  });

  test('work on one method of a class-based view through methodDecorator', async () => {
    class Preview extends View {
      async get() {
        return new HttpResponse('preview');
      }
      async post() {
        return new HttpResponse('saved');
      }
    }
    methodDecorator(xframeOptionsSameorigin, 'get')(Preview);
    const urls = [path('preview/', Preview.asView())];
    const c = client(urls);
    assert.equal((await c.get('/preview/')).headers.get('X-Frame-Options'), 'SAMEORIGIN');
    assert.equal((await c.post('/preview/')).headers.get('X-Frame-Options'), 'DENY');
  });

  test('keep the flags of the view they wrap, and its name', () => {
    async function webhook() {
      return new HttpResponse('ok');
    }
    for (const decorate of [xframeOptionsDeny, xframeOptionsSameorigin, xframeOptionsExempt]) {
      const view = decorate(csrfExempt(webhook));
      assert.equal(view.csrfExempt, true);
      assert.equal(view.name, 'webhook');
    }
  });

  test('refuse a class, saying to decorate its view function', () => {
    class Page extends View {}
    assert.throws(() => xframeOptionsExempt(Page as never), (error: unknown) => {
      assert.ok(error instanceof ViewConfigurationError);
      assert.match(error.message, /xframeOptionsExempt was given the class Page; decorate its view function instead: xframeOptionsExempt\(Page\.asView\(\)\)/);
      return true;
    });
  });

  test('inside or outside cachePage, xframeOptionsExempt also covers copies served from the cache', async () => {
    let renders = 0;
    const widget = async () => {
      renders += 1;
      return new HttpResponse('€12.50');
    };
    const urls = [path('outside/', xframeOptionsExempt(cachePage(300)(widget))), path('inside/', cachePage(300)(xframeOptionsExempt(widget)))];
    const c = client(urls);
    for (let i = 0; i < 2; i++) assert.equal((await c.get('/outside/')).headers.has('X-Frame-Options'), false, `request ${i + 1}`);
    assert.equal(renders, 1);
    // Inside, the cache stores the mark with the page, as Django pickles it with the response.
    for (let i = 0; i < 2; i++) assert.equal((await c.get('/inside/')).headers.has('X-Frame-Options'), false, `inside, request ${i + 1}`);
    assert.equal(renders, 2);
  });

  test('the header the outer decorator would set does not replace the inner one', async () => {
    const urls = [path('', xframeOptionsSameorigin(xframeOptionsDeny(ok)))];
    assert.equal((await client(urls).get('/')).headers.get('X-Frame-Options'), 'DENY');
  });
});

describe('the middleware', () => {
  test('is named in MIDDLEWARE by module and export', async () => {
    const response = await client([path('', ok)], ['nuages/middleware/clickjacking#XFrameOptionsMiddleware']).get('/');
    assert.equal(response.headers.get('X-Frame-Options'), 'DENY');
  });

  test('a view can mark one response exempt itself', async () => {
    const embed = async (request: HttpRequest) => {
      const response = new HttpResponse('widget');
      return request.GET.get('embed') === '1' ? markXFrameOptionsExempt(response) : response;
    };
    const c = client([path('widget/', embed)]);
    const embedded = await c.get('/widget/', { embed: '1' });
    assert.equal(embedded.headers.has('X-Frame-Options'), false);
    assert.equal(isXFrameOptionsExempt(embedded), true);
    assert.equal((await c.get('/widget/')).headers.get('X-Frame-Options'), 'DENY');
  });

  test('a subclass chooses the value per request with getXFrameOptionsValue', async () => {
    class PreviewFrames extends XFrameOptionsMiddleware {
      override getXFrameOptionsValue(request: HttpRequest, response: HttpResponseBase): string {
        return request.path.startsWith('/preview/') ? 'SAMEORIGIN' : super.getXFrameOptionsValue(request, response);
      }
    }
    const c = client([path('preview/', ok), path('', ok)], [PreviewFrames]);
    assert.equal((await c.get('/preview/')).headers.get('X-Frame-Options'), 'SAMEORIGIN');
    assert.equal((await c.get('/')).headers.get('X-Frame-Options'), 'DENY');
  });
});

test('docs/security.md: the clickjacking views example', async () => {
  const priceWidget = xframeOptionsExempt(async (_request: HttpRequest) => new HttpResponse('€12.50'));
  class Preview extends View {
    async get(_request: HttpRequest) {
      return new HttpResponse('preview');
    }
  }
  methodDecorator(xframeOptionsSameorigin, 'dispatch')(Preview);
  const closeAccount = xframeOptionsDeny(async (_request: HttpRequest) => new HttpResponse('sure?'));
  const urlpatterns = [path('widgets/price/', priceWidget), path('preview/', Preview.asView()), path('account/close/', closeAccount)];
  await overrideSettings({ X_FRAME_OPTIONS: 'SAMEORIGIN' }, async () => {
    const c = client(urlpatterns);
    assert.equal((await c.get('/widgets/price/')).headers.has('X-Frame-Options'), false);
    assert.equal((await c.get('/preview/')).headers.get('X-Frame-Options'), 'SAMEORIGIN');
    assert.equal((await c.get('/account/close/')).headers.get('X-Frame-Options'), 'DENY');
  });
});
