/** One suite every template loader runs: find, miss (with the place tried), nested names. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, TemplateDoesNotExist, type Loader } from '../../../src/template/index.ts';

/** `make` gets the templates to serve and returns a loader serving them. */
export function loaderSuite(name: string, make: (templates: Record<string, string>) => Loader): void {
  const templates = { 'a.html': 'A{{ x }}', 'dir/b.html': '{% include "../a.html" %}B', 'dir/c.html': '{% extends "./b.html" %}' };

  test(`${name}: finds and renders a template`, async () => {
    const engine = new Engine({ loaders: [make(templates)] });
    assert.equal(await engine.renderToString('a.html', { x: 1 }), 'A1');
  });

  test(`${name}: nested and relative names`, async () => {
    const engine = new Engine({ loaders: [make(templates)] });
    assert.equal(await engine.renderToString('dir/b.html', { x: 2 }), 'A2B');
    assert.equal(await engine.renderToString('dir/c.html', { x: 3 }), 'A3B');
  });

  test(`${name}: a missing template lists the places tried`, async () => {
    const engine = new Engine({ loaders: [make(templates)] });
    await assert.rejects(engine.getTemplate('nope.html'), (e: unknown) => {
      assert.ok(e instanceof TemplateDoesNotExist);
      assert.equal(e.code, 'NUAGES_TEMPLATE_DOES_NOT_EXIST');
      assert.ok(e.tried.length >= 1);
      assert.match(e.message, /nope\.html/);
      return true;
    });
  });

  test(`${name}: selectTemplate returns the first that exists`, async () => {
    const engine = new Engine({ loaders: [make(templates)] });
    const t = await engine.selectTemplate(['zzz.html', 'a.html']);
    assert.equal(t.name, 'a.html');
  });
}
