import { test, describe, before, after, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { apps, configure, overrideSettings } from '../../src/conf/index.ts';
import { caches, makeTemplateFragmentKey, modelTag } from '../../src/cache/index.ts';
import { Engine, LocmemLoader, TemplateRenderError, TemplateSyntaxError, markSafe } from '../../src/template/index.ts';
import { Model, CharField } from '../../src/db/index.ts';
import { Decimal } from '../../src/utils/decimal.ts';

class Book extends Model<Book>()({ title: new CharField({ maxLength: 50 }) }, { appLabel: 'shelf' }) {}
class Publisher extends Model<Publisher>()({ name: new CharField({ maxLength: 50 }) }, { appLabel: 'shelf' }) {}

before(() => {
  configure({
    DEBUG: true,
    CACHES: {
      default: { BACKEND: 'locmem', LOCATION: 'fragments-default' },
      other: { BACKEND: 'locmem', LOCATION: 'fragments-other' },
    },
  });
});

afterEach(() => mock.timers.reset());

let names = 0;
/** A fragment name no other test uses, so tests sharing the process's locmem stores never meet. */
function fresh(label: string): string {
  return `${label}${++names}`;
}

/** Renders `source` (as template 't', beside `others`) with a new engine. */
async function render(source: string, context: Record<string, unknown> = {}, options: { autoescape?: boolean; others?: Record<string, string> } = {}): Promise<string> {
  const engine = new Engine({ loaders: [new LocmemLoader({ t: source, ...options.others })], autoescape: options.autoescape ?? true });
  return (await engine.getTemplate('t')).render(context);
}

/** Start a fake clock, then let a turn pass so locmem forgets the time it last read. */
async function startClock(): Promise<void> {
  mock.timers.enable({ apis: ['Date'], now: Date.now() });
  await new Promise((resolve) => setImmediate(resolve));
}

/** Move the fake clock, then let a turn pass: locmem reads the time once per turn of the event loop. */
async function elapse(ms: number): Promise<void> {
  mock.timers.tick(ms);
  await new Promise((resolve) => setImmediate(resolve));
}

/** A context value that counts how many times the fragment's body printed it. */
function counter(): { renders: () => number; tick: () => number } {
  let n = 0;
  return { renders: () => n, tick: () => ++n };
}

describe('makeTemplateFragmentKey', () => {
  // Each key was printed by Django 5.2's make_template_fragment_key for the same name and vary_on.
  const oracle: [string, unknown[] | undefined, string][] = [
    ['sidebar', undefined, 'template.cache.sidebar.d41d8cd98f00b204e9800998ecf8427e'],
    ['sidebar', [], 'template.cache.sidebar.d41d8cd98f00b204e9800998ecf8427e'],
    ['sidebar', ['alice'], 'template.cache.sidebar.770553c33dfa3a641da8312d60b3b9ef'],
    ['sidebar', ['alice', 42], 'template.cache.sidebar.73a1236cb874f0a619c6ecba79625f37'],
    ['menu', ['héllo', '日本'], 'template.cache.menu.0c8a7826ec3038cb6e1e4512f28c815e'],
    ['x', [1, 2.5, null, true], 'template.cache.x.e675a72be0fd6ddac7714389a77abf81'],
    ['x', ['a:b'], 'template.cache.x.d6e7a7288d38d4cf78b2f82cc7f50bba'],
    ['x', ['a', 'b'], 'template.cache.x.d6e7a7288d38d4cf78b2f82cc7f50bba'],
    ['x', [''], 'template.cache.x.853ae90f0351324bd73ea615e6487517'],
    ['x', [-3], 'template.cache.x.f20f2840ab27bf8db53c9253bc720052'],
    ['my frag', ['é'], 'template.cache.my frag.e4164b03810e8176ef8886a21cfb2d9b'],
    ['x', [new Decimal('1.50')], 'template.cache.x.561299b6284a4dfacc3428b5928cd526'],
    ['x', [[1, 'a']], 'template.cache.x.9911ceedd4a1fdc67aa90a054ddc1d1d'],
  ];
  for (const [name, varyOn, expected] of oracle) {
    test(`${name} ${JSON.stringify(varyOn)} gives Django's key`, () => {
      assert.equal(makeTemplateFragmentKey(name, varyOn), expected);
    });
  }

  test('a SafeString varies like the same plain string', () => {
    assert.equal(makeTemplateFragmentKey('sidebar', [markSafe('alice')]), makeTemplateFragmentKey('sidebar', ['alice']));
  });
});

describe('{% cache %}', () => {
  test('the second render is served from the cache without rendering the body', async () => {
    const name = fresh('side');
    const c = counter();
    const source = `{% load cache %}<aside>{% cache 500 ${name} %}{{ tick }}{% endcache %}</aside>`;
    assert.equal(await render(source, { tick: c.tick }), '<aside>1</aside>');
    assert.equal(await render(source, { tick: c.tick }), '<aside>1</aside>');
    assert.equal(c.renders(), 1);
  });

  test('vary_on values separate entries; equal values share one', async () => {
    const name = fresh('user');
    const c = counter();
    const source = `{% load cache %}{% cache 500 ${name} user.name lang %}{{ user.name }}/{{ lang }}#{{ tick }}{% endcache %}`;
    assert.equal(await render(source, { user: { name: 'alice' }, lang: 'en', tick: c.tick }), 'alice/en#1');
    assert.equal(await render(source, { user: { name: 'bob' }, lang: 'en', tick: c.tick }), 'bob/en#2');
    assert.equal(await render(source, { user: { name: 'alice' }, lang: 'fr', tick: c.tick }), 'alice/fr#3');
    assert.equal(await render(source, { user: { name: 'alice' }, lang: 'en', tick: c.tick }), 'alice/en#1');
    assert.equal(await caches.get('default').get(makeTemplateFragmentKey(name, ['bob', 'en'])), 'bob/en#2');
  });

  test('using= stores the fragment in the named alias only', async () => {
    const name = fresh('other');
    await render(`{% load cache %}{% cache 500 ${name} using="other" %}on other{% endcache %}`);
    const key = makeTemplateFragmentKey(name);
    assert.equal(await caches.get('other').get(key), 'on other');
    assert.equal(await caches.get('default').has(key), false);
  });

  test('using= may name the alias with a variable', async () => {
    const name = fresh('alias');
    await render(`{% load cache %}{% cache 500 ${name} using=alias %}x{% endcache %}`, { alias: 'other' });
    assert.equal(await caches.get('other').get(makeTemplateFragmentKey(name)), 'x');
  });

  test("without using=, the 'template_fragments' alias is used when CACHES has one, as in Django", async () => {
    const name = fresh('tf');
    const CACHES = {
      default: { BACKEND: 'locmem', LOCATION: 'tf-default' },
      template_fragments: { BACKEND: 'locmem', LOCATION: 'tf-fragments' },
    };
    await overrideSettings({ CACHES }, async () => {
      await render(`{% load cache %}{% cache 500 ${name} %}x{% endcache %}`);
      assert.equal(await caches.get('template_fragments').get(makeTemplateFragmentKey(name)), 'x');
      assert.equal(await caches.get('default').has(makeTemplateFragmentKey(name)), false);
    });
  });

  test('the timeout may come from a variable, as a number or a numeric string', async () => {
    await startClock();
    const c = counter();
    const name = fresh('timed');
    const source = `{% load cache %}{% cache seconds ${name} %}{{ tick }}{% endcache %}`;
    assert.equal(await render(source, { seconds: ' 5 ', tick: c.tick }), '1');
    await elapse(4_000);
    assert.equal(await render(source, { seconds: ' 5 ', tick: c.tick }), '1');
    await elapse(2_000);
    assert.equal(await render(source, { seconds: ' 5 ', tick: c.tick }), '2', 'expired after 5 seconds');
  });

  test('None keeps the fragment until it is evicted, beyond the alias TIMEOUT', async () => {
    await startClock();
    const c = counter();
    const literal = `{% load cache %}{% cache None ${fresh('forever')} %}{{ tick }}{% endcache %}`;
    const variable = `{% load cache %}{% cache t ${fresh('forever')} %}{{ tick }}{% endcache %}`;
    assert.equal(await render(literal, { tick: c.tick }), '1');
    assert.equal(await render(variable, { t: null, tick: c.tick }), '2');
    await elapse(365 * 24 * 3600 * 1000);
    assert.equal(await render(literal, { tick: c.tick }), '1');
    assert.equal(await render(variable, { t: null, tick: c.tick }), '2');
  });

  test('a timeout of 0 or less does not cache', async () => {
    for (const timeout of ['0', '-1', 'zero']) {
      const c = counter();
      const source = `{% load cache %}{% cache ${timeout} ${fresh('never')} %}{{ tick }}{% endcache %}`;
      assert.equal(await render(source, { zero: 0, tick: c.tick }), '1');
      assert.equal(await render(source, { zero: 0, tick: c.tick }), '2');
    }
  });

  test('timeouts Python int() accepts are accepted, truncated as int() does', async () => {
    await startClock();
    // (value, seconds it caches for) — Django renders each of these without error.
    const accepted: [unknown, number][] = [['12', 12], ['+5', 5], ['1_000', 1000], [2.7, 2], [true, 1], [new Decimal('2.5'), 2], ['١٢', 12], ['\u00a03\u2003', 3], [markSafe('4'), 4]];
    for (const [value, seconds] of accepted) {
      const c = counter();
      const source = `{% load cache %}{% cache t ${fresh('int')} %}{{ tick }}{% endcache %}`;
      await render(source, { t: value, tick: c.tick });
      await elapse(seconds * 1000 - 500);
      assert.equal(await render(source, { t: value, tick: c.tick }), '1', `${String(value)} still cached`);
      await elapse(1000);
      assert.equal(await render(source, { t: value, tick: c.tick }), '2', `${String(value)} expired after ${seconds}s`);
    }
  });

  test('a literal float timeout is truncated, as Django does', async () => {
    const c = counter();
    const source = `{% load cache %}{% cache 3.5 ${fresh('float')} %}{{ tick }}{% endcache %}`;
    await render(source, { tick: c.tick });
    assert.equal(await render(source, { tick: c.tick }), '1');
  });

  test('deleting the key from makeTemplateFragmentKey makes the next render fresh', async () => {
    const name = fresh('del');
    const c = counter();
    const source = `{% load cache %}{% cache 500 ${name} who %}{{ tick }}{% endcache %}`;
    await render(source, { who: 'alice', tick: c.tick });
    await render(source, { who: 'bob', tick: c.tick });
    assert.equal(await caches.get('default').delete(makeTemplateFragmentKey(name, ['alice'])), true);
    assert.equal(await render(source, { who: 'alice', tick: c.tick }), '3');
    assert.equal(await render(source, { who: 'bob', tick: c.tick }), '2', 'the other vary_on entry stays');
  });

  test('concurrent renders of one cold fragment render its body once', async () => {
    const c = counter();
    const source = `{% load cache %}{% cache 500 ${fresh('cold')} %}{{ slow }}{{ tick }}{% endcache %}`;
    const slow = () => new Promise((resolve) => setTimeout(() => resolve('.'), 20));
    const outputs = await Promise.all(Array.from({ length: 20 }, () => render(source, { slow, tick: c.tick })));
    assert.deepEqual(new Set(outputs), new Set(['.1']));
    assert.equal(c.renders(), 1);
  });

  // Without care, the inner fragment would join the outer one's single flight and wait for itself forever.
  test('a fragment whose body includes the same fragment renders, as in Django', { timeout: 10_000 }, async () => {
    const tree = `{% load cache %}{% cache 500 ${fresh('tree')} %}[{% if depth %}{% include "t" with depth=depth|add:-1 %}{% endif %}]{% endcache %}`;
    // Django 5.2 prints [[[]]] for depth 2, then the cached [[[]]] for depth 5.
    assert.equal(await render(tree, { depth: 2 }), '[[[]]]');
    assert.equal(await render(tree, { depth: 5 }), '[[[]]]');
  });

  test('the name is taken as written: a quoted name keeps its quotes in the key', async () => {
    await render('{% load cache %}{% cache 500 "quoted" %}q{% endcache %}');
    assert.equal(await caches.get('default').get('template.cache."quoted".d41d8cd98f00b204e9800998ecf8427e'), 'q');
  });

  test('with only a name after the timeout, `using="x"` is that name, as in Django', async () => {
    assert.equal(await render('{% load cache %}{% cache 500 using="nope" %}x{% endcache %}'), 'x');
    assert.equal(await caches.get('default').get(makeTemplateFragmentKey('using="nope"')), 'x');
  });
});

describe('{% cache %} and escaping', () => {
  // Expected outputs printed by Django 5.2 for the same templates and contexts.
  test('a fragment cached while autoescaping is served escaped when autoescape is off', async () => {
    const source = `{% load cache %}{% cache 500 ${fresh('esc')} %}{{ s }}{% endcache %}`;
    assert.equal(await render(source, { s: '<b>' }), '&lt;b&gt;');
    assert.equal(await render(source, { s: 'other' }, { autoescape: false }), '&lt;b&gt;');
  });

  test('a fragment cached without autoescaping is served raw when autoescape is on', async () => {
    const source = `{% load cache %}{% cache 500 ${fresh('raw')} %}{{ s }}{% endcache %}`;
    assert.equal(await render(source, { s: '<b>' }, { autoescape: false }), '<b>');
    assert.equal(await render(source, { s: 'x' }), '<b>');
  });

  test('cached output is inserted as it was rendered, never escaped twice', async () => {
    const name = fresh('twice');
    const source =
      `{% load cache %}{% autoescape off %}{% cache 500 ${name} %}{{ s }}{% endcache %}{% endautoescape %}|` +
      `{% cache 500 ${name} %}{{ s }}{% endcache %}|{% cache 500 ${fresh('amp')} %}{{ s|safe }}&amp;{{ s }}{% endcache %}`;
    assert.equal(await render(source, { s: '<i>' }), '<i>|<i>|<i>&amp;&lt;i&gt;');
  });

  test('an empty fragment is cached too', async () => {
    const name = fresh('empty');
    assert.equal(await render(`{% load cache %}{% cache 500 ${name} %}{% endcache %}[{% cache 500 ${name} %}x{% endcache %}]`), '[]');
  });
});

describe('{% cache %} depends_on', () => {
  test('a write to a model in depends_on (labels) makes the fragment render afresh', async () => {
    const c = counter();
    const source = `{% load cache %}{% cache 500 ${fresh('books')} depends_on="shelf.Book, shelf.Publisher" %}{{ tick }}{% endcache %}`;
    assert.equal(await render(source, { tick: c.tick }), '1');
    assert.equal(await render(source, { tick: c.tick }), '1');
    await caches.get('default').invalidateTags(modelTag(Book));
    assert.equal(await render(source, { tick: c.tick }), '2');
    await caches.get('default').invalidateTags(modelTag(Publisher));
    assert.equal(await render(source, { tick: c.tick }), '3');
    await caches.get('default').invalidateTags('model:shelf.author');
    assert.equal(await render(source, { tick: c.tick }), '3', 'a model it does not depend on changes nothing');
  });

  test('depends_on may be a variable holding model classes or labels, beside using=', async () => {
    const c = counter();
    const source = `{% load cache %}{% cache 500 ${fresh('deps')} using="other" depends_on=deps %}{{ tick }}{% endcache %}`;
    const context = { deps: [Book, 'shelf.Publisher'], tick: c.tick };
    await render(source, context);
    assert.equal(await render(source, context), '1');
    await caches.get('default').invalidateTags(modelTag(Book));
    assert.equal(await render(source, context), '1', 'the tags live in the fragment\'s alias');
    await caches.get('other').invalidateTags(modelTag(Book));
    assert.equal(await render(source, context), '2');
    await caches.get('other').invalidateTags(modelTag('shelf.Publisher'));
    assert.equal(await render(source, context), '3');
  });

  test('depends_on and using= may come in either order', async () => {
    const name = fresh('order');
    await render(`{% load cache %}{% cache 500 ${name} depends_on="shelf.Book" using="other" %}x{% endcache %}`);
    assert.equal(await caches.get('other').get(makeTemplateFragmentKey(name)), 'x');
  });

  test('a write during the render outdates the fragment it stores', async () => {
    const c = counter();
    const cache = caches.get('default');
    const source = `{% load cache %}{% cache 500 ${fresh('race')} depends_on="shelf.Book" %}{{ write }}{{ tick }}{% endcache %}`;
    // The body's render itself writes a Book: what it rendered is already stale.
    const write = async () => {
      await cache.invalidateTags(modelTag(Book));
      return '';
    };
    await render(source, { write, tick: c.tick });
    assert.equal(await render(source, { write: '', tick: c.tick }), '2');
  });

  test('depends_on values that name no model are errors, not a fragment that never refreshes', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['depends_on="Book"', {}, /depends_on="Book" has 'Book', which is not a label like 'catalog\.Book'/],
      ['depends_on=""', {}, /depends_on="" names no model/],
      ['depends_on=deps', {}, /depends_on=deps is None \(a missing variable\?\)/],
      ['depends_on=deps', { deps: 42 }, /depends_on=deps is 42/],
      ['depends_on=deps', { deps: [Book, 7] }, /depends_on=deps holds 7, which is neither a model class nor a label/],
    ];
    for (const [argument, context, message] of cases) {
      await assert.rejects(render(`{% load cache %}{% cache 500 ${fresh('bad')} ${argument} %}x{% endcache %}`, context), (error: unknown) => {
        assert.ok(error instanceof TemplateRenderError, String(error));
        assert.match(error.message, message);
        assert.match(error.message, /Give model labels/);
        return true;
      });
    }
  });

  test('once the app registry is ready, a label of no installed model is an error', async () => {
    await apps.populate(['catalog'], { baseDir: join(import.meta.dirname, '../conf/fixtures') });
    try {
      const source = (label: string) => `{% load cache %}{% cache 500 ${fresh('label')} depends_on="${label}" %}x{% endcache %}`;
      assert.equal(await render(source('catalog.Book')), 'x');
      await assert.rejects(render(source('catalog.Bok')), (error: unknown) => {
        assert.ok(error instanceof TemplateRenderError);
        assert.match(error.message, /names 'catalog\.Bok', which is not an installed model \(App 'catalog' doesn't have a 'Bok' model\. Its models are: Author, Book\.\)/);
        return true;
      });
    } finally {
      apps.clear();
    }
  });
});

describe("{% cache %} errors, with Django's messages", () => {
  // Each message is the one Django 5.2 raises for the same template and context.
  const compileErrors: [string, string][] = [
    ['{% load cache %}{% cache %}{% endcache %}', "''cache'' tag requires at least 2 arguments."],
    ['{% load cache %}{% cache 500 %}{% endcache %}', "''cache'' tag requires at least 2 arguments."],
    ['{% load cache %}{% cache 500 f %}', "Unclosed tag on line 1: 'cache'. Looking for one of: endcache."],
    ['{% load cache %}{% cache 500 f %}{% endif %}', "Invalid block tag on line 1: 'endif', expected 'endcache'. Did you forget to register or load this tag?"],
    ['{% load cache %}{% cache 500 f a=b %}x{% endcache %}', "Could not parse the remainder: '=b' from 'a=b'"],
    ['{% load cache %}{% cache 500 f using="other" using="other" %}x{% endcache %}', `Could not parse the remainder: '="other"' from 'using="other"'`],
  ];
  for (const [source, django] of compileErrors) {
    test(`${source} fails to compile: ${django}`, async () => {
      const engine = new Engine({ loaders: [new LocmemLoader({ t: source })] });
      await assert.rejects(engine.getTemplate('t'), (error: unknown) => {
        assert.ok(error instanceof TemplateSyntaxError);
        assert.ok(error.reason.startsWith(django), error.reason);
        return true;
      });
    });
  }

  const renderErrors: [string, Record<string, unknown>, string][] = [
    ['{% cache "abc" f %}', {}, `"cache" tag got a non-integer timeout value: 'abc'`],
    ['{% cache "3.5" f %}', {}, `"cache" tag got a non-integer timeout value: '3.5'`],
    ['{% cache missing f %}', {}, `"cache" tag got a non-integer timeout value: ''`],
    ['{% cache t f %}', { t: '' }, `"cache" tag got a non-integer timeout value: ''`],
    ['{% cache t f %}', { t: [1] }, `"cache" tag got a non-integer timeout value: [1]`],
    ['{% cache t f %}', { t: { a: 1 } }, `"cache" tag got a non-integer timeout value: {'a': 1}`],
    ['{% cache t f %}', { t: "it's" }, `"cache" tag got a non-integer timeout value: "it's"`],
    ['{% cache t f %}', { t: '1__0' }, `"cache" tag got a non-integer timeout value: '1__0'`],
    ['{% cache 500 f using="nope" %}', {}, "Invalid cache name specified for cache tag: 'nope'"],
    ['{% cache 500 f using=missing %}', {}, "Invalid cache name specified for cache tag: ''"],
  ];
  for (const [tag, context, django] of renderErrors) {
    test(`${tag} with ${JSON.stringify(context)} fails to render: ${django}`, async () => {
      await assert.rejects(render(`{% load cache %}${tag}x{% endcache %}`, context), (error: unknown) => {
        assert.ok(error instanceof TemplateSyntaxError);
        assert.ok(error.reason.startsWith(django), error.reason);
        return true;
      });
    });
  }

  test('an unknown alias names the aliases CACHES has', async () => {
    await assert.rejects(render('{% load cache %}{% cache 500 f using="nope" %}x{% endcache %}'), /CACHES has 'default', 'other'/);
  });
});

after(async () => {
  await caches.closeAll();
});
