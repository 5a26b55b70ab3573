// `manage.ts startapp`: an app folder whose modules load as they are, Django's errors for a
// bad name, a bad destination name or a taken folder, and nothing written when a file would
// be overwritten. What it shares with startproject (--template, -e, -n) is tested there.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CommandError, callCommand } from '../../../src/core/management/index.ts';

// Django's messages, recorded by django/startproject_oracle.py.
const djangoErrors = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'startproject-expected.json'), 'utf8')).errors as Record<string, string>;

// Inside the repository, so the generated modules resolve 'nuages/…' as a project's would.
const root = mkdtempSync(join(import.meta.dirname, '..', '..', '..', '.tmp-startapp-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('creates models, views, URLs, tests, migrations/ and templates/<name>/, and the modules load', async () => {
  const target = join(root, 'shop');
  mkdirSync(target);
  await callCommand('startapp', 'shop', target);
  assert.deepEqual(readdirSync(target).sort(), ['migrations', 'models.ts', 'templates', 'tests.test.ts', 'urls.ts', 'views.ts']);
  assert.ok(existsSync(join(target, 'templates', 'shop')));
  const urls = (await import(pathToFileURL(join(target, 'urls.ts')).href)) as { appName: string; urlpatterns: unknown[] };
  assert.equal(urls.appName, 'shop');
  assert.deepEqual(urls.urlpatterns, []);
  await import(pathToFileURL(join(target, 'models.ts')).href);
  await import(pathToFileURL(join(target, 'views.ts')).href);
});

test('a name that is not an identifier, and a folder that exists, are refused as Django refuses them', async () => {
  await assert.rejects(callCommand('startapp', 'my-shop'), (error: unknown) => {
    assert.ok(error instanceof CommandError);
    assert.equal(error.message, "'my-shop' is not a valid app name. Please make sure the name is a valid identifier.");
    return true;
  });
  await assert.rejects(callCommand('startapp', 'x', join(root, 'missing')), /Destination directory '.*missing' does not exist, please create it first\./);
  await assert.rejects(callCommand('startapp', 'shop', join(root, 'my-shop')), (error: unknown) => {
    assert.ok(error instanceof CommandError);
    assert.equal(error.message, djangoErrors['appDirectoryNotIdentifier']);
    return true;
  });
  await assert.rejects(callCommand('startapp', 'fs'), /'fs' conflicts with the name of an existing Node\.js module \(a built-in module\) and cannot be used as an app name\./);
});

test('an existing file stops the command before anything is written', async () => {
  const target = join(root, 'half');
  mkdirSync(target);
  writeFileSync(join(target, 'views.ts'), '// mine\n');
  await assert.rejects(callCommand('startapp', 'half', target), /views\.ts already exists\. Overlaying an app into an existing directory won't replace conflicting files\./);
  assert.deepEqual(readdirSync(target), ['views.ts']);
});
