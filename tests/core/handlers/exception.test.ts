import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { configure, overrideSettings, resetSettings } from '../../../src/conf/index.ts';
import { setRequestLogger, type RequestLogger } from '../../../src/core/handlers/index.ts';
import { gotRequestException } from '../../../src/core/signals.ts';
import {
  BadRequest,
  DisallowedHost,
  Http404,
  HttpResponse,
  PermissionDenied,
  SuspiciousOperation,
} from '../../../src/http/index.ts';
import { resetTemplateEngines } from '../../../src/template/index.ts';
import { include, path } from '../../../src/urls/index.ts';
import { Client } from '../../../src/test/index.ts';

let previousLogger: RequestLogger;
const logged: string[] = [];
before(() => {
  configure({ SECRET_KEY: 'top-secret-value', DEBUG: false, ALLOWED_HOSTS: ['testserver'], PAYMENT_TOKEN: 'tok_123' });
  previousLogger = setRequestLogger({ warn: (m) => void logged.push(m), error: (m) => void logged.push(m) });
});
after(() => {
  setRequestLogger(previousLogger);
  resetSettings();
});

function raising(error: unknown) {
  return async function failing(): Promise<HttpResponse> {
    throw error;
  };
}

const shop = [path('books/<int:id>/', async () => new HttpResponse('book'), { name: 'book-detail' })];
const urlpatterns = [
  path('404/', raising(new Http404('No book matches the given query.'))),
  path('403/', raising(new PermissionDenied('staff only'))),
  path('400/', raising(new BadRequest('bad'))),
  path('suspicious/', raising(new SuspiciousOperation('tampered'))),
  path('500/', raising(new Error('database on fire'))),
  path('json/', async (request) => new HttpResponse(JSON.stringify(request.json()))),
  path('host/', async (request) => new HttpResponse(request.getHost())),
  path('shop/', include(shop)),
];

function client(): Client {
  return new Client({ urlconf: urlpatterns, raiseRequestException: false });
}

describe('errors become responses', () => {
  test('Http404 → 404, PermissionDenied → 403, BadRequest and SuspiciousOperation → 400, others → 500', async () => {
    const c = client();
    assert.equal((await c.get('/404/')).status, 404);
    assert.equal((await c.get('/403/')).status, 403);
    assert.equal((await c.get('/400/')).status, 400);
    assert.equal((await c.get('/suspicious/')).status, 400);
    assert.equal((await c.get('/500/')).status, 500);
  });

  test('a path no pattern matches is a 404', async () => {
    assert.equal((await client().get('/nowhere/')).status, 404);
  });

  test('the plain pages reveal nothing about the error', async () => {
    const response = await client().get('/500/');
    assert.match(response.text, /<h1>Server Error<\/h1>/);
    assert.doesNotMatch(response.text, /database on fire/);
    assert.doesNotMatch(response.text, /top-secret/);
  });

  test('a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413', async () => {
    await overrideSettings({ DATA_UPLOAD_MAX_MEMORY_SIZE: 10 }, async () => {
      const response = await client().post('/json/', 'x'.repeat(100), { contentType: 'application/json' });
      assert.equal(response.status, 413);
    });
  });

  test('invalid JSON is a 400, not a 500', async () => {
    const response = await client().post('/json/', '{"title": ', { contentType: 'application/json' });
    assert.equal(response.status, 400);
  });

  test('broken multipart is a 400', async () => {
    const response = await client().post('/json/', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated', {
      contentType: 'multipart/form-data; boundary=x',
    });
    assert.equal(response.status, 400);
  });

  test('a Host outside ALLOWED_HOSTS is a 400 (DisallowedHost)', async () => {
    const response = await client().get('/host/', undefined, { headers: { Host: 'evil.example' } });
    assert.equal(response.status, 400);
    // Django logs the error's own message.
    assert.ok(logged.some((line) => line.includes(`Invalid HTTP_HOST header: "evil.example". You may need to add "evil.example" to ALLOWED_HOSTS.`)), logged.join('\n'));
    assert.ok(new DisallowedHost('x') instanceof SuspiciousOperation);
  });

  test('unexpected errors are sent to gotRequestException and logged; expected ones are not', async () => {
    const seen: unknown[] = [];
    const receiver = ({ error }: { error: unknown }) => void seen.push(error);
    gotRequestException.connect(receiver);
    try {
      logged.length = 0;
      await client().get('/404/');
      await client().get('/500/');
      assert.equal(seen.length, 1);
      assert.equal((seen[0] as Error).message, 'database on fire');
      assert.deepEqual(logged, ['Not Found: /404/', 'Internal Server Error: /500/']);
    } finally {
      gotRequestException.disconnect(receiver);
    }
  });
});

describe('DEBUG pages', () => {
  test('the technical 500 page shows the error, the source line, the request and masked settings', async () => {
    await overrideSettings({ DEBUG: true }, async () => {
      const response = await client().get('/500/?page=2', undefined, { headers: { Cookie: 'sessionid=abc; theme=dark' } });
      assert.equal(response.status, 500);
      const html = response.text;
      assert.match(html, /<title>Error at \/500\/<\/title>/);
      assert.match(html, /database on fire/);
      assert.match(html, /raising\(new Error\(&#x27;database on fire&#x27;\)\)|raising\(new Error\(&#39;database on fire&#39;\)\)/);
      assert.match(html, /exception\.test\.ts/);
      assert.match(html, /<th>page<\/th><td><pre>&quot;2&quot;<\/pre>/);
      assert.match(html, /<th>theme<\/th><td><pre>&quot;dark&quot;/);
      assert.doesNotMatch(html, /top-secret-value/);
      assert.doesNotMatch(html, /tok_123/);
      assert.doesNotMatch(html, /abc/);
      assert.match(html, /<th>SECRET_KEY<\/th><td><pre>&quot;\*{20}&quot;/);
    });
  });

  test('the technical 500 page is plain text for a client that does not accept HTML', async () => {
    await overrideSettings({ DEBUG: true }, async () => {
      const response = await client().get('/500/', undefined, { headers: { Accept: 'application/json' } });
      assert.equal(response.headers.get('Content-Type'), 'text/plain; charset=utf-8');
      assert.match(response.text, /^Error at \/500\/\ndatabase on fire/);
    });
  });

  test('a SuspiciousOperation in DEBUG shows the technical page with status 400', async () => {
    await overrideSettings({ DEBUG: true }, async () => {
      const response = await client().get('/suspicious/');
      assert.equal(response.status, 400);
      assert.match(response.text, /SuspiciousOperation/);
    });
  });

  test('the technical 404 lists the patterns tried, include prefixes and names', async () => {
    await overrideSettings({ DEBUG: true }, async () => {
      const response = await client().get('/shop/books/x/');
      assert.equal(response.status, 404);
      assert.match(response.text, /<li>shop\/ books\/&lt;int:id&gt;\/ \[name='book-detail'\]<\/li>/);
      assert.match(response.text, /None of them matched the path <code>shop\/books\/x\/<\/code>/);
      assert.match(response.text, /<li>404\/<\/li>/);
    });
  });

  test('an Http404 raised by a view shows its message and the view', async () => {
    await overrideSettings({ DEBUG: true }, async () => {
      const response = await client().get('/404/');
      assert.match(response.text, /No book matches the given query\./);
      assert.match(response.text, /Raised by.*failing/s);
    });
  });
});

describe('error templates', () => {
  test('404.html is rendered with request_path when it exists', async () => {
    resetTemplateEngines();
    try {
      await overrideSettings(
        { TEMPLATES: [{ BACKEND: 'nuages/template', DIRS: [join(import.meta.dirname, 'fixtures', 'templates')] }] },
        async () => {
          const response = await client().get('/missing/page/');
          assert.equal(response.status, 404);
          assert.equal(response.text.trim(), '<h1>Lost at /missing/page/</h1>');
          // No 500.html: the plain page still answers.
          assert.match((await client().get('/500/')).text, /Server Error/);
        },
      );
    } finally {
      resetTemplateEngines();
    }
  });
});
