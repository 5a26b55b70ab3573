// The examples of docs/messages.md, kept compiling and running: the settings as written
// (middleware and context processor by name), the views, the template, and the test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings, resetSettings, setup } from '../../../src/conf/index.ts';
import { ERROR, getMessages, messages } from '../../../src/contrib/messages/index.ts';
import { JsonResponse, type HttpRequest } from '../../../src/http/index.ts';
import { redirect, render } from '../../../src/shortcuts.ts';
import { LocmemLoader } from '../../../src/template/index.ts';
import { Client } from '../../../src/test/index.ts';
import { path } from '../../../src/urls/index.ts';
import { markSafe } from '../../../src/utils/safestring.ts';

// ---- "Adding messages" ----------------------------------------------------------------

async function placeOrder(request: HttpRequest) {
  messages.success(request, 'Your order is placed.');
  messages.warning(request, 'One item ships later.', { extraTags: 'shipping' });
  return redirect('orders');
}

async function orders(request: HttpRequest) {
  return render(request, 'shop/orders.html');
}

// ---- "Showing them" -------------------------------------------------------------------

async function notifications(request: HttpRequest) {
  const list = [...(await getMessages(request))].map((m) => ({ level: m.levelTag, text: String(m) }));
  return new JsonResponse({ messages: list });
}

const ORDERS_TEMPLATE = `{% if messages %}
<ul class="messages">
  {% for message in messages %}
  <li class="{{ message.tags }}">
    {% if message.level == DEFAULT_MESSAGE_LEVELS.ERROR %}Important: {% endif %}{{ message }}
  </li>
  {% endfor %}
</ul>
{% endif %}`;

// ROOT_URLCONF is this module (redirect('orders') reverses by name, as in a project).
export const urlpatterns = [
  path('orders/', orders, { name: 'orders' }),
  path('orders/place/', placeOrder),
  path('orders/fail/', async (request: HttpRequest) => {
    messages.error(request, markSafe('<a href="/cart/">See your cart</a>'));
    return redirect('orders');
  }),
  path('notifications/', notifications),
];

before(async () => {
  configure({
    SECRET_KEY: 'docs-messages',
    BASE_DIR: import.meta.dirname,
    ROOT_URLCONF: 'docs-examples.test',
    INSTALLED_APPS: ['nuages/contrib/sessions', 'nuages/contrib/messages'],
    SESSION_ENGINE: 'cache',
    MIDDLEWARE: ['nuages/contrib/sessions#SessionMiddleware', 'nuages/contrib/messages#MessageMiddleware'],
    TEMPLATES: [
      {
        BACKEND: 'nuages/template',
        OPTIONS: {
          contextProcessors: ['nuages/contrib/messages#messagesProcessor'],
          loaders: [new LocmemLoader({ 'shop/orders.html': ORDERS_TEMPLATE })],
        },
      },
    ],
  });
  await setup();
});
after(() => resetSettings());

const squash = (html: string) => html.replace(/\s+/g, ' ').trim();

test('placeOrder → redirect → the orders page shows both messages with their tags, once', async () => {
  // ---- "Testing views that add messages" ----
  const client = new Client();
  const page = await client.post('/orders/place/', {}, { follow: true });
  assert.match(page.content.toString(), /Your order is placed\./);
  assert.doesNotMatch((await client.get('/orders/')).content.toString(), /Your order is placed/);

  assert.equal(
    squash(page.content.toString()),
    '<ul class="messages"> <li class="success"> Your order is placed. </li> <li class="shipping warning"> One item ships later. </li> </ul>',
  );
});

test('an error level is flagged through DEFAULT_MESSAGE_LEVELS, a SafeString stays a link', async () => {
  const client = new Client();
  const page = await client.get('/orders/fail/', undefined, { follow: true });
  assert.match(squash(page.content.toString()), /<li class="error"> Important: <a href="\/cart\/">See your cart<\/a> <\/li>/);
});

test('MESSAGE_TAGS renames the error tag', () =>
  overrideSettings({ MESSAGE_TAGS: { [ERROR]: 'danger', 45: 'critical' } }, async () => {
    const client = new Client();
    const page = await client.get('/orders/fail/', undefined, { follow: true });
    assert.match(page.content.toString(), /class="danger"/);
  }));

test('getMessages() in a view lists them, and they are then shown', async () => {
  const client = new Client();
  await client.post('/orders/place/');
  assert.deepEqual((await client.get('/notifications/')).json(), {
    messages: [
      { level: 'success', text: 'Your order is placed.' },
      { level: 'warning', text: 'One item ships later.' },
    ],
  });
  assert.deepEqual((await client.get('/notifications/')).json(), { messages: [] });
});
