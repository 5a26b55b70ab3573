// The CSRF view decorators (csrfExempt, csrfProtect, ensureCsrfCookie, requiresCsrfToken) on
// function and class-based views, and the failure view: the default page, the project's
// 403_csrf.html, and CSRF_FAILURE_VIEW by import string.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { configure, overrideSettings, resetSettings } from '../../src/conf/index.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import { HttpRequest, HttpResponse } from '../../src/http/index.ts';
import { CsrfFailureViewError, CsrfViewMiddleware, REASON_NO_CSRF_COOKIE, REASON_NO_REFERER } from '../../src/middleware/index.ts';
import { unmaskCipherToken } from '../../src/middleware/csrf-token.ts';
import { render } from '../../src/shortcuts.ts';
import { LocmemLoader, resetTemplateEngines } from '../../src/template/index.ts';
import { Client } from '../../src/test/index.ts';
import { path } from '../../src/urls/index.ts';
import { captureLogs, setLogSink, type LogSink } from '../../src/utils/log.ts';
import {
  TemplateResponse, View, ViewConfigurationError,
  csrfExempt, csrfFailure, csrfProtect, ensureCsrfCookie, methodDecorator, requireHttpMethods, requiresCsrfToken,
} from '../../src/views/index.ts';

const TEMPLATES = {
  'form.html': '<form method="post">{% csrf_token %}</form>',
  'plain.html': 'no token',
};
const templateSettings = (extra: Record<string, string> = {}) => [
  { BACKEND: 'nuages/template', OPTIONS: { loaders: [new LocmemLoader({ ...TEMPLATES, ...extra })] } },
];

let previousLogger: RequestLogger;
let previousSink: LogSink;
before(() => {
  configure({ SECRET_KEY: 'csrf-views-tests', DEBUG: true, ALLOWED_HOSTS: ['testserver'], TEMPLATES: templateSettings() });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
  previousSink = setLogSink(() => {});
});
after(() => {
  setRequestLogger(previousLogger);
  setLogSink(previousSink);
  resetSettings();
});

const TOKEN_INPUT = /name="csrfmiddlewaretoken" value="([a-zA-Z0-9]{64})"/;
const saved = async (_request: HttpRequest) => new HttpResponse('saved');
const formPage = (request: HttpRequest) => render(request, 'form.html');

class Webhook extends View {
  async post() {
    return new HttpResponse('hook');
  }
}
methodDecorator(csrfExempt, 'dispatch')(Webhook);

class Comments extends View {
  async get(request: HttpRequest) {
    return render(request, 'form.html');
  }
  async post() {
    return new HttpResponse('comment saved');
  }
}
methodDecorator(csrfProtect, 'dispatch')(Comments);

const urlpatterns = [
  path('form/', formPage),
  path('saved/', saved),
  path('exempt/', csrfExempt(saved)),
  path('exempt-form/', csrfExempt(formPage)),
  path('exempt-post-only/', requireHttpMethods(['POST'])(csrfExempt(saved))),
  path('hook/', Webhook.asView()),
  path('protected/', csrfProtect(async (request: HttpRequest) => (request.method === 'GET' ? render(request, 'form.html') : new HttpResponse('protected')))),
  path('protected-template/', csrfProtect(async (request: HttpRequest) => new TemplateResponse(request, 'form.html'))),
  path('comments/', Comments.asView()),
  path('ensure/', ensureCsrfCookie(async (request: HttpRequest) => render(request, 'plain.html'))),
  path('requires/', requiresCsrfToken(formPage)),
];

const withMiddleware = () => new Client({ urlconf: urlpatterns, middleware: [CsrfViewMiddleware], enforceCsrfChecks: true });
const withoutMiddleware = () => new Client({ urlconf: urlpatterns, middleware: [], enforceCsrfChecks: true });

async function tokenFrom(client: Client, url = '/form/'): Promise<string> {
  const page = await client.get(url);
  return TOKEN_INPUT.exec(page.text)![1]!;
}

describe('csrfExempt', () => {
  test('lets unsafe requests reach the view without any check', async () => {
    const client = withMiddleware();
    assert.equal((await client.post('/saved/')).status, 403);
    const response = await client.post('/exempt/', {}, { headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' } });
    assert.equal(response.status, 200);
    assert.equal(response.text, 'saved');
  });

  test('marks the view with a flag, keeps its name, and survives other decorators', () => {
    const view = csrfExempt(saved);
    assert.equal(view.csrfExempt, true);
    assert.equal(view.name, 'saved');
    assert.equal((requireHttpMethods(['POST'])(view) as { csrfExempt?: boolean }).csrfExempt, true);
    assert.equal((saved as { csrfExempt?: boolean }).csrfExempt, undefined, 'the original view is not changed');
  });

  test('works through other decorators and on a class-based view’s dispatch', async () => {
    const client = withMiddleware();
    assert.equal((await client.post('/exempt-post-only/')).status, 200);
    assert.equal((await client.post('/hook/')).text, 'hook');
  });

  test('an exempt view can still hand out tokens of the browser’s secret', async () => {
    const client = withMiddleware();
    const token = await tokenFrom(client);
    const secret = client.cookies.get('csrftoken')!;
    const fromExempt = await tokenFrom(client, '/exempt-form/');
    assert.notEqual(fromExempt, token);
    assert.equal(unmaskCipherToken(fromExempt), secret);
  });

  test('refuses a class, with the fix in the message', () => {
    assert.throws(() => csrfExempt(Webhook as never), (error: unknown) => error instanceof ViewConfigurationError && /Webhook\.asView\(\)/.test(error.message));
  });
});

describe('csrfProtect', () => {
  test('protects one view in a project without the middleware', async () => {
    const client = withoutMiddleware();
    assert.equal((await client.post('/saved/')).status, 200, 'other views are unprotected');
    const refused = await client.post('/protected/');
    assert.equal(refused.status, 403);
    assert.match(refused.text, /CSRF verification failed/);
    const token = await tokenFrom(client, '/protected/');
    assert.ok(client.cookies.has('csrftoken'), 'the decorator sends the cookie the page used');
    assert.equal((await client.post('/protected/', { csrfmiddlewaretoken: token })).text, 'protected');
  });

  test('sends the cookie of a TemplateResponse after it rendered', async () => {
    const client = withoutMiddleware();
    const page = await client.get('/protected-template/');
    const token = TOKEN_INPUT.exec(page.text)![1]!;
    assert.equal(unmaskCipherToken(token), page.cookies.get('csrftoken')!.value);
    assert.equal(page.headers.get('Vary'), 'Cookie');
  });

  test('on a class-based view’s dispatch (the GET sends the cookie, the POST is checked)', async () => {
    const client = withoutMiddleware();
    assert.equal((await client.post('/comments/')).status, 403);
    const token = await tokenFrom(client, '/comments/');
    assert.equal((await client.post('/comments/', { csrfmiddlewaretoken: token })).text, 'comment saved');
  });

  test('with the middleware too, a request is checked, refused and logged once, and the cookie set once', async () => {
    const client = withMiddleware();
    const { records } = await captureLogs('nuages.security.csrf', () => client.post('/protected/'));
    assert.equal(records.length, 1);
    const page = await client.get('/protected/');
    assert.equal(page.cookieHeaders().filter((header) => header.startsWith('csrftoken=')).length, 1);
    const token = TOKEN_INPUT.exec(page.text)![1]!;
    assert.equal((await client.post('/protected/', { csrfmiddlewaretoken: token })).status, 200);
  });
});

describe('ensureCsrfCookie and requiresCsrfToken', () => {
  test('ensureCsrfCookie sends the cookie from a page that shows no token, and refuses nothing', async () => {
    const client = withoutMiddleware();
    const page = await client.get('/ensure/');
    assert.equal(page.text, 'no token');
    assert.match(page.cookies.get('csrftoken')!.value, /^[a-zA-Z0-9]{32}$/);
    assert.equal((await client.post('/ensure/')).status, 200);
  });

  test('requiresCsrfToken gives the page a working token and cookie without the middleware, and refuses nothing', async () => {
    const client = withoutMiddleware();
    const token = await tokenFrom(client, '/requires/');
    assert.equal(unmaskCipherToken(token), client.cookies.get('csrftoken'));
    assert.equal((await client.post('/requires/')).status, 200);
  });

  test('without either, a page using the token outside the middleware sends no cookie (as in Django)', async () => {
    const page = await withoutMiddleware().get('/form/');
    assert.match(page.text, TOKEN_INPUT);
    assert.equal(page.cookies.size, 0);
  });
});

describe('the failure view', () => {
  test('with DEBUG: 403, Django’s headline, the reason escaped, and the help', async () => {
    const response = await withMiddleware().post('/saved/');
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('Content-Type'), 'text/html; charset=utf-8');
    assert.match(response.text, /<h1>Forbidden <span>\(403\)<\/span><\/h1>/);
    assert.match(response.text, /CSRF verification failed\. Request aborted\./);
    assert.match(response.text, /<pre>CSRF cookie not set\.<\/pre>/);
    assert.match(response.text, /\{% csrf_token %\}/);
    assert.match(response.text, /cookie/i);
  });

  test('without DEBUG the reason and the help are not shown', async () => {
    await overrideSettings({ DEBUG: false }, async () => {
      const response = await withMiddleware().post('/saved/');
      assert.equal(response.status, 403);
      assert.doesNotMatch(response.text, /<pre>|CSRF cookie not set/);
      assert.match(response.text, /More information is available with DEBUG=True\./);
    });
  });

  test('escapes the reason (an Origin is attacker-controlled)', async () => {
    const page = await csrfFailure(HttpRequest.create(), { reason: 'Origin checking failed - <script>x</script> does not match any trusted origins.' });
    assert.match(page.text, /&lt;script&gt;x&lt;\/script&gt;/);
    assert.doesNotMatch(page.text, /<script>/);
  });

  test('explains a missing Referer and a missing cookie to the visitor', async () => {
    await overrideSettings({ DEBUG: false }, async () => {
      assert.match((await csrfFailure(HttpRequest.create(), { reason: REASON_NO_REFERER })).text, /Referer/);
      assert.match((await csrfFailure(HttpRequest.create(), { reason: REASON_NO_CSRF_COOKIE })).text, /cookie/);
      assert.doesNotMatch((await csrfFailure(HttpRequest.create(), { reason: 'CSRF token missing.' })).text, /Referer|cookie/);
    });
  });

  test('renders the project’s 403_csrf.html when it exists, with the request’s context', async () => {
    resetTemplateEngines();
    try {
      await overrideSettings({ TEMPLATES: templateSettings({ '403_csrf.html': 'Please reload the form. {% csrf_token %}' }) }, async () => {
        const response = await withMiddleware().post('/saved/');
        assert.equal(response.status, 403);
        assert.match(response.text, /^Please reload the form\. <input type="hidden" name="csrfmiddlewaretoken" value="[a-zA-Z0-9]{64}">$/);
      });
    } finally {
      resetTemplateEngines();
    }
  });

  test('CSRF_FAILURE_VIEW names the project’s view by import string; it receives the reason', async () => {
    await overrideSettings({ BASE_DIR: join(import.meta.dirname, 'fixtures'), CSRF_FAILURE_VIEW: './csrf-views#csrfRefused' }, async () => {
      const response = await withMiddleware().post('/saved/');
      assert.equal(response.status, 403);
      assert.equal(response.text, 'refused /saved/: CSRF cookie not set.');
    });
  });

  test('the default import string loads the built-in view', async () => {
    await overrideSettings({ CSRF_FAILURE_VIEW: 'nuages/views/csrf#csrfFailure' }, async () => {
      assert.match((await withMiddleware().post('/saved/')).text, /CSRF verification failed/);
    });
  });

  test('a CSRF_FAILURE_VIEW that is not a view is a configuration error naming the setting', async () => {
    await overrideSettings({ BASE_DIR: join(import.meta.dirname, 'fixtures'), CSRF_FAILURE_VIEW: './csrf-views#notAView' }, async () => {
      await assert.rejects(withMiddleware().post('/saved/'), (error: unknown) => {
        assert.ok(error instanceof CsrfFailureViewError);
        assert.equal(error.code, 'NUAGES_CSRF_FAILURE_VIEW');
        assert.match(error.message, /CSRF_FAILURE_VIEW entry '\.\/csrf-views#notAView'.*csrfRefused/);
        return true;
      });
    });
  });
});
