import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { configure } from '../../src/conf/index.ts';
import { Engine, LocmemLoader, staticUrl } from '../../src/template/index.ts';

before(() => {
  configure({ DEBUG: true, STATIC_URL: '/static/', MEDIA_URL: '/media/' });
});

// Expected outputs were produced by Django 5.2 with STATIC_URL '/static/' and MEDIA_URL '/media/'.
const cases: [string, string][] = [
  ["{% load static %}{% static 'css/site.css' %}", '/static/css/site.css'],
  ["{% load static %}{% static 'a b/é&x.png' %}", '/static/a%20b/%C3%A9%26x.png'],
  ["{% load static %}{% static 'x.png' as u %}[{{ u }}]", '[/static/x.png]'],
  ['{% load static %}{% get_static_prefix %}|{% get_media_prefix %}', '/static/|/media/'],
  ['{% load static %}{% static p %}', '/static/%3C%27x%27%3E.js'],
];

for (const [source, expected] of cases) {
  test(`${source} renders as Django's`, async () => {
    const engine = new Engine({ loaders: [new LocmemLoader({ t: source })] });
    assert.equal(await (await engine.getTemplate('t')).render({ p: "<'x'>.js" }), expected);
  });
}

test('staticUrl() gives the same URL to code outside templates', () => {
  assert.equal(staticUrl('css/site.css'), '/static/css/site.css');
});

test('a relative STATIC_URL or MEDIA_URL (new projects write static/) is read under the script prefix, as Django reads it', async () => {
  const { overrideSettings, settings } = await import('../../src/conf/index.ts');
  const { runWithScriptPrefix } = await import('../../src/urls/index.ts');
  await overrideSettings({ STATIC_URL: 'static/', MEDIA_URL: 'media/' }, async () => {
    const engine = new Engine({ loaders: [new LocmemLoader({ t: "{% load static %}{% static 'css/site.css' %}|{% get_media_prefix %}" })] });
    assert.equal(await (await engine.getTemplate('t')).render({}), '/static/css/site.css|/media/');
    assert.equal(runWithScriptPrefix('/shop/', () => settings.STATIC_URL), '/shop/static/');
  });
  await overrideSettings({ STATIC_URL: 'https://cdn.example.com/s/' }, () => {
    assert.equal(settings.STATIC_URL, 'https://cdn.example.com/s/');
  });
});
