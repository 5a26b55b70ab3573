// `manage.ts diffsettings`: the settings that differ from the defaults, in Django's two
// layouts ('###' after a setting Nuages does not define; '-' default / '+' value).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, resetSettings } from '../../../src/conf/index.ts';
import { callCommand } from '../../../src/core/management/index.ts';

before(() => configure({ DEBUG: true, SECRET_KEY: 'x', SHOP_NAME: 'Nuages Books', ALLOWED_HOSTS: ['a'] }));
after(() => resetSettings());

async function run(...args: string[]): Promise<string> {
  let text = '';
  await callCommand('diffsettings', ...args, { stdout: { write: (chunk: string) => void (text += chunk) }, noColor: true } as never);
  return text;
}

test('hash output: changed settings, and ### after the project\'s own', async () => {
  const lines = (await run()).trim().split('\n');
  assert.deepEqual(lines, ["ALLOWED_HOSTS = [ 'a' ]", 'DEBUG = true', "SECRET_KEY = 'x'", "SHOP_NAME = 'Nuages Books'  ###"]);
});

test('--all marks the settings left at their default with ###', async () => {
  const lines = (await run('--all')).trim().split('\n');
  assert.ok(lines.includes('### USE_TZ = true'), lines.join('\n'));
  assert.ok(lines.includes('DEBUG = true'));
});

test('unified output: the default with -, the value with +', async () => {
  const lines = (await run('--output', 'unified')).trim().split('\n');
  assert.deepEqual(lines.slice(0, 4), ['- ALLOWED_HOSTS = []', "+ ALLOWED_HOSTS = [ 'a' ]", '- DEBUG = false', '+ DEBUG = true']);
  assert.ok(lines.includes("+ SHOP_NAME = 'Nuages Books'"));
});

test('an unknown --output is refused with the choices', async () => {
  await assert.rejects(run('--output', 'table'), /^CommandError: Error: argument --output: invalid choice: 'table' \(choose from 'hash', 'unified'\)$/);
});
