import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  Engine,
  LocmemLoader,
  TemplateSyntaxError,
  TemplateDoesNotExist,
  VariableDoesNotExist,
  TemplateRenderError,
} from '../../src/template/index.ts';

const engine = new Engine({ loaders: [new LocmemLoader({ 'page.html': 'ok\n{% include "missing.html" %}' })] });

function syntaxError(source: string, name = 'page.html'): TemplateSyntaxError {
  try {
    engine.fromString(source, name);
  } catch (error) {
    assert.ok(error instanceof TemplateSyntaxError, `expected TemplateSyntaxError, got ${error}`);
    return error;
  }
  assert.fail('template compiled');
}

describe('template errors', () => {
  test('an unknown tag names the template, line and column and shows the line', () => {
    const e = syntaxError('<p>\n  <b>{% frobnicate x %}</b>\n</p>');
    assert.equal(e.code, 'NUAGES_TEMPLATE_SYNTAX');
    assert.deepEqual(
      { line: e.location?.line, column: e.location?.column, source: e.location?.sourceLine, name: e.location?.templateName },
      { line: 2, column: 6, source: '  <b>{% frobnicate x %}</b>', name: 'page.html' },
    );
    assert.match(e.message, /Invalid block tag on line 2: 'frobnicate'/);
    assert.match(e.message, /in page\.html, line 2, column 6:\n {4} {2}<b>\{% frobnicate x %\}<\/b>\n {4} {5}\^/);
  });

  test('an unclosed block points at the opening tag', () => {
    const e = syntaxError('a\nb\n{% if x %}\nc');
    assert.equal(e.location?.line, 3);
    assert.match(e.message, /Unclosed tag on line 3: 'if'. Looking for one of: elif, else, endif/);
  });

  test('a bad filter expression points at the variable tag', () => {
    const e = syntaxError('x\n\n   {{ a|nope }}');
    assert.equal(e.location?.line, 3);
    assert.equal(e.location?.column, 4);
    assert.match(e.message, /Invalid filter: 'nope'/);
  });

  test('malformed variables are syntax errors, never crashes', () => {
    for (const bad of ['{{ a b }}', '{{ a| }}', '{{ |a }}', '{{ a.|b }}', '{{ "unclosed }}', '{{ a:b }}', '{% if a == %}{% endif %}', '{% for %}']) {
      assert.throws(() => engine.fromString(bad), TemplateSyntaxError, bad);
    }
  });

  test('a missing template lists what was tried; include raises it at render time', async () => {
    await assert.rejects((await engine.getTemplate('page.html')).render({}), (e: unknown) => {
      assert.ok(e instanceof TemplateDoesNotExist);
      assert.equal(e.templateName, 'missing.html');
      assert.match(e.message, /locmem:missing\.html/);
      return true;
    });
  });

  test('a missing variable used as a filter argument raises VariableDoesNotExist', async () => {
    await assert.rejects(engine.fromString('{{ x|add:nope }}').render({ x: 1 }), (e: unknown) => {
      assert.ok(e instanceof VariableDoesNotExist);
      assert.equal(e.variable, 'nope');
      return true;
    });
  });

  test('errors thrown by a property getter propagate; silentVariableFailure renders stringIfInvalid', async () => {
    const loud = { get x(): string { throw new Error('boom'); } };
    await assert.rejects(engine.fromString('{{ o.x }}').render({ o: loud }), /boom/);
    const quiet = {
      get x(): string {
        throw Object.assign(new Error('quiet'), { silentVariableFailure: true });
      },
    };
    const e2 = new Engine({ stringIfInvalid: 'INVALID' });
    assert.equal(await e2.fromString('[{{ o.x }}]').render({ o: { y: () => 1, get x() { return quiet.x; } } }), '[INVALID]');
  });

  test('looping over a number names the variable, template and line', async () => {
    await assert.rejects(
      engine.fromString('a\n{% for x in n %}{% endfor %}', 'list.html').render({ n: 5 }),
      (e: unknown) => e instanceof TemplateRenderError && e.message.includes('"n" (list.html, line 2)'),
    );
  });

  test('a template that includes itself fails with a render error, not a stack overflow', async () => {
    const e = new Engine({ loaders: [new LocmemLoader({ 'loop.html': 'x{% include "loop.html" %}' })] });
    await assert.rejects(e.renderToString('loop.html'), (err: unknown) => err instanceof TemplateRenderError && /includes itself/.test(err.message));
  });

  test('extends with an empty name is a syntax error at render time naming the variable', async () => {
    await assert.rejects(engine.fromString('{% extends parent %}').render({ parent: '' }), /Got this from the 'parent' variable/);
  });
});

describe('error catalogue', () => {
  test('every template error code has a row in docs/templates.md', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../docs/templates.md', import.meta.url), 'utf8');
    const errors = [
      new TemplateSyntaxError('x'),
      new TemplateDoesNotExist('x'),
      new VariableDoesNotExist('x'),
      new TemplateRenderError('x'),
    ];
    for (const error of errors) {
      assert.match(doc, new RegExp(`\\| \`${error.name}\` \\| \`${error.code}\` \\|`), `${error.name} (${error.code}) missing from the docs table`);
    }
  });
});
