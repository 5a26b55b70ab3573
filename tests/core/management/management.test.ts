import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { apps, configure, resetSettings } from '../../../src/conf/index.ts';
import { CheckError, CheckWarning, registerCheck } from '../../../src/core/checks/index.ts';
import {
  callCommand,
  CommandError,
  executeFromCommandLine,
  getCommands,
  loadCommand,
  SystemCheckError,
} from '../../../src/core/management/index.ts';

const project = join(import.meta.dirname, '..', 'fixtures', 'project');
const settingsFile = join(project, 'settings.ts');

/** Collects what a command writes. */
function sink(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

async function run(...args: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await executeFromCommandLine(['node', '/somewhere/manage.ts', ...args], { stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

beforeEach(() => {
  resetSettings();
  apps.clear();
  process.env['NUAGES_SETTINGS_MODULE'] = settingsFile;
});
afterEach(() => {
  resetSettings();
  apps.clear();
  delete process.env['NUAGES_SETTINGS_MODULE'];
});

describe('executeFromCommandLine', () => {
  test('help lists built-in and app commands grouped by app', async () => {
    const { code, out } = await run('help');
    assert.equal(code, 0);
    assert.match(out, /Type 'manage\.ts help <subcommand>' for help on a specific subcommand\./);
    assert.match(out, /\[nuages\]\n    check\n/);
    assert.match(out, /\[shop\]\n    crash\n    greet\n/);
    assert.match(out, /\[shop_extra\]\n    notacommand\n/);
    assert.doesNotMatch(out, /_helpers/);
  });

  test('no subcommand shows the help', async () => {
    const { code, out } = await run();
    assert.equal(code, 0);
    assert.match(out, /Available subcommands:/);
  });

  test('help <command> prints its usage, options and help text', async () => {
    const { code, out } = await run('help', 'greet');
    assert.equal(code, 0);
    assert.match(out, /Usage: manage\.ts greet/);
    assert.match(out, /Greets someone\./);
    assert.match(out, /--shout/);
    assert.match(out, /--verbosity/);
  });

  test('an app command runs with its arguments, and the earlier app wins a name clash', async () => {
    const { code, out } = await run('greet', 'Ada', '--shout', '--times', '2', '-v', '2');
    assert.equal(code, 0);
    assert.equal(out, 'verbosity=2\nHELLO, ADA!\nHELLO, ADA!\n');
  });

  test('--settings names the settings module', async () => {
    delete process.env['NUAGES_SETTINGS_MODULE'];
    const { code, out } = await run('greet', 'Ada', `--settings=${settingsFile}`);
    assert.equal(code, 0);
    assert.match(out, /Hello, Ada!/);
  });

  test('a CommandError prints one line without a stack and exits with its code', async () => {
    const { code, out, err } = await run('greet', 'nobody');
    assert.equal(code, 3);
    assert.equal(out, '');
    assert.equal(err, 'CommandError: Cannot greet nobody; give a name.\n');
  });

  test('--traceback rethrows the CommandError', async () => {
    await assert.rejects(run('greet', 'nobody', '--traceback'), CommandError);
  });

  test('an unexpected error propagates with its stack', async () => {
    await assert.rejects(run('crash'), RangeError);
  });

  test('an unknown command suggests close names', async () => {
    const { code, err } = await run('chek');
    assert.equal(code, 1);
    assert.equal(err, "Unknown command: 'chek'. Did you mean check?\nType 'manage.ts help' for usage.\n");
    const far = await run('zzzzzz');
    assert.equal(far.err, "Unknown command: 'zzzzzz'\nType 'manage.ts help' for usage.\n");
  });

  test('bad usage prints the usage and argparse\'s words, and exits with 2', async () => {
    const { code, err } = await run('greet');
    assert.equal(code, 2);
    assert.equal(err, 'usage: manage.ts greet [options] <name>\nmanage.ts greet: error: the following arguments are required: name\n');
    const bad = await run('greet', 'Ada', '-v', '7');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /\nmanage\.ts greet: error: argument -v\/--verbosity: invalid choice: 7 \(choose from 0, 1, 2, 3\)\n$/);
  });

  test('unloadable settings: help notes it, other commands report it', async () => {
    process.env['NUAGES_SETTINGS_MODULE'] = join(project, 'missing.ts');
    const help = await run('help');
    assert.equal(help.code, 0);
    assert.match(help.out, /\[nuages\]\n    check/);
    assert.doesNotMatch(help.out, /\[shop\]/);
    assert.match(help.out, /\nNote that only Nuages core commands are listed as settings are not properly configured \(error: .*missing\.ts/);
    const check = await run('check');
    assert.equal(check.code, 1);
    assert.match(check.err, /^SettingsModuleError: The settings module .*missing\.ts' was not found/);
  });

  test('a command module without a BaseCommand default export is refused', async () => {
    await assert.rejects(run('notacommand'), { code: 'NUAGES_INVALID_COMMAND' });
  });
});

describe('check command', () => {
  test('reports no issues on a clean project', async () => {
    const { code, out, err } = await run('check');
    assert.equal(code, 0, err);
    assert.equal(out, 'System check identified no issues (0 silenced).\n');
  });

  test('--deploy adds the deployment warnings, sorted, on stderr, and still succeeds', async () => {
    const { code, err } = await run('check', '--deploy');
    assert.equal(code, 0);
    assert.match(err, /^System check identified some issues:\n\nWARNINGS:\n\?: \(nuages\.security\.W101\) You have not set the SECURE_CSP setting/);
    const ids = [...err.matchAll(/^\?: \(([\w.]+)\)/gm)].map((m) => m[1]);
    assert.deepEqual(ids, [
      'nuages.security.W101',
      'security.W001',
      'security.W002',
      'security.W003',
      'security.W009',
      'security.W018',
      'security.W020',
    ]);
    assert.match(err, /\?: \(security\.W018\) You should not have DEBUG set to true in deployment\.\n/);
    assert.match(err, /\nSystem check identified 7 issues \(0 silenced\)\.\n$/);
  });

  test('--fail-level WARNING turns warnings into a failure', async () => {
    const { code, err } = await run('check', '--deploy', '--fail-level', 'WARNING');
    assert.equal(code, 1);
    assert.match(err, /^SystemCheckError: System check identified some issues:/);
  });

  test('--list-tags and an unknown --tag', async () => {
    const tags = await run('check', '--list-tags');
    // Django lists staticfiles when django.contrib.staticfiles is installed; in Nuages its checks are built in.
    assert.equal(tags.out, 'caches\nmodels\nsecurity\nstaticfiles\ntemplates\nurls\n');
    const unknown = await run('check', '--tag', 'nope');
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.err,
      'CommandError: There is no system check with the "nope" tag. Available tags: caches, models, security, staticfiles, templates, urls.\n',
    );
  });

  test('an app label that is not installed is a command error, not a crash', async () => {
    const { code, err } = await run('check', 'nowhere');
    assert.equal(code, 1);
    assert.match(err, /^CommandError: No installed app with label 'nowhere'\./);
  });

  test('an unresolved lazy reference fails check, naming who holds it', async () => {
    apps.lazyModel('shop.Ghost', () => {}, { description: 'the field shop.Order.ghost' });
    apps.lazyModel('nowhere.Thing', () => {});
    const { code, err } = await run('check');
    assert.equal(code, 1);
    assert.match(err, /\(fields\.E307\) The field shop\.Order\.ghost refers lazily to 'shop\.Ghost', but app 'shop' doesn't provide model 'Ghost'\./);
    assert.match(err, /\(models\.E022\) A model reference refers lazily to 'nowhere\.Thing', but app 'nowhere' isn't installed\.\n\tHINT: Add the app to INSTALLED_APPS/);
    assert.match(err, /System check identified 2 issues \(0 silenced\)\./);
  });
});

describe('callCommand', () => {
  test('runs a command with string args and an options object, returning its result', async () => {
    configure({ DEBUG: true, INSTALLED_APPS: ['shop'], BASE_DIR: project });
    await apps.populate(['shop'], { baseDir: project });
    const stdout = sink();
    const result = await callCommand('greet', 'Grace', { shout: true, stdout });
    assert.equal(result, 'HELLO, GRACE!');
    assert.equal(stdout.text, 'verbosity=1\nHELLO, GRACE!\n');
    assert.ok(getCommands().has('greet'));
  });

  test('CommandError propagates instead of becoming an exit code', async () => {
    configure({ DEBUG: true });
    await apps.populate(['shop'], { baseDir: project });
    await assert.rejects(callCommand('greet', 'nobody', { stdout: sink() }), /Cannot greet nobody/);
  });

  test('unknown options and unknown commands are errors', async () => {
    configure({ DEBUG: true });
    await apps.populate(['shop'], { baseDir: project });
    await assert.rejects(callCommand('greet', 'Ada', { lound: true }), /Unknown option\(s\) for greet command: lound\. Valid options are: .*shout/);
    await assert.rejects(callCommand('gret'), /Unknown command: 'gret'\. Did you mean greet\?/);
    await assert.rejects(loadCommand('nope'), CommandError);
  });

  test('check through callCommand raises SystemCheckError on errors, honouring SILENCED_SYSTEM_CHECKS', async () => {
    configure({ DEBUG: true, SILENCED_SYSTEM_CHECKS: ['test.W001'] });
    const failing = registerCheck(() => [
      new CheckError('Broken on purpose.', { id: 'test.E001', hint: 'Fix it.', obj: 'thing' }),
      new CheckWarning('Silenced.', { id: 'test.W001' }),
    ], { tags: ['testonly'] });
    const stderr = sink();
    await assert.rejects(callCommand('check', '--tag', 'testonly', { stderr }), (err: Error) => {
      assert.ok(err instanceof SystemCheckError);
      assert.equal(
        err.message,
        'System check identified some issues:\n\nERRORS:\nthing: (test.E001) Broken on purpose.\n\tHINT: Fix it.\n\n' +
          'System check identified 1 issue (1 silenced).',
      );
      return true;
    });
    assert.equal(typeof failing, 'function');
  });
});
