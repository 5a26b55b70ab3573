import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  Engine,
  LocmemLoader,
  TemplateSyntaxError,
  TemplateDoesNotExist,
  VariableDoesNotExist,
  TemplateRenderError,
  FilterValueError,
  Library,
  type LocatedError,
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

describe('render errors name the template and line', () => {
  const located = (error: unknown) => (error as LocatedError).templateLocation;

  test('a filter raising FilterValueError keeps its class and names the template, line and column', async () => {
    const source = 'a\nb\n  <p>{{ n|divisibleby:"x" }}</p>';
    await assert.rejects(engine.fromString(source, 'shop/list.html').render({ n: 4 }), (e: unknown) => {
      assert.ok(e instanceof FilterValueError);
      assert.equal(e.code, 'NUAGES_TEMPLATE_FILTER_VALUE');
      assert.deepEqual(located(e), { templateName: 'shop/list.html', line: 3, column: 6, sourceLine: '  <p>{{ n|divisibleby:"x" }}</p>' });
      assert.match(e.message, /The "divisibleby" filter cannot use/);
      assert.match(e.message, /in shop\/list\.html, line 3, column 6:\n {4} {2}<p>\{\{ n\|divisibleby:"x" \}\}<\/p>\n {4} {5}\^/);
      return true;
    });
  });

  test('a failing custom tag rethrows its own error with the tag position attached', async () => {
    const failure = new Error('stock service down');
    const library = new Library()
      .simpleTag('stock', () => {
        throw failure;
      })
      .simpleTag('stock_async', async () => Promise.reject(failure));
    const e = new Engine({ libraries: { shop: library } });
    for (const tag of ['stock', 'stock_async']) {
      const template = e.fromString(`{% load shop %}\n<ul>\n  {% if 1 %}<li>{% ${tag} %}</li>{% endif %}\n</ul>`, `${tag}.html`);
      await assert.rejects(template.render({}), (error: unknown) => {
        assert.equal(error, failure);
        assert.equal(located(error)?.templateName, `${tag}.html`);
        assert.equal(located(error)?.line, 3);
        assert.equal(located(error)?.column, 17);
        return true;
      });
      delete (failure as LocatedError).templateLocation;
    }
  });

  test('an error inside an included template or a block names that template, not the outer one', async () => {
    const e = new Engine({
      loaders: [
        new LocmemLoader({
          'base.html': '<main>\n{% block body %}{% endblock %}\n</main>',
          'child.html': '{% extends "base.html" %}\n{% block body %}\n{% include "row.html" %}{% endblock %}',
          'child2.html': '{% extends "base.html" %}\n\n{% block body %}\n\n{{ n|divisibleby:0 }}{% endblock %}',
          'row.html': 'row\n\n{{ n|floatformat:"" }}',
        }),
      ],
    });
    for (const [page, where] of [['child.html', ['row.html', 3]], ['child2.html', ['child2.html', 5]]] as const) {
      await assert.rejects(e.renderToString(page, { n: 5 }), (error: unknown) => {
        assert.ok(error instanceof FilterValueError);
        assert.deepEqual([located(error)?.templateName, located(error)?.line], where);
        return true;
      });
    }
  });

  test('a rejected promise in the context names the variable that awaited it', async () => {
    const failure = new Error('query failed');
    const template = engine.fromString('<h1>{{ title }}</h1>\n{% for x in items %}{{ x }}{% endfor %}', 'feed.html');
    await assert.rejects(template.render({ title: 't', items: Promise.reject(failure) }), (error: unknown) => {
      assert.equal(error, failure);
      assert.deepEqual([located(error)?.templateName, located(error)?.line, located(error)?.column], ['feed.html', 2, 1]);
      return true;
    });
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
