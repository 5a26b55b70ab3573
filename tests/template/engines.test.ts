import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from '../../src/conf/index.ts';
import { getTemplate, renderToString, selectTemplate, TemplateDoesNotExist } from '../../src/template/index.ts';

before(async () => {
  await setup({ settingsModule: new URL('./fixtures/project/settings.ts', import.meta.url).href });
});

test('renderToString runs the context processors of settings.TEMPLATES for a request', async () => {
  const html = await renderToString('page.html', { title: '<b>' }, { path: '/books/' });
  assert.equal(html, 'Nuages Books: /books/ &lt;b&gt;\n');
});

test('without a request, context processors do not run', async () => {
  assert.equal(await renderToString('page.html', { title: 'x' }), ':  x\n');
});

test('APP_DIRS finds templates in installed apps', async () => {
  const template = await getTemplate('shop/item.html');
  assert.equal(await template.render({ siteName: 'S' }), 'app S\n');
});

test('selectTemplate returns the first that exists, and a missing name lists where it looked', async () => {
  const template = await selectTemplate(['missing.html', 'page.html']);
  assert.equal(template.name, 'page.html');
  await assert.rejects(() => getTemplate('nope.html'), (error: unknown) => error instanceof TemplateDoesNotExist && /nope\.html/.test(String((error as Error).message)));
});
