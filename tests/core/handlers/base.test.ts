import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings, resetSettings } from '../../../src/conf/index.ts';
import {
  BaseHandler,
  InvalidViewResponseError,
  MiddlewareConfigError,
  MiddlewareNotUsed,
  setRequestLogger,
  type GetResponse,
  type MiddlewareFactory,
  type RequestLogger,
} from '../../../src/core/handlers/index.ts';
import { requestFinished, requestStarted } from '../../../src/core/signals.ts';
import { HttpRequest, HttpResponse, type HttpResponseBase } from '../../../src/http/index.ts';
import { path } from '../../../src/urls/index.ts';
import { Client } from '../../../src/test/index.ts';

let previousLogger: RequestLogger;
before(() => {
  configure({ SECRET_KEY: 'test', DEBUG: false, ALLOWED_HOSTS: ['testserver'], BASE_DIR: import.meta.dirname });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
});
after(() => {
  setRequestLogger(previousLogger);
  resetSettings();
});

const hello = async () => new HttpResponse('hello');
const urlpatterns = [path('hello/', hello, { name: 'hello' })];

function recorder(name: string, log: string[]): MiddlewareFactory {
  const factory: MiddlewareFactory = (getResponse) => async (request) => {
    log.push(`${name} in`);
    const response = await getResponse(request);
    log.push(`${name} out`);
    return response;
  };
  Object.defineProperty(factory, 'name', { value: name });
  return factory;
}

describe('the middleware onion', () => {
  test('the first MIDDLEWARE entry wraps all the others', async () => {
    const log: string[] = [];
    const client = new Client({ urlconf: urlpatterns, middleware: [recorder('outer', log), recorder('inner', log)] });
    const response = await client.get('/hello/');
    assert.equal(response.text, 'hello');
    assert.deepEqual(log, ['outer in', 'inner in', 'inner out', 'outer out']);
  });

  test('class middleware gets getResponse in its constructor and is called through call()', async () => {
    class Stamp {
      readonly getResponse: GetResponse;
      constructor(getResponse: GetResponse) {
        this.getResponse = getResponse;
      }
      async call(request: HttpRequest): Promise<HttpResponseBase> {
        const response = await this.getResponse(request);
        response.headers.set('X-Stamp', request.method);
        return response;
      }
    }
    const response = await new Client({ urlconf: urlpatterns, middleware: [Stamp] }).get('/hello/');
    assert.equal(response.headers.get('X-Stamp'), 'GET');
  });

  test('the chain is built once, not per request', async () => {
    let built = 0;
    const counting: MiddlewareFactory = (getResponse) => {
      built++;
      return (request) => getResponse(request);
    };
    const client = new Client({ urlconf: urlpatterns, middleware: [counting] });
    await client.get('/hello/');
    await client.get('/hello/');
    assert.equal(built, 1);
  });

  test('a middleware may answer without calling the view', async () => {
    let viewCalled = false;
    const urls = [path('x/', async () => ((viewCalled = true), new HttpResponse('view')))];
    const closed: MiddlewareFactory = () => async () => new HttpResponse('maintenance', { status: 503 });
    const response = await new Client({ urlconf: urls, middleware: [closed] }).get('/x/');
    assert.equal(response.status, 503);
    assert.equal(viewCalled, false);
  });

  test('an error in an inner middleware reaches the outer one as a response', async () => {
    let seen: number | undefined;
    const outer: MiddlewareFactory = (getResponse) => async (request) => {
      const response = await getResponse(request);
      seen = response.status;
      return response;
    };
    const failing: MiddlewareFactory = () => async () => {
      throw new Error('inner failure');
    };
    const client = new Client({ urlconf: urlpatterns, middleware: [outer, failing], raiseRequestException: false });
    const response = await client.get('/hello/');
    assert.equal(response.status, 500);
    assert.equal(seen, 500);
  });

  test('MiddlewareNotUsed thrown by a factory leaves it out of the chain', async () => {
    const off: MiddlewareFactory = () => {
      throw new MiddlewareNotUsed('disabled in these settings');
    };
    const response = await new Client({ urlconf: urlpatterns, middleware: [off] }).get('/hello/');
    assert.equal(response.text, 'hello');
  });

  test("a middleware named 'module#export' relative to BASE_DIR is imported", async () => {
    const client = new Client({ urlconf: urlpatterns, middleware: ['./fixtures/tagging-middleware#tagging'] });
    const response = await client.get('/hello/');
    assert.equal(response.headers.get('X-Tagged'), 'yes');
  });

  test('a package middleware is imported by its subpath export', async () => {
    const client = new Client({ urlconf: urlpatterns, middleware: ['nuages/middleware/common#CommonMiddleware'] });
    const response = await client.get('/hello');
    assert.equal(response.status, 301);
    assert.equal(response.headers.get('Location'), '/hello/');
  });

  test('MIDDLEWARE from settings is used when no list is given', async () => {
    await overrideSettings({ MIDDLEWARE: ['./fixtures/tagging-middleware#tagging'] }, async () => {
      const response = await new Client({ urlconf: urlpatterns }).get('/hello/');
      assert.equal(response.headers.get('X-Tagged'), 'yes');
    });
  });

  test('an entry that names a missing export fails with the exports it has', async () => {
    const handler = new BaseHandler({ urlconf: urlpatterns, middleware: ['./fixtures/tagging-middleware#nope'] });
    await assert.rejects(handler.loadMiddleware(), (error: unknown) => {
      assert.ok(error instanceof MiddlewareConfigError);
      assert.equal(error.code, 'NUAGES_MIDDLEWARE_CONFIG');
      assert.match(error.message, /no export 'nope'.*tagging/);
      return true;
    });
  });

  test('an entry that cannot be imported says how to write one', async () => {
    const handler = new BaseHandler({ middleware: ['./fixtures/does-not-exist#X'] });
    await assert.rejects(handler.loadMiddleware(), /could not be imported.*module#ExportName/);
  });

  test('a factory that returns no function is refused', async () => {
    const broken = (() => 'oops') as unknown as MiddlewareFactory;
    const handler = new BaseHandler({ urlconf: urlpatterns, middleware: [broken] });
    await assert.rejects(handler.loadMiddleware(), /must return a function/);
  });
});

describe('middleware hooks', () => {
  test('processView sees the view and params and can answer instead of it', async () => {
    const calls: unknown[] = [];
    const urls = [path('books/<int:id>/', async (_r, { id }) => new HttpResponse(`book ${String(id)}`))];
    const guard = Object.assign(
      ((getResponse: GetResponse) =>
        Object.assign((request: HttpRequest) => getResponse(request), {
          processView(_request: HttpRequest, _view: unknown, params: Record<string, unknown>) {
            calls.push(params);
            return params['id'] === 13 ? new HttpResponse('unlucky', { status: 403 }) : undefined;
          },
        })) as MiddlewareFactory,
      {},
    );
    const client = new Client({ urlconf: urls, middleware: [guard] });
    assert.equal((await client.get('/books/7/')).text, 'book 7');
    const blocked = await client.get('/books/13/');
    assert.equal(blocked.status, 403);
    assert.deepEqual(calls, [{ id: 7 }, { id: 13 }]);
  });

  test('processException turns a view error into a response, innermost first', async () => {
    const order: string[] = [];
    const make = (name: string, answer: boolean) =>
      class {
        readonly getResponse: GetResponse;
        constructor(getResponse: GetResponse) {
          this.getResponse = getResponse;
        }
        call(request: HttpRequest) {
          return this.getResponse(request);
        }
        processException(_request: HttpRequest, error: unknown) {
          order.push(name);
          return answer ? new HttpResponse(`handled ${(error as Error).message}`, { status: 418 }) : undefined;
        }
      };
    const urls = [path('fail/', async () => {
      throw new Error('view broke');
    })];
    const client = new Client({ urlconf: urls, middleware: [make('outer', true), make('inner', false)] });
    const response = await client.get('/fail/');
    assert.equal(response.status, 418);
    assert.equal(response.text, 'handled view broke');
    assert.deepEqual(order, ['inner', 'outer']);
  });

  test('processTemplateResponse runs before an unrendered response is rendered', async () => {
    class LazyResponse extends HttpResponse {
      isRendered = false;
      contextData: Record<string, unknown> = { title: 'Dune' };
      render(): void {
        this.content = `<h1>${String(this.contextData['title'])}</h1>`;
        this.isRendered = true;
      }
    }
    const urls = [path('lazy/', async () => new LazyResponse())];
    const shout: MiddlewareFactory = (getResponse) =>
      Object.assign((request: HttpRequest) => getResponse(request), {
        processTemplateResponse(_request: HttpRequest, response: HttpResponseBase) {
          (response as LazyResponse).contextData['title'] = 'DUNE';
          return response;
        },
      });
    const response = await new Client({ urlconf: urls, middleware: [shout] }).get('/lazy/');
    assert.equal(response.text, '<h1>DUNE</h1>');
  });
});

describe('handle()', () => {
  test('sends requestStarted before and requestFinished once the response is closed', async () => {
    const events: string[] = [];
    const started = () => void events.push('started');
    const finished = () => void events.push('finished');
    requestStarted.connect(started);
    requestFinished.connect(finished);
    try {
      const handler = new BaseHandler({ urlconf: [path('s/', async () => (events.push('view'), new HttpResponse('ok')))] });
      const response = await handler.handle(HttpRequest.create({ path: '/s/' }));
      assert.deepEqual(events, ['started', 'view']);
      await response.close();
      assert.deepEqual(events, ['started', 'view', 'finished']);
    } finally {
      requestStarted.disconnect(started);
      requestFinished.disconnect(finished);
    }
  });

  test('reads the body before the middleware, so request.POST is ready there', async () => {
    let seen: string | undefined;
    const peek: MiddlewareFactory = (getResponse) => async (request) => {
      seen = request.POST.get('title');
      return getResponse(request);
    };
    const urls = [path('books/', async (request) => new HttpResponse(request.POST.get('title') ?? ''))];
    const response = await new Client({ urlconf: urls, middleware: [peek] }).post('/books/', { title: 'Dune' });
    assert.equal(seen, 'Dune');
    assert.equal(response.text, 'Dune');
  });

  test('a view that returns nothing is a 500 naming the view', async () => {
    async function forgetful() {
      return undefined as unknown as HttpResponse;
    }
    const client = new Client({ urlconf: [path('f/', forgetful)] });
    await assert.rejects(client.get('/f/'), (error: unknown) => {
      assert.ok(error instanceof InvalidViewResponseError);
      assert.match(error.message, /The view forgetful \(route 'f\/'\) returned undefined instead of a response/);
      return true;
    });
  });

  test('4xx responses are logged as warnings and 5xx as errors', async () => {
    const lines: string[] = [];
    const previous = setRequestLogger({
      warn: (message) => void lines.push(`warn ${message}`),
      error: (message) => void lines.push(`error ${message}`),
    });
    try {
      const urls = [
        path('gone/', async () => new HttpResponse('', { status: 410 })),
        path('down/', async () => new HttpResponse('', { status: 503 })),
      ];
      const client = new Client({ urlconf: urls });
      await client.get('/gone/');
      await client.get('/down/');
      await client.get('/nowhere/');
      assert.deepEqual(lines, ['warn Gone: /gone/', 'error Service Unavailable: /down/', 'warn Not Found: /nowhere/']);
    } finally {
      setRequestLogger(previous);
    }
  });
});
