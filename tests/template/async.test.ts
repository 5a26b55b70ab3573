import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, LocmemLoader } from '../../src/template/index.ts';

const engine = new Engine({ loaders: [new LocmemLoader({ 'inc.html': '[{{ item }}]' })] });

/** A stand-in for a QuerySet: thenable, async iterable, with a method of its own. */
class FakeQuerySet {
  readonly rows: unknown[];
  awaited = 0;
  constructor(rows: unknown[]) {
    this.rows = rows;
  }
  then<T>(resolve: (rows: unknown[]) => T, reject?: (e: unknown) => T): Promise<T> {
    this.awaited++;
    return Promise.resolve(this.rows).then(resolve, reject);
  }
  async *[Symbol.asyncIterator](): AsyncIterator<unknown> {
    yield* this.rows;
  }
  count(): Promise<number> {
    return Promise.resolve(this.rows.length);
  }
}

describe('async values', () => {
  test('a promise in a variable is awaited and escaped', async () => {
    assert.equal(await engine.fromString('{{ p }}').render({ p: Promise.resolve('<b>') }), '&lt;b&gt;');
  });

  test('a promise met midway through a dotted lookup is awaited, then the lookup continues', async () => {
    const ctx = { user: { profile: Promise.resolve({ city: Promise.resolve('Paris') }) } };
    assert.equal(await engine.fromString('{{ user.profile.city|upper }}').render(ctx), 'PARIS');
  });

  test('an object with a then() method (thenable) is awaited', async () => {
    const thenable = { then: (resolve: (v: unknown) => void) => resolve({ name: 'T' }) };
    assert.equal(await engine.fromString('{{ t.name }}').render({ t: thenable }), 'T');
  });

  test('async methods are called and awaited', async () => {
    const obj = { async total() { return 42; } };
    assert.equal(await engine.fromString('{{ obj.total }}').render({ obj }), '42');
  });

  test('for loops over a thenable QuerySet, awaiting it once', async () => {
    const qs = new FakeQuerySet(['a', 'b']);
    const out = await engine.fromString('{% for n in qs %}{{ n }}{{ forloop.revcounter }}{% empty %}none{% endfor %}').render({ qs });
    assert.equal(out, 'a2b1');
    assert.equal(qs.awaited, 1);
  });

  test("a QuerySet's own methods are used before awaiting it ({{ qs.count }})", async () => {
    assert.equal(await engine.fromString('{{ qs.count }}').render({ qs: new FakeQuerySet([1, 2, 3]) }), '3');
  });

  test('for loops over an async iterable (async generator)', async () => {
    async function* numbers() {
      yield 1;
      await new Promise((r) => setTimeout(r, 1));
      yield 2;
    }
    assert.equal(await engine.fromString('{% for n in g reversed %}{{ n }}{% endfor %}').render({ g: numbers() }), '21');
  });

  test('{% if %} and {% with %} await their operands', async () => {
    const t = engine.fromString('{% if p == 3 and not z %}yes{% endif %}{% with v=p %}{{ v }}{% endwith %}');
    assert.equal(await t.render({ p: Promise.resolve(3), z: Promise.resolve(0) }), 'yes3');
  });

  test('include renders async values in the included template', async () => {
    const t = engine.fromString('{% for item in items %}{% include "inc.html" %}{% endfor %}');
    assert.equal(await t.render({ items: Promise.resolve([Promise.resolve('x'), 'y']) }), '[x][y]');
  });

  test('a rejected promise rejects the render with its error', async () => {
    await assert.rejects(engine.fromString('{{ p }}').render({ p: Promise.reject(new Error('db down')) }), /db down/);
  });

  test('a render with no async value finishes synchronously (renderSync returns a string)', () => {
    const out = engine.fromString('{% for x in l %}{{ x }}{% endfor %}').renderSync({ l: [1, 2] });
    assert.equal(out, '12');
  });

  test('a render that meets a promise returns a promise from renderSync', async () => {
    const out = engine.fromString('{{ p }}').renderSync({ p: Promise.resolve(1) });
    assert.ok(out instanceof Promise);
    assert.equal(await out, '1');
  });
});

describe('objects that render themselves asynchronously', () => {
  test('an __html__ that returns a promise is awaited and printed unescaped', async () => {
    const widget = { __html__: () => Promise.resolve('<input name="q">') };
    assert.equal(await engine.fromString('[{{ w }}]').render({ w: widget }), '[<input name="q">]');
  });

  test('a synchronous __html__ still prints at once', () => {
    const widget = { __html__: () => '<b>x</b>' };
    assert.equal(engine.fromString('{{ w }}').renderSync({ w: widget }), '<b>x</b>');
  });
});
