import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, LocmemLoader, TemplateSyntaxError } from '../../src/template/index.ts';

// Django 6.0 partials; Django 5.2 (the oracle in .venv-django) lacks them, so these
// outputs follow the Django 6.0 documentation.
const templates = {
  'page.html':
    'A{% partialdef card %}<c>{{ title }}</c>{% endpartialdef %}B{% partial card %}' +
    '{% partialdef inline_one inline %}[{{ title }}]{% endpartialdef inline_one %}C',
  'child.html': '{% extends "base.html" %}{% partialdef item %}<i>{{ x }}</i>{% endpartialdef %}{% block b %}{% partial item %}{% endblock %}',
  'base.html': '<{% block b %}{% endblock %}>',
  'list.html': '{% for x in items %}{% include "child.html#item" %}{% endfor %}',
};
const engine = new Engine({ loaders: [new LocmemLoader(templates)] });

describe('template partials', () => {
  test('partialdef renders nothing in place; partial renders it; inline renders in place', async () => {
    assert.equal(await engine.renderToString('page.html', { title: 'T' }), 'AB<c>T</c>[T]C');
  });

  test('"name#partial" loads one partial as a template', async () => {
    assert.equal(await engine.renderToString('page.html#card', { title: 'X' }), '<c>X</c>');
  });

  test('include accepts "name#partial", also for partials of a child template', async () => {
    assert.equal(await engine.renderToString('list.html', { items: [1, 2] }), '<i>1</i><i>2</i>');
    assert.equal(await engine.renderToString('child.html', { x: 'z' }), '<<i>z</i>>');
  });

  test('an unknown partial is a syntax error naming it', () => {
    assert.throws(() => engine.fromString('{% partial nope %}'), (e: unknown) => e instanceof TemplateSyntaxError && /'nope'/.test(e.message));
  });

  test('an unknown partial in a "#" name is TemplateDoesNotExist', async () => {
    await assert.rejects(engine.getTemplate('page.html#nope'), /page\.html#nope/);
  });

  test('a mismatched endpartialdef name is a syntax error', () => {
    assert.throws(() => engine.fromString('{% partialdef a %}{% endpartialdef b %}'), TemplateSyntaxError);
  });
});

describe('forloop.length (Django 6.0)', () => {
  test('is the number of items', async () => {
    assert.equal(await engine.fromString('{% for x in l %}{{ forloop.counter }}/{{ forloop.length }} {% endfor %}').render({ l: 'abc' }), '1/3 2/3 3/3 ');
  });
});
