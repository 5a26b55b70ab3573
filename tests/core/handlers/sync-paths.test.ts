// The handler awaits only what is a promise: sync views, hooks and middleware take
// the short path and must behave exactly as their async twins.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, resetSettings } from '../../../src/conf/index.ts';
import { BaseHandler, setRequestLogger, type MiddlewareFactory, type RequestLogger } from '../../../src/core/handlers/index.ts';
import { requestFinished } from '../../../src/core/signals.ts';
import { HttpRequest, HttpResponse, JsonResponse, type HttpResponseBase } from '../../../src/http/index.ts';
import { MiddlewareMixin } from '../../../src/middleware/index.ts';
import { path } from '../../../src/urls/index.ts';

let previousLogger: RequestLogger;
before(() => {
  configure({ SECRET_KEY: 'test', DEBUG: false, ALLOWED_HOSTS: ['testserver'], BASE_DIR: import.meta.dirname });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
});
after(() => {
  setRequestLogger(previousLogger);
  resetSettings();
});

async function get(handler: BaseHandler, url: string): Promise<HttpResponseBase> {
  const response = await handler.handle(HttpRequest.create({ path: url }));
  await response.close();
  return response;
}

describe('sync and async alike', () => {
  test('a sync view and a sync function middleware answer as async ones do', async () => {
    const tag: MiddlewareFactory = (getResponse) => (request) =>
      getResponse(request).then((response) => {
        response.headers.set('X-Tag', 'sync');
        return response;
      });
    const handler = new BaseHandler({ middleware: [tag], urlconf: [path('j/', () => new JsonResponse({ ok: true }))] });
    const response = (await get(handler, '/j/')) as HttpResponse;
    assert.equal(response.status, 200);
    assert.equal(response.text, '{"ok":true}');
    assert.equal(response.headers.get('X-Tag'), 'sync');
  });

  test('a sync view that throws reaches processException, and a sync one that returns nothing is a 500', async () => {
    class Rescue extends MiddlewareMixin {
      processException(_request: HttpRequest, error: unknown): HttpResponseBase {
        return new HttpResponse(`rescued: ${(error as Error).message}`, { status: 503 });
      }
    }
    const handler = new BaseHandler({
      middleware: [Rescue],
      urlconf: [
        path('boom/', () => {
          throw new Error('sync boom');
        }),
        path('nothing/', (() => undefined) as never),
      ],
    });
    const rescued = (await get(handler, '/boom/')) as HttpResponse;
    assert.equal(rescued.status, 503);
    assert.equal(rescued.text, 'rescued: sync boom');
    assert.equal((await get(handler, '/nothing/')).status, 500);
  });

  test('an async processRequest is awaited; a sync one that answers skips the view', async () => {
    const log: string[] = [];
    class AsyncGate extends MiddlewareMixin {
      override async processRequest(request: HttpRequest): Promise<HttpResponseBase | undefined> {
        log.push('gate');
        return request.path === '/closed/' ? new HttpResponse('closed', { status: 403 }) : undefined;
      }
    }
    class SyncGate extends MiddlewareMixin {
      override processRequest(request: HttpRequest): HttpResponseBase | undefined {
        return request.path === '/sync-closed/' ? new HttpResponse('sync closed', { status: 451 }) : undefined;
      }
    }
    const view = () => (log.push('view'), new HttpResponse('open'));
    const handler = new BaseHandler({
      middleware: [AsyncGate, SyncGate],
      urlconf: [path('open/', view), path('closed/', view), path('sync-closed/', view)],
    });
    assert.equal((await get(handler, '/open/')).status, 200);
    assert.equal((await get(handler, '/closed/')).status, 403);
    assert.equal((await get(handler, '/sync-closed/')).status, 451);
    assert.deepEqual(log, ['gate', 'view', 'gate', 'gate']);
  });

  test('a sync processView that answers replaces the view', async () => {
    class Intercept extends MiddlewareMixin {
      processView(): HttpResponseBase {
        return new HttpResponse('intercepted');
      }
    }
    const handler = new BaseHandler({ middleware: [Intercept], urlconf: [path('v/', () => new HttpResponse('view'))] });
    assert.equal(((await get(handler, '/v/')) as HttpResponse).text, 'intercepted');
  });

  test('requestFinished connected after the handler was built is still sent on close', async () => {
    const handler = new BaseHandler({ urlconf: [path('f/', () => new HttpResponse('f'))] });
    await get(handler, '/f/');
    let finished = 0;
    const receiver = () => void finished++;
    requestFinished.connect(receiver);
    try {
      const response = await handler.handle(HttpRequest.create({ path: '/f/' }));
      assert.equal(finished, 0);
      await response.close();
      assert.equal(finished, 1);
    } finally {
      requestFinished.disconnect(receiver);
    }
  });

  test('requests arriving before the chain is built wait for it and are all answered', async () => {
    const handler = new BaseHandler({ urlconf: [path('w/', () => new HttpResponse('w'))] });
    const responses = await Promise.all([1, 2, 3].map(() => get(handler, '/w/')));
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200]);
  });
});
