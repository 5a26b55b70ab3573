import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Engine,
  Library,
  LocmemLoader,
  Node,
  NodeList,
  Context,
  TemplateSyntaxError,
  markSafe,
  type Parser,
  type Token,
} from '../../src/template/index.ts';

function engineWith(lib: Library, templates: Record<string, string> = {}): Engine {
  return new Engine({ loaders: [new LocmemLoader(templates)], libraries: { mylib: lib } });
}

describe('Library.filter', () => {
  test('a loaded filter applies, with stringFilter turning the value into text first', async () => {
    const lib = new Library().filter('shout', (v: unknown) => `${String(v).toUpperCase()}!`, { stringFilter: true });
    const out = await engineWith(lib).fromString('{% load mylib %}{{ n|shout }}|{{ l|shout }}').render({ n: 'hi', l: [1] });
    assert.equal(out, 'HI!|[1]!');
  });

  test('isSafe keeps a safe input safe; an unsafe input is still escaped', async () => {
    const lib = new Library().filter('wrap', (v: unknown) => `[${String(v)}]`, { isSafe: true, stringFilter: true });
    const t = engineWith(lib).fromString('{% load mylib %}{{ s|wrap }}|{{ u|wrap }}');
    assert.equal(await t.render({ s: markSafe('<b>'), u: '<b>' }), '[<b>]|[&lt;b&gt;]');
  });

  test('needsAutoescape tells the filter whether autoescaping is on', async () => {
    const lib = new Library().filter('mode', (_v: unknown, _a: unknown, call) => (call.autoescape ? 'on' : 'off'), { needsAutoescape: true, arg: 'none' });
    const t = engineWith(lib).fromString('{% load mylib %}{{ x|mode }}{% autoescape off %}{{ x|mode }}{% endautoescape %}');
    assert.equal(await t.render({ x: 1 }), 'onoff');
  });

  test('arity is checked when the template compiles', () => {
    const lib = new Library().filter('one', (v: unknown) => v).filter('two', (v: unknown, a: unknown) => `${v}${a}`);
    const engine = engineWith(lib);
    assert.throws(() => engine.fromString('{% load mylib %}{{ x|one:1 }}'), TemplateSyntaxError);
    assert.throws(() => engine.fromString('{% load mylib %}{{ x|two }}'), TemplateSyntaxError);
  });

  test('a filter is unknown until its library is loaded', () => {
    const lib = new Library().filter('one', (v: unknown) => v);
    assert.throws(() => engineWith(lib).fromString('{{ x|one }}'), /Invalid filter: 'one'/);
  });

  test('{% load name from lib %} loads only the named items', async () => {
    const lib = new Library().filter('a', () => 'A', { arg: 'none' }).filter('b', () => 'B', { arg: 'none' });
    const engine = engineWith(lib);
    assert.equal(await engine.fromString('{% load a from mylib %}{{ x|a }}').render({}), 'A');
    assert.throws(() => engine.fromString('{% load a from mylib %}{{ x|b }}'), TemplateSyntaxError);
    assert.throws(() => engine.fromString('{% load zzz from mylib %}'), /not a valid tag or filter/);
  });
});

describe('Library.simpleTag', () => {
  test('positional and keyword arguments; output escaped under autoescape', async () => {
    const lib = new Library().simpleTag('greet', (name: unknown, kw?: Record<string, unknown>) => `Hi <${name}>${kw?.['p'] ?? ''}`);
    const t = engineWith(lib).fromString('{% load mylib %}{% greet user.name p="?" %}|{% autoescape off %}{% greet "x" %}{% endautoescape %}');
    assert.equal(await t.render({ user: { name: 'Ada' } }), 'Hi &lt;Ada&gt;?|Hi <x>');
  });

  test('a SafeString result is not escaped', async () => {
    const lib = new Library().simpleTag('bold', (s: unknown) => markSafe(`<b>${s}</b>`));
    assert.equal(await engineWith(lib).fromString('{% load mylib %}{% bold "x" %}').render({}), '<b>x</b>');
  });

  test('"as var" stores the result instead of printing it', async () => {
    const lib = new Library().simpleTag('sum', (a: unknown, b: unknown) => Number(a) + Number(b));
    assert.equal(await engineWith(lib).fromString('{% load mylib %}{% sum 1 2 as s %}[{{ s }}]').render({}), '[3]');
  });

  test('takesContext passes the Context first; async functions are awaited', async () => {
    const lib = new Library()
      .simpleTag('who', (ctx: Context) => String(ctx.get('user')), { takesContext: true })
      .simpleTag('later', async (x: unknown) => `later:${x}`);
    const t = engineWith(lib).fromString('{% load mylib %}{% who %}|{% later 5 %}');
    assert.equal(await t.render({ user: 'ada' }), 'ada|later:5');
  });

  test('positional after keyword arguments is a syntax error', () => {
    const lib = new Library().simpleTag('f', () => '');
    assert.throws(() => engineWith(lib).fromString('{% load mylib %}{% f a=1 2 %}'), TemplateSyntaxError);
  });
});

describe('Library.inclusionTag', () => {
  test('renders the template with the returned object, in a new context', async () => {
    const lib = new Library().inclusionTag('card.html', (title: unknown) => ({ title }), { name: 'card' });
    const t = engineWith(lib, { 'card.html': '<h1>{{ title }}</h1>{{ secret }}' }).fromString('{% load mylib %}{% card t %}');
    assert.equal(await t.render({ t: 'A&B', secret: 'S' }), '<h1>A&amp;B</h1>');
  });

  test('takesContext gives the function the current context', async () => {
    const lib = new Library().inclusionTag('n.html', (ctx: Context) => ({ n: ctx.get('n') }), { name: 'shown', takesContext: true });
    const t = engineWith(lib, { 'n.html': 'n={{ n }}' }).fromString('{% load mylib %}{% shown %}');
    assert.equal(await t.render({ n: 7 }), 'n=7');
  });
});

describe('Library.tag (full custom tag API)', () => {
  class UpperNode extends Node {
    readonly nodelist: NodeList;
    constructor(nodelist: NodeList) {
      super();
      this.nodelist = nodelist;
    }
    override async render(context: Context): Promise<string> {
      return String(await this.nodelist.render(context)).toUpperCase();
    }
  }
  const lib = new Library().tag('upper', (parser: Parser, token: Token) => {
    if (token.splitContents().length !== 1) throw new TemplateSyntaxError("'upper' takes no arguments");
    const nodelist = parser.parse(['endupper']);
    parser.deleteFirstToken();
    return new UpperNode(nodelist);
  });

  test('a block tag parses up to its end tag and renders its body (async render)', async () => {
    const t = engineWith(lib).fromString('{% load mylib %}a{% upper %}b{{ x }}{% for i in l %}{{ i }}{% endfor %}{% endupper %}c');
    assert.equal(await t.render({ x: 'y<', l: ['q'] }), 'aBY&LT;Qc');
  });

  test('a syntax error from a parse function carries the line of the tag', () => {
    assert.throws(
      () => engineWith(lib).fromString('{% load mylib %}\n\n{% upper now %}{% endupper %}'),
      (e: unknown) => e instanceof TemplateSyntaxError && e.location?.line === 3,
    );
  });

  test('a node that does not close its block reports the unclosed tag', () => {
    assert.throws(() => engineWith(lib).fromString('{% load mylib %}{% upper %}x'), /Unclosed tag on line 1: 'upper'/);
  });
});

describe('libraries found on disk', () => {
  test("{% load %} finds a library in an app's templatetags/ folder", async () => {
    const app = mkdtempSync(join(tmpdir(), 'nuages-app-'));
    mkdirSync(join(app, 'templatetags'));
    mkdirSync(join(app, 'templates'));
    const libUrl = new URL('../../src/template/library.ts', import.meta.url).href;
    writeFileSync(
      join(app, 'templatetags', 'shop.ts'),
      `import { Library } from ${JSON.stringify(libUrl)};\nexport const register = new Library();\nregister.filter('price', (v) => '$' + v);\n`,
    );
    writeFileSync(join(app, 'templates', 'p.html'), '{% load shop %}{{ 5|price }}');
    const engine = new Engine({ appDirs: [app] });
    assert.equal(await engine.renderToString('p.html'), '$5');
  });

  test('libraries given as module paths load before the first getTemplate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nuages-lib-'));
    const libUrl = new URL('../../src/template/library.ts', import.meta.url).href;
    const file = join(dir, 'extra.ts');
    writeFileSync(file, `import { Library } from ${JSON.stringify(libUrl)};\nconst lib = new Library();\nlib.simpleTag('hello', () => 'hello');\nexport default lib;\n`);
    const engine = new Engine({ loaders: [new LocmemLoader({ t: '{% load extra %}{% hello %}' })], libraries: { extra: file } });
    assert.equal(await engine.renderToString('t'), 'hello');
  });

  test('builtins are available without {% load %}', async () => {
    const lib = new Library().filter('twice', (v: unknown) => `${v}${v}`, { arg: 'none' });
    const engine = new Engine({ builtins: [lib] });
    assert.equal(await engine.fromString('{{ "ab"|twice }}').render({}), 'abab');
  });
});
