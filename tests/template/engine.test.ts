import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  Context,
  Engine,
  LocmemLoader,
  RequestContext,
  Template,
  TemplateDoesNotExist,
  TemplateSyntaxError,
  debug,
  render,
  request as requestProcessor,
} from '../../src/template/index.ts';

describe('Engine', () => {
  test('fromString compiles and renders; render() always returns a promise', async () => {
    const t = new Engine().fromString('Hello {{ name }}!');
    assert.ok(t instanceof Template);
    const out = t.render({ name: 'Ada' });
    assert.ok(out instanceof Promise);
    assert.equal(await out, 'Hello Ada!');
  });

  test('autoescape: false turns escaping off for the whole engine', async () => {
    assert.equal(await new Engine({ autoescape: false }).fromString('{{ v }}').render({ v: '<b>' }), '<b>');
  });

  test('stringIfInvalid replaces missing variables, with %s naming them', async () => {
    const engine = new Engine({ stringIfInvalid: '[missing %s]' });
    assert.equal(await engine.fromString('{{ a.b }}|{{ ok }}').render({ ok: 1 }), '[missing a.b]|1');
  });

  test('timeZone decides how datetimes print', async () => {
    const d = new Date('2024-01-05T23:30:00Z');
    assert.equal(await new Engine({ timeZone: 'Asia/Tokyo' }).fromString('{{ d }}').render({ d }), 'Jan. 6, 2024, 8:30 a.m.');
    assert.equal(await new Engine().fromString('{{ d }}').render({ d }), 'Jan. 5, 2024, 11:30 p.m.');
  });

  test('renderToString with a list of names renders the first that exists', async () => {
    const engine = new Engine({ loaders: [new LocmemLoader({ 'b.html': 'B' })] });
    assert.equal(await engine.renderToString(['a.html', 'b.html']), 'B');
    await assert.rejects(engine.renderToString(['a.html', 'c.html']), TemplateDoesNotExist);
  });

  test('rendering never writes into the object the caller passed', async () => {
    const ctx: Record<string, unknown> = { l: [1, 2] };
    await new Engine().fromString('{% cycle "a" "b" as c %}{% firstof l as f %}{% regroup l by x as g %}').render(ctx);
    assert.deepEqual(Object.keys(ctx), ['l']);
  });

  test('a template can be rendered many times and concurrently', async () => {
    const t = new Engine().fromString('{% for i in l %}{% cycle "a" "b" %}{{ p }}{% endfor %}');
    const outs = await Promise.all([1, 2, 3].map((n) => t.render({ l: [1, 2, 3], p: Promise.resolve(n) })));
    assert.deepEqual(outs, ['a1b1a1', 'a2b2a2', 'a3b3a3']);
  });
});

describe('Context', () => {
  test('push and pop scope variables; lookups go top down', () => {
    const c = new Context({ a: 1 });
    c.push({ a: 2, b: 3 });
    assert.equal(c.get('a'), 2);
    c.pop();
    assert.equal(c.get('a'), 1);
    assert.equal(c.get('b'), undefined);
    assert.equal(c.get('None'), null);
  });

  test('flatten merges the layers, top layers winning', () => {
    const c = new Context({ a: 1, b: 1 });
    c.push({ b: 2 });
    assert.deepEqual({ ...c.flatten(), True: undefined, False: undefined, None: undefined }, { a: 1, b: 2, True: undefined, False: undefined, None: undefined });
  });

  test('a Context passed to render keeps its autoescape setting', async () => {
    const t = new Engine().fromString('{{ v }}');
    assert.equal(await t.render(new Context({ v: '<b>' }, { autoescape: false })), '<b>');
  });

  test('popping past the bottom is an error', () => {
    assert.throws(() => new Context().pop(), RangeError);
  });
});

describe('context processors and RequestContext', () => {
  const user = (req: unknown) => ({ user: (req as { user: string }).user, shared: 'processor' });

  test('renderToString with a request runs the processors; the view context wins', async () => {
    const engine = new Engine({
      loaders: [new LocmemLoader({ 'p.html': '{{ user }}|{{ shared }}|{{ request.path }}' })],
      contextProcessors: [user, requestProcessor],
    });
    const req = { user: 'ada', path: '/x' };
    assert.equal(await engine.renderToString('p.html', {}, req), 'ada|processor|/x');
    assert.equal(await engine.renderToString('p.html', { shared: 'view' }, req), 'ada|view|/x');
  });

  test('async context processors are awaited by renderToString', async () => {
    const engine = new Engine({
      loaders: [new LocmemLoader({ 'p.html': '{{ unread }}' })],
      contextProcessors: [async () => ({ unread: 3 })],
    });
    assert.equal(await engine.renderToString('p.html', {}, {}), '3');
    assert.throws(() => new RequestContext({}, {}, [async () => ({})]), /RequestContext\.create/);
  });

  test('the render() helper renders for a request', async () => {
    const engine = new Engine({ loaders: [new LocmemLoader({ 'p.html': '{{ user }}' })], contextProcessors: [user] });
    assert.equal(await render(engine, { user: 'bob' }, 'p.html'), 'bob');
  });

  test('the debug processor only speaks for debug requests', () => {
    assert.deepEqual(debug({ debug: true }), { debug: true, sql_queries: [] });
    assert.deepEqual(debug({}), {});
  });

  test('RequestContext keeps the csrf_token for inclusion-style new contexts', () => {
    const rc = new RequestContext({}, { csrf_token: 'tok', other: 1 });
    const fresh = rc.new({ x: 1 });
    assert.equal(fresh.get('csrf_token'), 'tok');
    assert.equal(fresh.get('other'), undefined);
  });

  test('{% csrf_token %} renders the hidden input, or nothing without a token', async () => {
    const t = new Engine().fromString('{% csrf_token %}');
    assert.equal(await t.render({ csrf_token: 'a"b' }), '<input type="hidden" name="csrfmiddlewaretoken" value="a&quot;b">');
    assert.equal(await t.render({}), '');
    assert.equal(await t.render({ csrf_token: 'NOTPROVIDED' }), '');
  });
});

describe('variable resolution', () => {
  const engine = new Engine({ stringIfInvalid: 'INVALID' });
  const r = (src: string, ctx: Record<string, unknown>) => engine.fromString(src).render(ctx);

  test('Map keys, object attributes and list indexes, in that order', async () => {
    const m = new Map<unknown, unknown>([['k', 'map'], [0, 'zero']]);
    assert.equal(await r('{{ m.k }}|{{ m.0 }}|{{ l.1 }}|{{ o.a.b }}', { m, l: ['x', 'y'], o: { a: { b: 'c' } } }), 'map|zero|y|c');
  });

  test('methods are called bound to their object, without arguments', async () => {
    class Person {
      #first = 'Ada';
      name(): string {
        return this.#first;
      }
      get upper(): string {
        return this.#first.toUpperCase();
      }
    }
    assert.equal(await r('{{ p.name }}|{{ p.upper }}', { p: new Person() }), 'Ada|ADA');
  });

  test('functions that need arguments render stringIfInvalid', async () => {
    assert.equal(await r('{{ o.f }}', { o: { f: (x: number) => x } }), 'INVALID');
  });

  test('altersData functions are never called; doNotCallInTemplates ones are passed as they are', async () => {
    let deleted = false;
    const remove = Object.assign(() => {
      deleted = true;
    }, { altersData: true });
    const Kind = Object.assign(() => 'called', { doNotCallInTemplates: true, label: 'kind' });
    assert.equal(await r('[{{ o.remove }}]|{{ K.label }}', { o: { remove }, K: Kind }), '[INVALID]|kind');
    assert.equal(deleted, false);
  });

  test('prototype internals are not reachable', async () => {
    class Thing {}
    const src = '[{{ o.constructor }}][{{ o.toString }}][{{ t.constructor.name }}][{{ t.hasOwnProperty }}]';
    assert.equal(await r(src, { o: {}, t: new Thing() }), '[INVALID][INVALID][INVALID][INVALID]');
    assert.throws(() => engine.fromString('{{ o.__proto__ }}'), TemplateSyntaxError);
  });

  test('a context value that is a function is called', async () => {
    assert.equal(await r('{{ now }}', { now: () => 'called' }), 'called');
  });
});

describe('{% querystring %}', () => {
  // Expected outputs rendered by Django 5.2 with RequestFactory().get('/x?page=2&tag=a&tag=b c&e=*~!').
  const GET = new URLSearchParams('page=2&tag=a&tag=b c&e=*~!');
  const engine = new Engine();
  const r = (src: string, extra: Record<string, unknown> = {}) =>
    engine.fromString(src).render(new RequestContext({ GET }, extra));

  test('repeats, changes and removes parameters of request.GET, escaped', async () => {
    assert.equal(await r('{% querystring %}'), '?page=2&amp;tag=a&amp;tag=b+c&amp;e=%2A~%21');
    assert.equal(await r('{% querystring page=3 %}'), '?page=3&amp;tag=a&amp;tag=b+c&amp;e=%2A~%21');
    assert.equal(await r('{% querystring tag=None %}'), '?page=2&amp;e=%2A~%21');
    assert.equal(await r('{% querystring page=None tag=None e=None %}'), '?');
    assert.equal(await r('{% querystring x=l %}', { l: [1, 'z'] }), '?page=2&amp;tag=a&amp;tag=b+c&amp;e=%2A~%21&amp;x=1&amp;x=z');
    assert.equal(await r('{% querystring q="a b&c" %}'), '?page=2&amp;tag=a&amp;tag=b+c&amp;e=%2A~%21&amp;q=a+b%26c');
  });

  test('a query dict argument replaces request.GET; no parameters at all gives ""', async () => {
    assert.equal(await r('{% querystring d page=1 %}', { d: { k: 'v' } }), '?k=v&amp;page=1');
    const empty = new RequestContext({ GET: new URLSearchParams() }, {});
    assert.equal(await engine.fromString('{% querystring %}|{% querystring a=1 %}').render(empty), '|?a=1');
  });
});
