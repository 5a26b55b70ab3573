// ContentSecurityPolicyMiddleware, the csp context processor, the cspOverride decorators
// and the violation-report view. Django 5.2 has no CSP: the behaviour checked is the one
// Django 6.0 documents (headers from SECURE_CSP / SECURE_CSP_REPORT_ONLY, a lazy nonce in
// the header only when the page used it, overrides per view, a header the view set kept).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings, resetSettings, settings } from '../../src/conf/index.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import { HttpRequest, HttpResponse, StreamingHttpResponse } from '../../src/http/index.ts';
import { ContentSecurityPolicyMiddleware, CsrfViewMiddleware, getNonce, overrideCsp } from '../../src/middleware/index.ts';
import { csp, LocmemLoader } from '../../src/template/index.ts';
import bookshop from '../../examples/bookshop/settings.ts';
import { render } from '../../src/shortcuts.ts';
import { Client } from '../../src/test/index.ts';
import { path } from '../../src/urls/index.ts';
import { CSP, InvalidCspPolicyError, type CspPolicy } from '../../src/utils/csp.ts';
import { captureLogs } from '../../src/utils/log.ts';
import {
  TemplateResponse, View, cachePage, cspOverride, cspReport, cspReportOnlyOverride, cspReportView, methodDecorator,
} from '../../src/views/index.ts';

const BASIC: CspPolicy = { 'default-src': [CSP.SELF] };
const WITH_NONCE: CspPolicy = { 'default-src': [CSP.SELF], 'script-src': [CSP.SELF, CSP.NONCE] };
const IMAGES: CspPolicy = { 'default-src': [CSP.SELF], 'img-src': [CSP.SELF, 'data:'] };

const TEMPLATES = {
  'script.html': '<script nonce="{{ csp_nonce }}">go()</script><script nonce="{{ csp_nonce }}">again()</script>',
  'optional.html': '<script{% if csp_nonce %} nonce="{{ csp_nonce }}"{% endif %}>x()</script>',
  'used-then-optional.html': '<p>{{ csp_nonce }}</p><script{% if csp_nonce %} nonce="{{ csp_nonce }}"{% endif %}>x()</script>',
  'plain.html': '<p>no scripts</p>',
};

let previousLogger: RequestLogger;
before(() => {
  configure({
    SECRET_KEY: 'csp-tests',
    ALLOWED_HOSTS: ['testserver'],
    TEMPLATES: [{ BACKEND: 'nuages/template', OPTIONS: { loaders: [new LocmemLoader(TEMPLATES)], contextProcessors: [csp] } }],
  });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
});
after(() => {
  setRequestLogger(previousLogger);
  resetSettings();
});

const ok = async () => new HttpResponse('ok');
const echoNonce = async (request: HttpRequest) => new HttpResponse(`${request.cspNonce}|${request.cspNonce}`);
const page = (name: string) => async (request: HttpRequest) => new TemplateResponse(request, name);

function client(urls: ReturnType<typeof path>[], options: { enforceCsrfChecks?: boolean } = {}): Client {
  return new Client({ urlconf: urls, middleware: [ContentSecurityPolicyMiddleware], ...options });
}

/** The two CSP headers of a response, null for one it does not have. */
function cspHeaders(response: { headers: { get(name: string): string | null | undefined } }): [string | null, string | null] {
  return [response.headers.get('Content-Security-Policy') ?? null, response.headers.get('Content-Security-Policy-Report-Only') ?? null];
}

function nonceIn(header: string | null | undefined): string | undefined {
  return /'nonce-([^']+)'/.exec(header ?? '')?.[1];
}

describe('headers from the settings', () => {
  test('no header by default (both settings empty)', async () => {
    const response = await client([path('', ok)]).get('/');
    assert.equal(response.headers.has('Content-Security-Policy'), false);
    assert.equal(response.headers.has('Content-Security-Policy-Report-Only'), false);
  });

  test('SECURE_CSP is sent as Content-Security-Policy', async () => {
    await overrideSettings({ SECURE_CSP: BASIC }, async () => {
      const response = await client([path('', ok)]).get('/');
      assert.equal(response.headers.get('Content-Security-Policy'), "default-src 'self'");
      assert.equal(response.headers.has('Content-Security-Policy-Report-Only'), false);
    });
  });

  test('SECURE_CSP_REPORT_ONLY is sent as Content-Security-Policy-Report-Only', async () => {
    await overrideSettings({ SECURE_CSP_REPORT_ONLY: { ...BASIC, 'report-uri': '/csp-report/' } }, async () => {
      const response = await client([path('', ok)]).get('/');
      assert.equal(response.headers.get('Content-Security-Policy-Report-Only'), "default-src 'self'; report-uri /csp-report/");
      assert.equal(response.headers.has('Content-Security-Policy'), false);
    });
  });

  test('both settings send both headers', async () => {
    await overrideSettings({ SECURE_CSP: BASIC, SECURE_CSP_REPORT_ONLY: IMAGES }, async () => {
      const response = await client([path('', ok)]).get('/');
      assert.equal(response.headers.get('Content-Security-Policy'), "default-src 'self'");
      assert.equal(response.headers.get('Content-Security-Policy-Report-Only'), "default-src 'self'; img-src 'self' data:");
    });
  });

  test('a header the view set itself is kept', async () => {
    const own = async () => {
      const response = new HttpResponse('own');
      response.headers.set('Content-Security-Policy', "default-src 'none'");
      response.headers.set('Content-Security-Policy-Report-Only', "img-src 'none'");
      return response;
    };
    await overrideSettings({ SECURE_CSP: BASIC, SECURE_CSP_REPORT_ONLY: BASIC }, async () => {
      const response = await client([path('', own)]).get('/');
      assert.equal(response.headers.get('Content-Security-Policy'), "default-src 'none'");
      assert.equal(response.headers.get('Content-Security-Policy-Report-Only'), "img-src 'none'");
    });
  });

  test('error pages get the policy too', async () => {
    await overrideSettings({ SECURE_CSP: BASIC }, async () => {
      const response = await client([path('', ok)]).get('/missing/');
      assert.equal(response.status, 404);
      assert.equal(response.headers.get('Content-Security-Policy'), "default-src 'self'");
    });
  });

  test('a malformed SECURE_CSP fails the request with an error naming the setting', async () => {
    await overrideSettings({ SECURE_CSP: { 'script-src': ["'self'; object-src *"] } }, async () => {
      await assert.rejects(client([path('', ok)]).get('/'), (error: unknown) => {
        assert.ok(error instanceof InvalidCspPolicyError);
        assert.match(error.message, /^SECURE_CSP\['script-src'\]/);
        return true;
      });
    });
  });
});

describe('the nonce', () => {
  test("request.cspNonce is made on first read, the same for the whole request, and put in the header", async () => {
    await overrideSettings({ SECURE_CSP: WITH_NONCE }, async () => {
      const response = await client([path('', echoNonce)]).get('/');
      const [first, second] = response.text.split('|');
      assert.match(first!, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(second, first);
      assert.equal(response.headers.get('Content-Security-Policy'), `default-src 'self'; script-src 'self' 'nonce-${first}'`);
    });
  });

  test('each request gets its own nonce', async () => {
    await overrideSettings({ SECURE_CSP: WITH_NONCE }, async () => {
      const c = client([path('', echoNonce)]);
      const nonces = new Set<string>();
      for (let i = 0; i < 5; i++) nonces.add(nonceIn((await c.get('/')).headers.get('Content-Security-Policy'))!);
      assert.equal(nonces.size, 5);
    });
  });

  test('a page that never used the nonce gets a header without it, the same on every request', async () => {
    await overrideSettings({ SECURE_CSP: WITH_NONCE }, async () => {
      const c = client([path('', page('plain.html'))]);
      const first = await c.get('/');
      const second = await c.get('/');
      assert.equal(first.headers.get('Content-Security-Policy'), "default-src 'self'; script-src 'self'");
      assert.equal(second.headers.get('Content-Security-Policy'), first.headers.get('Content-Security-Policy'));
      assert.equal(first.headers.has('Cache-Control'), false, 'a page without a nonce stays cacheable');
    });
  });

  test('{{ csp_nonce }} in a template makes the nonce the header carries, one per page', async () => {
    await overrideSettings({ SECURE_CSP: WITH_NONCE }, async () => {
      const response = await client([path('', page('script.html'))]).get('/');
      const nonce = nonceIn(response.headers.get('Content-Security-Policy'));
      assert.ok(nonce);
      assert.equal(response.text, `<script nonce="${nonce}">go()</script><script nonce="${nonce}">again()</script>`);
    });
  });

  test('{% if csp_nonce %} is false until something used the nonce, as in Django', async () => {
    await overrideSettings({ SECURE_CSP: WITH_NONCE }, async () => {
      const c = client([path('optional/', page('optional.html')), path('used/', page('used-then-optional.html'))]);
      const unused = await c.get('/optional/');
      assert.equal(unused.text, '<script>x()</script>');
      assert.equal(unused.headers.get('Content-Security-Policy'), "default-src 'self'; script-src 'self'");
      const used = await c.get('/used/');
      const nonce = nonceIn(used.headers.get('Content-Security-Policy'));
      assert.equal(used.text, `<p>${nonce}</p><script nonce="${nonce}">x()</script>`);
    });
  });

  test('a response whose header carries a nonce is private, so no shared cache replays it', async () => {
    await overrideSettings({ SECURE_CSP: WITH_NONCE }, async () => {
      const response = await client([path('', page('script.html'))]).get('/');
      assert.equal(response.headers.get('Cache-Control'), 'private');
      const shared = async (request: HttpRequest) => {
        const response = await echoNonce(request);
        response.headers.set('Cache-Control', 'public, max-age=60');
        return response;
      };
      assert.equal((await client([path('', shared)]).get('/')).headers.get('Cache-Control'), 'max-age=60, private');
    });
  });

  test('a nonce used under a policy without CSP.NONCE leaves the header and caching alone', async () => {
    await overrideSettings({ SECURE_CSP: BASIC }, async () => {
      const response = await client([path('', page('script.html'))]).get('/');
      assert.equal(response.headers.get('Content-Security-Policy'), "default-src 'self'");
      assert.equal(response.headers.has('Cache-Control'), false);
    });
  });

  test('the report-only policy gets the same nonce', async () => {
    await overrideSettings({ SECURE_CSP: WITH_NONCE, SECURE_CSP_REPORT_ONLY: { 'style-src': [CSP.NONCE] } }, async () => {
      const response = await client([path('', echoNonce)]).get('/');
      const nonce = response.text.split('|')[0];
      assert.equal(response.headers.get('Content-Security-Policy-Report-Only'), `style-src 'nonce-${nonce}'`);
    });
  });

  test('a streamed body, rendered after the headers leave, gets its nonce made in time', async () => {
    const stream = async (request: HttpRequest) =>
      new StreamingHttpResponse(
        (async function* () {
          yield '<script nonce="';
          yield request.cspNonce!;
          yield '">x()</script>';
        })(),
      ) as unknown as HttpResponse;
    await overrideSettings({ SECURE_CSP: WITH_NONCE }, async () => {
      const response = await client([path('', stream)]).get('/');
      const nonce = nonceIn(response.headers.get('Content-Security-Policy'));
      assert.ok(nonce, 'the header must carry the nonce the stream prints');
      const chunks: Buffer[] = [];
      for await (const chunk of (response as unknown as StreamingHttpResponse).streamingContent) chunks.push(chunk);
      assert.equal(Buffer.concat(chunks).toString(), `<script nonce="${nonce}">x()</script>`);
    });
  });

  test('getNonce() tells whether the page used the nonce without making it', async () => {
    const seen: boolean[] = [];
    const view = async (request: HttpRequest) => {
      seen.push(getNonce(request)!.used);
      void request.cspNonce;
      seen.push(getNonce(request)!.used);
      return new HttpResponse('ok');
    };
    await client([path('', view)]).get('/');
    assert.deepEqual(seen, [false, true]);
  });

  test('without the middleware, request.cspNonce is undefined and csp_nonce is None (as in Django)', async () => {
    const c = new Client({ urlconf: [path('', echoNonce), path('t/', page('optional.html')), path('u/', page('script.html'))], middleware: [] });
    assert.equal((await c.get('/')).text, 'undefined|undefined');
    assert.equal((await c.get('/t/')).text, '<script>x()</script>');
    assert.equal((await c.get('/u/')).text, '<script nonce="None">go()</script><script nonce="None">again()</script>');
  });
});

describe('cspOverride and cspReportOnlyOverride', () => {
  const urls = [
    path('base/', ok),
    path('enforced/', cspOverride(IMAGES)(ok)),
    path('report-only/', cspReportOnlyOverride(IMAGES)(ok)),
    path('both/', cspOverride(IMAGES)(cspReportOnlyOverride(IMAGES)(ok))),
    path('off/', cspOverride({})(ok)),
    path('report-off/', cspReportOnlyOverride({})(ok)),
    path('nonce/', cspOverride(WITH_NONCE)(echoNonce)),
  ];
  const both = (fn: () => Promise<void>) => overrideSettings({ SECURE_CSP: BASIC, SECURE_CSP_REPORT_ONLY: BASIC }, fn);

  const basic = "default-src 'self'";
  const images = "default-src 'self'; img-src 'self' data:";
  const cases: Array<[string, string, string | null, string | null]> = [
    ['without a decorator both settings apply', '/base/', basic, basic],
    ['cspOverride replaces the enforced policy only', '/enforced/', images, basic],
    ['cspReportOnlyOverride replaces the report-only policy only', '/report-only/', basic, images],
    ['the two stack', '/both/', images, images],
    ['an empty cspOverride sends no enforced header for that view', '/off/', null, basic],
    ['an empty cspReportOnlyOverride sends no report-only header for that view', '/report-off/', basic, null],
  ];
  for (const [name, url, enforced, reportOnly] of cases) {
    test(name, () => both(async () => assert.deepEqual(cspHeaders(await client(urls).get(url)), [enforced, reportOnly])));
  }

  test('an override applies without any setting, with the nonce', async () => {
    const response = await client(urls).get('/nonce/');
    const nonce = response.text.split('|')[0];
    assert.equal(response.headers.get('Content-Security-Policy'), `default-src 'self'; script-src 'self' 'nonce-${nonce}'`);
  });

  test('on a class-based view, through methodDecorator or around asView()', async () => {
    class Embed extends View {
      async get() {
        return new HttpResponse('embed');
      }
    }
    class Decorated extends Embed {}
    methodDecorator(cspOverride(IMAGES), 'dispatch')(Decorated);
    const c = client([path('method/', Decorated.asView()), path('wrapped/', cspReportOnlyOverride(IMAGES)(Embed.asView()))]);
    await both(async () => {
      assert.equal((await c.get('/method/')).headers.get('Content-Security-Policy'), "default-src 'self'; img-src 'self' data:");
      const wrapped = await c.get('/wrapped/');
      assert.equal(wrapped.headers.get('Content-Security-Policy'), "default-src 'self'");
      assert.equal(wrapped.headers.get('Content-Security-Policy-Report-Only'), "default-src 'self'; img-src 'self' data:");
    });
  });

  test('on a TemplateResponse view, whose nonce is used while rendering', async () => {
    const response = await client([path('', cspOverride(WITH_NONCE)(page('script.html')))]).get('/');
    const nonce = nonceIn(response.headers.get('Content-Security-Policy'));
    assert.ok(nonce);
    assert.ok(response.text.includes(`nonce="${nonce}"`));
  });

  test('inside or outside cachePage, the override applies to copies served from the cache too', async () => {
    let calls = 0;
    const counted = async () => new HttpResponse(`call ${++calls}`);
    const framed = { 'frame-ancestors': new Set(['https://b.example', 'https://a.example']) };
    const c = client([
      path('outside/', cspOverride({})(cachePage(60)(counted))),
      path('inside/', cachePage(60)(cspOverride(framed)(counted))),
    ]);
    await both(async () => {
      const first = await c.get('/outside/');
      const second = await c.get('/outside/');
      assert.equal(second.text, 'call 1', 'the second request is a cache hit');
      assert.deepEqual(cspHeaders(first), [null, "default-src 'self'"]);
      assert.deepEqual(cspHeaders(second), [null, "default-src 'self'"]);
      const fresh = await c.get('/inside/');
      const cached = await c.get('/inside/');
      assert.equal(cached.text, 'call 2', 'a cache hit');
      assert.deepEqual(cspHeaders(fresh), ['frame-ancestors https://a.example https://b.example', "default-src 'self'"]);
      assert.deepEqual(cspHeaders(cached), cspHeaders(fresh), 'the cached copy keeps the override the view chose');
    });
  });

  test('overrideCsp() lets a view choose per request', async () => {
    const view = async (request: HttpRequest) => {
      const response = new HttpResponse('maybe');
      return request.GET.get('embed') ? overrideCsp(response, { ...BASIC, 'frame-ancestors': ['https://partner.example'] }) : response;
    };
    await both(async () => {
      const c = client([path('', view)]);
      assert.equal((await c.get('/')).headers.get('Content-Security-Policy'), "default-src 'self'");
      assert.equal((await c.get('/?embed=1')).headers.get('Content-Security-Policy'), "default-src 'self'; frame-ancestors https://partner.example");
    });
  });

  test('the decorators keep the view flags and name', () => {
    const decorated = cspOverride(BASIC)(Object.assign(async function storeMap() {
      return new HttpResponse('map');
    }, { csrfExempt: true as const }));
    assert.equal(decorated.name, 'storeMap');
    assert.equal(decorated.csrfExempt, true);
  });

  test('a policy that is not an object, or is malformed, fails where it is written', () => {
    assert.throws(() => cspOverride([CSP.SELF] as never), { code: 'NUAGES_CSP_INVALID_POLICY', message: /cspOverride\(\) takes a policy object.*not an array/ });
    assert.throws(() => cspReportOnlyOverride(null as never), { code: 'NUAGES_CSP_INVALID_POLICY', message: /not null/ });
    assert.throws(() => cspOverride({ scriptSrc: [CSP.SELF] }), { code: 'NUAGES_CSP_INVALID_POLICY', message: /^cspOverride\(\) has the directive 'scriptSrc'.*'script-src'/ });
    assert.throws(() => cspOverride(BASIC)(class Page extends View {} as never), { code: 'NUAGES_VIEW_CONFIGURATION', message: /Page\.asView\(\)/ });
  });
});

describe('the violation report view', () => {
  const REPORT_URI_BODY = {
    'csp-report': {
      'document-uri': 'https://shop.example/books/',
      referrer: '',
      'violated-directive': 'script-src-elem',
      'effective-directive': 'script-src-elem',
      'original-policy': "default-src 'self'; script-src 'self' 'nonce-abc'; report-uri /csp-report/",
      disposition: 'enforce',
      'blocked-uri': 'inline',
      'line-number': 12,
      'column-number': 5,
      'source-file': 'https://shop.example/books/',
      'status-code': 200,
      'script-sample': '',
    },
  };
  const REPORTING_API_BODY = [
    { type: 'deprecation', url: 'https://shop.example/', body: { id: 'x', message: 'old API' } },
    {
      type: 'csp-violation',
      age: 10,
      url: 'https://shop.example/cart/',
      user_agent: 'Chrome/130',
      body: {
        documentURL: 'https://shop.example/cart/',
        blockedURL: 'https://evil.example/x.js',
        effectiveDirective: 'script-src-elem',
        originalPolicy: "script-src 'self'",
        disposition: 'report',
        statusCode: 200,
        lineNumber: 3,
        columnNumber: 1,
        sourceFile: 'https://shop.example/cart/',
        sample: '',
        referrer: '',
      },
    },
  ];
  const reports = (options: { enforceCsrfChecks?: boolean } = {}) =>
    client([path('csp-report/', cspReport), path('small/', cspReportView({ maxBodySize: 1024 })), path('two/', cspReportView({ maxReports: 2 }))], options);

  test('an application/csp-report report is logged with its details and answered 204', async () => {
    const { result: response, records } = await captureLogs('nuages.security.csp', () =>
      reports().post('/csp-report/', JSON.stringify(REPORT_URI_BODY), { contentType: 'application/csp-report', headers: { 'User-Agent': 'Firefox/140' } }),
    );
    assert.equal(response.status, 204);
    assert.equal(response.content.length, 0);
    assert.equal(records.length, 1);
    const [record] = records;
    assert.equal(record!.level, 'warning');
    assert.equal(record!.message, 'Content Security Policy violation (enforce): script-src-elem blocked inline on https://shop.example/books/');
    assert.deepEqual(record!.details, {
      documentURL: 'https://shop.example/books/',
      blockedURL: 'inline',
      effectiveDirective: 'script-src-elem',
      disposition: 'enforce',
      originalPolicy: "default-src 'self'; script-src 'self' 'nonce-abc'; report-uri /csp-report/",
      sourceFile: 'https://shop.example/books/',
      lineNumber: 12,
      columnNumber: 5,
      sample: '',
      statusCode: 200,
      referrer: '',
      userAgent: 'Firefox/140',
    });
  });

  test('an application/reports+json batch logs its csp-violation entries only', async () => {
    const { result: response, records } = await captureLogs('nuages.security.csp', () =>
      reports().post('/csp-report/', JSON.stringify(REPORTING_API_BODY), { contentType: 'application/reports+json' }),
    );
    assert.equal(response.status, 204);
    assert.deepEqual(
      records.map((r) => r.message),
      ['Content Security Policy violation (report): script-src-elem blocked https://evil.example/x.js on https://shop.example/cart/'],
    );
    assert.equal(records[0]!.details['userAgent'], 'Chrome/130');
  });

  test('reports are accepted without a CSRF token (browsers send none)', async () => {
    const { result: response } = await captureLogs('nuages.security.csp', () =>
      reports({ enforceCsrfChecks: true }).post('/csp-report/', JSON.stringify(REPORT_URI_BODY), { contentType: 'application/csp-report' }),
    );
    assert.equal(response.status, 204);
  });

  test('bad JSON is refused with 400 and nothing is logged', async () => {
    const { result: response, records } = await captureLogs('nuages.security.csp', () =>
      reports().post('/csp-report/', '{"csp-report": ', { contentType: 'application/csp-report' }),
    );
    assert.equal(response.status, 400);
    assert.match(response.text, /not valid JSON/);
    assert.equal(records.length, 0);
  });

  test('JSON that is not a report in the declared format is refused with 400', async () => {
    const c = reports();
    await captureLogs('nuages.security.csp', async () => {
      assert.equal((await c.post('/csp-report/', '[1, 2]', { contentType: 'application/csp-report' })).status, 400);
      assert.equal((await c.post('/csp-report/', '{"csp-report": "x"}', { contentType: 'application/csp-report' })).status, 400);
      assert.equal((await c.post('/csp-report/', JSON.stringify(REPORT_URI_BODY), { contentType: 'application/reports+json' })).status, 400);
    });
  });

  test('other methods get 405 and other content types 415', async () => {
    const c = reports();
    const get = await c.get('/csp-report/');
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('Allow'), 'POST');
    const form = await c.post('/csp-report/', { 'csp-report': 'x' });
    assert.equal(form.status, 415);
    const json = await c.post('/csp-report/', JSON.stringify(REPORT_URI_BODY), { contentType: 'application/json' });
    assert.equal(json.status, 415);
  });

  test('a body over maxBodySize is refused with 413', async () => {
    const big = JSON.stringify({ 'csp-report': { ...REPORT_URI_BODY['csp-report'], 'script-sample': 'x'.repeat(2000) } });
    const { result: response, records } = await captureLogs('nuages.security.csp', () =>
      reports().post('/small/', big, { contentType: 'application/csp-report' }),
    );
    assert.equal(response.status, 413);
    assert.equal(records.length, 0);
  });

  test('a declared oversized body is refused without reading it', async () => {
    let read = false;
    const request = HttpRequest.create({
      method: 'POST',
      path: '/csp-report/',
      headers: { 'Content-Type': 'application/csp-report', 'Content-Length': '1000000000' },
      body: (async function* () {
        read = true;
        yield Buffer.alloc(10);
      })(),
    });
    const response = await cspReport(request, undefined);
    assert.equal(response.status, 413);
    assert.equal(read, false);
  });

  test('a chunked body over the limit is refused too', async () => {
    const request = HttpRequest.create({
      method: 'POST',
      path: '/small/',
      headers: { 'Content-Type': 'application/csp-report' },
      body: (async function* () {
        for (let i = 0; i < 4; i++) yield Buffer.alloc(512, 0x20);
      })(),
    });
    assert.equal((await cspReportView({ maxBodySize: 1024 })(request, undefined)).status, 413);
  });

  test('a forged report cannot forge log lines or flood the log', async () => {
    const forged = [0, 1, 2, 3].map((i) => ({
      type: 'csp-violation',
      body: {
        documentURL: `https://shop.example/${i}\n[nuages.security.csp] all clear\u202e`,
        blockedURL: 'x'.repeat(5000),
        effectiveDirective: 'script-src',
        lineNumber: '12; DROP',
      },
    }));
    const { result: response, records } = await captureLogs('nuages.security.csp', () =>
      reports().post('/two/', JSON.stringify(forged), { contentType: 'application/reports+json' }),
    );
    assert.equal(response.status, 204);
    assert.equal(records.length, 3, 'two reports, then one record counting the rest');
    for (const record of records) assert.doesNotMatch(record.message, /[\n\r\u202e]/);
    assert.match(records[0]!.message, /https:\/\/shop\.example\/0\\u000a\[nuages\.security\.csp\] all clear\\u202e$/);
    assert.equal((records[0]!.details['blockedURL'] as string).length, 501);
    assert.equal(records[0]!.details['lineNumber'], null);
    assert.equal(records[2]!.message, '2 more Content Security Policy violations in the same request were not logged.');
  });
});

describe('docs/security.md', () => {
  // The bookshop's own policy, with the report endpoint the page adds.
  const SHOP_POLICY: CspPolicy = { ...bookshop.SECURE_CSP, 'report-uri': '/csp-report/' };

  test('the bookshop policy, with a nonced inline script, as the header the page gets', async () => {
    await overrideSettings({ SECURE_CSP: SHOP_POLICY }, async () => {
      const response = await client([path('', page('script.html'))]).get('/');
      const nonce = nonceIn(response.headers.get('Content-Security-Policy'));
      assert.equal(
        response.headers.get('Content-Security-Policy'),
        `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self'; img-src 'self' data:; object-src 'none'; ` +
          "base-uri 'none'; frame-ancestors 'none'; form-action 'self'; report-uri /csp-report/",
      );
      assert.ok(response.text.startsWith(`<script nonce="${nonce}">`));
    });
  });

  test("one view's policy: the store map, a legacy class-based view without policy, the report endpoint", async () => {
    await overrideSettings({ SECURE_CSP: SHOP_POLICY }, async () => {
      async function home(request: HttpRequest) {
        return render(request, 'plain.html');
      }
      const storeMap = cspOverride({ ...settings.SECURE_CSP, 'img-src': [CSP.SELF, 'https://tiles.example'] })(
        async (request: HttpRequest) => render(request, 'plain.html'),
      );
      class LegacyReport extends View {
        async get(_request: HttpRequest) {
          return new HttpResponse('<button onclick="print()">Print</button>');
        }
      }
      methodDecorator(cspOverride({}), 'dispatch')(LegacyReport);
      const urlpatterns = [path('', home), path('map/', storeMap), path('legacy/', LegacyReport.asView()), path('csp-report/', cspReport)];

      const c = client(urlpatterns);
      assert.match((await c.get('/')).headers.get('Content-Security-Policy')!, /img-src 'self' data:;/);
      assert.match((await c.get('/map/')).headers.get('Content-Security-Policy')!, /img-src 'self' https:\/\/tiles\.example;/);
      assert.equal((await c.get('/legacy/')).headers.has('Content-Security-Policy'), false);
      const { result, records } = await captureLogs('nuages.security.csp', () =>
        c.post('/csp-report/', JSON.stringify({ 'csp-report': { 'document-uri': 'https://shop.example/books/', 'effective-directive': 'script-src-elem', 'blocked-uri': 'inline' } }), {
          contentType: 'application/csp-report',
        }),
      );
      assert.equal(result.status, 204);
      assert.equal(records[0]!.message, 'Content Security Policy violation (enforce): script-src-elem blocked inline on https://shop.example/books/');
    });
  });
});

describe("Nuages's own pages under a strict policy", () => {
  const STRICT = { 'default-src': [CSP.SELF], 'style-src': [CSP.SELF, CSP.NONCE] };

  test('the DEBUG 404 and 500 pages and the CSRF failure page style themselves with the request nonce', async () => {
    const crash = async () => {
      throw new Error('boom');
    };
    await overrideSettings({ SECURE_CSP: STRICT, DEBUG: true }, async () => {
      const c = new Client({ urlconf: [path('crash/', crash), path('form/', ok)], middleware: [ContentSecurityPolicyMiddleware], raiseRequestException: false });
      const pages = [
        await c.get('/missing/', {}, { headers: { accept: 'text/html' } }),
        await c.get('/crash/', {}, { headers: { accept: 'text/html' } }),
      ];
      const csrf = new Client({ urlconf: [path('form/', ok)], middleware: [ContentSecurityPolicyMiddleware, CsrfViewMiddleware], enforceCsrfChecks: true });
      pages.push(await csrf.post('/form/', {}, { headers: { accept: 'text/html' } }));
      assert.deepEqual(pages.map((response) => response.status), [404, 500, 403]);
      for (const response of pages) {
        const nonce = nonceIn(response.headers.get('Content-Security-Policy'));
        assert.ok(nonce, `status ${response.status}: the policy carries a nonce`);
        assert.ok(response.text.includes(`<style nonce="${nonce}">`), `status ${response.status}: the page's style has it`);
      }
    });
  });

  test('without the middleware the pages keep a plain <style>', async () => {
    await overrideSettings({ DEBUG: true }, async () => {
      const response = await new Client({ urlconf: [] }).get('/missing/', {}, { headers: { accept: 'text/html' } });
      assert.ok(response.text.includes('<style>'));
    });
  });
});
