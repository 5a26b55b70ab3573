// `manage.ts shell`: the models of the installed apps in scope by name, top-level await,
// `-c` code run as an async function, and a REPL that reads what is piped in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { configure, resetSettings, setup } from '../../../src/conf/index.ts';
import { apps } from '../../../src/conf/apps.ts';
import { CommandError, callCommand } from '../../../src/core/management/index.ts';

before(async () => {
  configure({ DEBUG: true, SECRET_KEY: 'shell-tests', INSTALLED_APPS: ['nuages/contrib/contenttypes', 'nuages/contrib/auth'] });
  await setup();
});
after(() => {
  resetSettings();
  apps.clear();
});

function output(): { write(text: string): void; text: () => string } {
  let written = '';
  return { write: (text: string) => void (written += text), text: () => written };
}

test('-c runs code with the models and settings in scope, awaiting what it awaits', async () => {
  const stdout = output();
  const seen: unknown[] = [];
  (globalThis as { seen?: unknown[] }).seen = seen;
  await callCommand('shell', '-c', 'globalThis.seen.push(User._meta.label, Group.name, settings.SECRET_KEY, await Promise.resolve(42))', { stdout });
  assert.deepEqual(seen, ['auth.User', 'Group', 'shell-tests', 42]);
  assert.match(stdout.text(), /^4 objects imported automatically \(use -v 2 for details\)\.\n/);
});

test('-v 2 lists the models per app; --no-imports leaves only settings', async () => {
  const stdout = output();
  await callCommand('shell', '-c', '', '--verbosity', '2', { stdout });
  assert.match(stdout.text(), /4 objects imported automatically:\n\n {2}contenttypes: ContentType\n {2}auth: (Permission|Group|User)/);
  const bare = output();
  await callCommand('shell', '--no-imports', '-c', 'if (typeof User !== "undefined") throw new Error("imported")', { stdout: bare });
  assert.equal(bare.text(), '');
});

test('code that does not parse is a CommandError naming -c', async () => {
  await assert.rejects(callCommand('shell', '-c', 'this is not code', { stdout: output() }), (error: unknown) => {
    assert.ok(error instanceof CommandError);
    assert.match(error.message, /The code given to -c does not parse/);
    return true;
  });
});

test('the REPL evaluates piped lines, with top-level await, and ends with the input', async () => {
  const stdout = output();
  await callCommand('shell', { stdin: Readable.from(['await Promise.resolve(User._meta.dbTable)\n', 'Group._meta.dbTable\n']), stdout });
  assert.match(stdout.text(), /'auth_user'/);
  assert.match(stdout.text(), /'auth_group'/);
});
