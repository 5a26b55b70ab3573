// manage.ts in a real child process against Django 5.2's manage.py on the same project
// (django/framework_oracle.py): exit codes, what goes to stdout and stderr, usage errors in
// argparse's words, tracebacks, unknown commands, colours and the unapplied-migrations warning.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnNode, stopProcess } from '../servers/helpers.ts';

const MANAGE = join(import.meta.dirname, 'fixtures', 'framework', 'manage.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
interface CliExpectation extends Run {
  args: string[];
  env: Record<string, string>;
}
const django = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'framework-expected.json'), 'utf8')) as {
  cli: Record<string, CliExpectation>;
};

/** `node manage.ts …` with colour decided by the command alone (no inherited colour variables). */
function manage(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const clean = { ...process.env };
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'NUAGES_COLORS', 'NUAGES_SETTINGS_MODULE', 'NODE_TEST_CONTEXT']) delete clean[name];
  return new Promise((resolve) => {
    execFile(process.execPath, [MANAGE, ...args], { env: { ...clean, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Runs the scenario Django ran, with DJANGO_COLORS given as NUAGES_COLORS. */
function scenario(name: string): Promise<Run> {
  const { args, env } = django.cli[name]!;
  return manage(args, env['DJANGO_COLORS'] === undefined ? {} : { NUAGES_COLORS: env['DJANGO_COLORS'] });
}

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

describe('manage.ts in a child process, compared with Django 5.2', () => {
  for (const name of ['labels', 'labelError', 'apps', 'commandError', 'colorConflict', 'options', 'unknownClose', 'unknownFar', 'helpUnknown',
    'migrationsMissing', 'outputTransaction', 'outputTransactionColored', 'outputTransactionLight', 'outputTransactionNocolor', 'commandErrorForcedColor']) {
    test(`${django.cli[name]!.args.join(' ')}${JSON.stringify(django.cli[name]!.env) === '{}' ? '' : ` with ${JSON.stringify(django.cli[name]!.env)}`}: same output and exit code`, async () => {
      const expected = django.cli[name]!;
      const actual = await scenario(name);
      assert.deepEqual(actual, { code: expected.code, stdout: expected.stdout, stderr: expected.stderr });
    });
  }

  for (const name of ['labelsMissing', 'labelsMissingWithOption', 'appsMissing', 'verbosityOutOfRange', 'verbosityNotANumber', 'unrecognizedOption',
    'requiredOptionMissing', 'optionWithoutValue']) {
    test(`${django.cli[name]!.args.join(' ')}: a usage error, exit code 2, argparse's reason`, async () => {
      const expected = django.cli[name]!;
      const actual = await scenario(name);
      assert.equal(actual.code, expected.code);
      assert.equal(actual.code, 2);
      assert.equal(actual.stdout, '');
      // The usage line lists the options in each parser's own way; the reason is the same.
      assert.match(actual.stderr, new RegExp(`^usage: manage\\.ts ${expected.args[0]} `));
      assert.equal(lastLine(actual.stderr), lastLine(expected.stderr));
    });
  }

  test('an unknown app label is a CommandError naming it, exit code 1', async () => {
    const expected = django.cli['appUnknown']!;
    const actual = await scenario('appUnknown');
    assert.equal(actual.code, expected.code);
    const sameStart = "CommandError: No installed app with label 'nope'.";
    assert.ok(expected.stderr.startsWith(sameStart));
    assert.equal(actual.stderr, `${sameStart} Installed labels: polls.\n`);
  });

  test('--traceback: the CommandError escapes with its stack and exit code 1, whatever its returncode', async () => {
    const expected = django.cli['commandErrorTraceback']!;
    const actual = await scenario('commandErrorTraceback');
    assert.equal(actual.code, expected.code);
    assert.equal(actual.code, 1);
    assert.match(expected.stderr, /CommandError: Nope\.\n$/);
    assert.match(actual.stderr, /\nCommandError: Nope\.\n {4}at .*fail\.ts/);
  });

  test('an error that is not a CommandError prints its stack and exits with 1', async () => {
    const expected = django.cli['crash']!;
    const actual = await scenario('crash');
    assert.equal(actual.code, expected.code);
    assert.match(expected.stderr, /\nRuntimeError: boom\n$/);
    assert.match(actual.stderr, /\nRuntimeError: boom\n {4}at .*crash\.ts/);
  });

  test('help groups commands by app, sorted, the built-ins under [nuages] where Django has [django]', async () => {
    const expected = django.cli['help']!;
    const actual = await scenario('help');
    assert.equal(actual.code, 0);
    const headers = (text: string) => [...text.matchAll(/^\[(\w+)\]$/gm)].map((match) => match[1]);
    assert.deepEqual(headers(actual.stdout), headers(expected.stdout).map((app) => (app === 'django' ? 'nuages' : app)));
    assert.equal(actual.stdout.split('\n').slice(0, 5).join('\n'), expected.stdout.split('\n').slice(0, 5).join('\n'));
    const polls = (text: string) => /\[polls\]\n((?: {4}\w+\n?)+)/.exec(text)![1]!.trim().split(/\s+/);
    // The fixture's polls also replaces the built-in sendtestemail, which Django's does not.
    assert.deepEqual(polls(actual.stdout), [...polls(expected.stdout), 'sendtestemail'].sort());
    assert.doesNotMatch(/\[nuages\]\n((?: {4}\w+\n)+)/.exec(actual.stdout)![1]!, /sendtestemail/);
  });
});

describe('the unapplied-migrations warning', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nuages-framework-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('is printed before handle() until migrate has run, then not at all', async () => {
    const env = { FRAMEWORK_DB: join(dir, 'db.sqlite3') };
    const before = await manage(['needs_migrations'], env);
    assert.equal(before.stdout, django.cli['migrationsMissing']!.stdout);
    const migrate = await manage(['migrate', '-v', '0'], env);
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.deepEqual(await manage(['needs_migrations'], env), { code: 0, stdout: 'handled\n', stderr: '' });
  });
});

describe('runserver and unapplied migrations', () => {
  test('runserver warns after the system checks, before its banner, as Django’s does', async () => {
    const server = spawnNode([MANAGE, 'runserver', '127.0.0.1:0', '--noreload']);
    try {
      await server.waitFor(/Quit the server with CONTROL-C\./);
      assert.match(
        server.output(),
        /^Performing system checks\.\.\.\n\nSystem check identified no issues \(0 silenced\)\.\n\nYou have 1 unapplied migration\(s\)\. .*app\(s\): polls\.\nRun 'node manage\.ts migrate' to apply them\.\n.*\nNuages version /s,
      );
    } finally {
      await stopProcess(server);
    }
  });
});

describe('standard options', () => {
  test('--version prints the version; --help the command help with the standard options', async () => {
    const version = await manage(['label_echo', '--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    const help = await manage(['label_echo', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: manage\.ts label_echo \[options\] <name\.\.\.>\n\nEcho labels\./);
    for (const flag of ['--verbosity', '--settings', '--traceback', '--no-color', '--force-color', '--skip-checks', '--version']) {
      assert.match(help.stdout, new RegExp(flag));
    }
  });
});
