import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { configure, resetSettings } from '../../../src/conf/index.ts';
import { FileSystemStorage, storages } from '../../../src/core/files/index.ts';
import { useManifestStaticUrls } from '../../../src/contrib/staticfiles/url.ts';
import { runChecks, Tags } from '../../../src/core/checks/index.ts';
import { callCommand, CommandError } from '../../../src/core/management/index.ts';
import { Engine, LocmemLoader } from '../../../src/template/index.ts';

const MANIFEST = { BACKEND: 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage' };

function output(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

function project(files: Record<string, string>, settings: Record<string, unknown> = {}): { dir: string; root: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nuages-collectstatic-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, 'assets', name, '..'), { recursive: true });
    writeFileSync(join(dir, 'assets', name), content);
  }
  const root = join(dir, 'collected');
  configure({ DEBUG: false, SECRET_KEY: 'test-secret-key-for-staticfiles', BASE_DIR: dir, STATIC_URL: '/static/', STATIC_ROOT: root, STATICFILES_DIRS: ['assets'], INSTALLED_APPS: [], ...settings });
  return { dir, root };
}

afterEach(() => resetSettings());

describe('manage.ts collectstatic', () => {
  test("prints Django's summary line and counts unmodified files on a second run", async () => {
    const { root } = project({ 'css/site.css': 'body { background: url(../img/a.png); }', 'img/a.png': 'PNG' }, { STORAGES: { staticfiles: MANIFEST } });
    const first = output();
    await callCommand('collectstatic', '--noinput', { stdout: first });
    assert.equal(first.text.trim(), `2 static files copied to '${root}', 2 post-processed.`);
    assert.ok(existsSync(join(root, 'staticfiles.json')));
    // STORAGES.staticfiles is still a storage of STATIC_ROOT for code that asks for it.
    const storage = storages('staticfiles');
    assert.ok(storage instanceof FileSystemStorage);
    assert.equal(storage.location, root);
    const second = output();
    await callCommand('collectstatic', '--noinput', { stdout: second });
    assert.equal(second.text.trim(), `0 static files copied to '${root}', 2 unmodified, 1 post-processed.`);
  });

  test('-v 2 lists each copy; --ignore and --no-default-ignore choose the files', async () => {
    const { root } = project({ 'a.txt': 'a', 'b.log': 'b', '.hidden': 'h' });
    const out = output();
    await callCommand('collectstatic', '--noinput', '-v', '2', '--ignore', '*.log', { stdout: out });
    assert.match(out.text, /Copying '.*a\.txt'/);
    assert.match(out.text, /1 static file copied/);
    assert.equal(existsSync(join(root, 'b.log')), false);
    const all = output();
    await callCommand('collectstatic', '--noinput', '--clear', '--no-default-ignore', { stdout: all });
    assert.equal(readFileSync(join(root, '.hidden'), 'utf8'), 'h');
  });

  test('--dry-run copies nothing', async () => {
    const { root } = project({ 'a.txt': 'a' });
    const out = output();
    await callCommand('collectstatic', '--noinput', '--dry-run', { stdout: out });
    assert.match(out.text, /Pretending to copy/);
    assert.equal(existsSync(root), false);
  });

  test('answering no at the prompt cancels', async () => {
    const { root } = project({ 'a.txt': 'a' });
    mkdirSync(root);
    writeFileSync(join(root, 'old.txt'), 'old');
    await assert.rejects(callCommand('collectstatic', { stdin: Readable.from(['no\n']), stdout: output() }), (error: unknown) => {
      assert.ok(error instanceof CommandError);
      assert.match(error.message, /cancelled/);
      return true;
    });
  });

  test('a missing file referenced from CSS fails naming both files', async () => {
    project({ 'css/site.css': '.a { background: url(../img/gone.png); }' }, { STORAGES: { staticfiles: MANIFEST } });
    await assert.rejects(callCommand('collectstatic', '--noinput', { stdout: output() }), /'img\/gone\.png' could not be found; it is referenced from 'css\/site\.css'/);
  });
});

describe('{% static %} with the manifest storage', () => {
  test('DEBUG off names the hashed file; DEBUG on the plain one, as Django', async () => {
    project({ 'css/site.css': 'body {}' }, { STORAGES: { staticfiles: MANIFEST } });
    await callCommand('collectstatic', '--noinput', { stdout: output() });
    assert.equal(useManifestStaticUrls(), true);
    const engine = new Engine({ loaders: [new LocmemLoader({ t: "{% load static %}{% static 'css/site.css' %}", gone: "{% load static %}{% static 'gone.css' %}" })] });
    assert.match(await (await engine.getTemplate('t')).render({}), /^\/static\/css\/site\.[0-9a-f]{12}\.css$/);
    await assert.rejects(async () => (await engine.getTemplate('gone')).render({}), /Missing staticfiles manifest entry for 'gone\.css'.*collectstatic/);
    resetSettings();
    project({ 'css/site.css': 'body {}' }, { DEBUG: true, STORAGES: { staticfiles: MANIFEST } });
    assert.equal(await (await engine.getTemplate('t')).render({}), '/static/css/site.css');
  });

  test("a relative STATIC_URL ('static/', as new projects write it) is read from the root, as Django reads it", async () => {
    project({ 'css/site.css': 'body {}' }, { STATIC_URL: 'static/', STORAGES: { staticfiles: MANIFEST } });
    await callCommand('collectstatic', '--noinput', { stdout: output() });
    assert.equal(useManifestStaticUrls(), true);
    const engine = new Engine({ loaders: [new LocmemLoader({ t: "{% load static %}{% static 'css/site.css' %}" })] });
    assert.match(await (await engine.getTemplate('t')).render({}), /^\/static\/css\/site\.[0-9a-f]{12}\.css$/);
  });
});

describe('staticfiles checks', () => {
  const ids = async (deploy = false) => (await runChecks({ tags: [Tags.staticfiles], includeDeploymentChecks: deploy })).map((m) => m.id);

  test('STATICFILES_DIRS must be a list and must not contain STATIC_ROOT', async () => {
    project({}, { STATICFILES_DIRS: 'assets' });
    assert.deepEqual(await ids(), ['staticfiles.E001']);
    resetSettings();
    const dir = mkdtempSync(join(tmpdir(), 'nuages-checks-'));
    mkdirSync(join(dir, 'assets'));
    configure({ DEBUG: true, BASE_DIR: dir, STATIC_ROOT: join(dir, 'assets'), STATICFILES_DIRS: ['assets', ['css/', 'assets'], 'missing'] });
    assert.deepEqual(await ids(), ['staticfiles.E002', 'staticfiles.E003', 'staticfiles.E002', 'staticfiles.W004']);
  });

  test('deploy: the manifest storage with DEBUG off needs staticfiles.json', async () => {
    project({ 'a.txt': 'a' }, { STORAGES: { staticfiles: MANIFEST } });
    assert.deepEqual(await ids(true), ['staticfiles.W005']);
    assert.match(String((await runChecks({ tags: [Tags.staticfiles], includeDeploymentChecks: true }))[0]), /collectstatic/);
    await callCommand('collectstatic', '--noinput', { stdout: output() });
    assert.deepEqual(await ids(true), []);
  });

  test("deploy: a template's {% static 'name' %} must name a file the static folders have", async () => {
    const { dir } = project({ 'css/site.css': 'body {}' }, { TEMPLATES: [{ BACKEND: 'nuages/template', DIRS: ['templates'] }] });
    mkdirSync(join(dir, 'templates', 'shop'), { recursive: true });
    writeFileSync(
      join(dir, 'templates', 'shop', 'base.html'),
      "{% load static %}<link href=\"{% static 'css/site.css' %}\">\n<img src=\"{% static name %}\">\n<script src=\"{% static 'js/gone.js' %}\"></script>",
    );
    const messages = await runChecks({ tags: [Tags.staticfiles], includeDeploymentChecks: true });
    assert.deepEqual(messages.map((m) => m.id), ['staticfiles.E006']);
    assert.match(String(messages[0]), /The template 'shop\/base\.html' \(line 3\) names the static file 'js\/gone\.js', which no static folder has\./);
    // Only under check --deploy: in development a missing file is a 404, as in Django.
    assert.deepEqual(await ids(false), []);
    mkdirSync(join(dir, 'assets', 'js'));
    writeFileSync(join(dir, 'assets', 'js', 'gone.js'), '');
    assert.deepEqual(await ids(true), []);
  });
});
