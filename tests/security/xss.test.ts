// The XSS sweep: the hostile strings of the template tests sent as user input through every
// other surface that prints it — form values, labels and error messages in each layout,
// flash messages, the 404/403/400/500 pages with DEBUG off and the technical pages with it
// on (path, message, GET/POST data, headers), and the CSRF failure page's reason. None of
// their markup may come out live.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings, resetSettings, setup } from '../../src/conf/index.ts';
import { messages, messagesProcessor } from '../../src/contrib/messages/index.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import {
  CharField,
  ChoiceField,
  defineForm,
  EmailField,
  IntegerField,
  MultipleChoiceField,
  Textarea,
} from '../../src/forms/index.ts';
import { Http404, HttpResponse, HttpResponseRedirect, PermissionDenied, type HttpRequest } from '../../src/http/index.ts';
import { CsrfViewMiddleware } from '../../src/middleware/csrf.ts';
import { Engine, LocmemLoader } from '../../src/template/index.ts';
import { Client } from '../../src/test/index.ts';
import { path } from '../../src/urls/index.ts';
import { HOSTILE, assertNoInjectedMarkup } from './hostile-strings.ts';

// The first hostile string as Django escapes it: proof the input did reach the page.
const SHOWN_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

let previousLogger: RequestLogger;
before(async () => {
  configure({
    SECRET_KEY: 'xss-sweep-test-key',
    DEBUG: false,
    ALLOWED_HOSTS: ['testserver'],
    INSTALLED_APPS: ['nuages/contrib/messages'],
    MESSAGE_STORAGE: 'cookie',
  });
  await setup();
  previousLogger = setRequestLogger({ warn() {}, error() {} });
});
after(() => {
  setRequestLogger(previousLogger);
  resetSettings();
});

describe('forms print hostile input escaped', () => {
  const choices: [string, string][] = [['a', 'A'], ['b', 'B']];
  const HostileForm = defineForm({
    name: new CharField({ maxLength: 5 }),
    bio: new CharField({ widget: new Textarea() }),
    email: new EmailField(),
    age: new IntegerField(),
    pick: new ChoiceField({ choices }),
    many: new MultipleChoiceField({ choices }),
  });

  for (const layout of ['render', 'asDiv', 'asP', 'asUl', 'asTable'] as const) {
    test(`bound values and the errors that quote them, in ${layout}()`, async () => {
      for (const value of HOSTILE) {
        const form = new HostileForm({ data: { name: value, bio: value, email: value, age: value, pick: value, many: [value] } });
        assert.equal(await form.isValid(), false);
        // Django quotes the offending choice in its message: the value reaches the page twice.
        assert.ok(JSON.stringify(form.errors.asData()).length > 0);
        const html = String(layout === 'render' ? await form.render() : await form[layout]());
        assertNoInjectedMarkup(html, `${layout} with ${JSON.stringify(value)}`);
        if (value === HOSTILE[0]) assert.ok(html.includes(SHOWN_ESCAPED), html);
      }
    });
  }

  test('labels and initial values from the database are escaped too', async () => {
    for (const value of HOSTILE) {
      const form = new (defineForm({ title: new CharField({ label: value }) }))({ initial: { title: value } });
      assertNoInjectedMarkup(String(await form.render()), JSON.stringify(value));
    }
  });
});

describe('flash messages print hostile text escaped', () => {
  const engine = new Engine({
    loaders: [new LocmemLoader({ 'list.html': '{% for m in messages %}<li class="{{ m.tags }}">{{ m }}</li>{% endfor %}' })],
    contextProcessors: [messagesProcessor],
  });
  const urlpatterns = [
    path('add/', async (request: HttpRequest) => {
      const text = request.GET.get('text') ?? '';
      messages.error(request, `Could not save “${text}”.`, { extraTags: text });
      return new HttpResponseRedirect('/show/');
    }),
    path('show/', async (request: HttpRequest) => new HttpResponse(await engine.renderToString('list.html', {}, request))),
  ];

  test('a message quoting user input, shown on the next page through the cookie storage', async () => {
    for (const value of HOSTILE) {
      const client = new Client({ urlconf: urlpatterns, middleware: ['nuages/contrib/messages#MessageMiddleware'] });
      const page = await client.get('/add/', { text: value }, { follow: true });
      assert.equal(page.status, 200);
      assert.match(page.text, /<li class=".*error.*">Could not save/, 'the message was shown');
      assertNoInjectedMarkup(page.text, JSON.stringify(value));
      if (value === HOSTILE[0]) assert.ok(page.text.includes(SHOWN_ESCAPED), page.text);
    }
  });
});

describe('error pages print hostile requests escaped', () => {
  const urlpatterns = [
    path('missing/', async (request: HttpRequest) => {
      throw new Http404(`No book called ${request.GET.get('q') ?? ''}`);
    }),
    path('denied/', async (request: HttpRequest) => {
      throw new PermissionDenied(`Not for ${request.GET.get('q') ?? ''}`);
    }),
    path('crash/', async (request: HttpRequest) => {
      throw new Error(`Crashed on ${request.GET.get('q') ?? request.POST.get('q') ?? ''}`);
    }),
    path('form/', async () => new HttpResponse('accepted')),
  ];
  const client = () => new Client({ urlconf: urlpatterns, raiseRequestException: false });

  for (const debug of [false, true]) {
    test(`404 for an unknown hostile path and for a hostile Http404 message, DEBUG ${debug}`, async () => {
      await overrideSettings({ DEBUG: debug }, async () => {
        for (const value of HOSTILE) {
          const unknown = await client().get(`/${encodeURIComponent(value)}/`, {}, { headers: { accept: 'text/html' } });
          assert.equal(unknown.status, 404);
          assertNoInjectedMarkup(unknown.text, `unknown path ${JSON.stringify(value)}`);
          const raised = await client().get('/missing/', { q: value }, { headers: { accept: 'text/html' } });
          assert.equal(raised.status, 404);
          assertNoInjectedMarkup(raised.text, `Http404 ${JSON.stringify(value)}`);
          if (debug && value === HOSTILE[0]) assert.ok(raised.text.includes(SHOWN_ESCAPED), raised.text);
        }
      });
    });

    test(`403 and 500 quoting hostile input, with hostile headers and POST data, DEBUG ${debug}`, async () => {
      await overrideSettings({ DEBUG: debug }, async () => {
        for (const value of HOSTILE) {
          const headers = { accept: 'text/html', 'user-agent': value, referer: value };
          const denied = await client().get('/denied/', { q: value }, { headers });
          assert.equal(denied.status, 403);
          assertNoInjectedMarkup(denied.text, `403 ${JSON.stringify(value)}`);
          const crashed = await client().get('/crash/', { q: value }, { headers });
          assert.equal(crashed.status, 500);
          if (debug) assert.match(crashed.text, /Crashed on/, 'the technical page shows the message');
          assertNoInjectedMarkup(crashed.text, `500 GET ${JSON.stringify(value)}`);
          const posted = await client().post('/crash/', { q: value }, { headers });
          assert.equal(posted.status, 500);
          assertNoInjectedMarkup(posted.text, `500 POST ${JSON.stringify(value)}`);
          if (debug && value === HOSTILE[0]) assert.ok(posted.text.includes(SHOWN_ESCAPED), posted.text);
        }
      });
    });

    test(`the CSRF failure page quoting a hostile Origin, DEBUG ${debug}`, async () => {
      await overrideSettings({ DEBUG: debug }, async () => {
        for (const value of HOSTILE) {
          const csrfClient = new Client({ urlconf: urlpatterns, middleware: [CsrfViewMiddleware], enforceCsrfChecks: true });
          const refused = await csrfClient.post('/form/', { q: value }, { headers: { origin: value, accept: 'text/html' } });
          assert.equal(refused.status, 403);
          if (debug) assert.match(refused.text, /Origin checking failed/, 'the reason quotes the Origin');
          assertNoInjectedMarkup(refused.text, `CSRF ${JSON.stringify(value)}`);
          if (debug && value === HOSTILE[0]) assert.ok(refused.text.includes(SHOWN_ESCAPED), refused.text);
        }
      });
    });
  }
});
