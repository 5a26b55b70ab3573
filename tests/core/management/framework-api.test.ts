// callCommand(), LabelCommand, AppCommand, outputTransaction, stealth and suppressed options,
// and command discovery, in-process on the framework fixture project. What Django 5.2's
// call_command returns or raises for the same calls comes from django/framework_oracle.py.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { apps, resetSettings, type AppConfig } from '../../../src/conf/index.ts';
import { setup } from '../../../src/conf/lazy-settings.ts';
import { connections } from '../../../src/db/connections.ts';
import { CheckError, registerCheck, unregisterCheck } from '../../../src/core/checks/index.ts';
import {
  AppCommand,
  BaseCommand,
  callCommand,
  CommandError,
  getCommands,
  SystemCheckError,
  LabelCommand,
  loadCommand,
  type BaseArgument,
  type CommandOptions,
} from '../../../src/core/management/index.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'framework');
type Outcome = { result: string; stdout: string } | { error: string; message: string };
const django = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'framework-expected.json'), 'utf8')) as {
  callCommand: Record<string, Outcome>;
};

/** Collects what a command writes. */
function sink(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

/** callCommand()'s outcome in the oracle's shape. */
async function outcome(...args: Parameters<typeof callCommand>): Promise<Outcome> {
  const stdout = sink();
  const last = args.at(-1);
  const withStdout = typeof last === 'object' && !(last instanceof BaseCommand) ? [...args.slice(0, -1), { ...last, stdout }] : [...args, { stdout }];
  try {
    const result = await callCommand(...(withStdout as Parameters<typeof callCommand>));
    return { result: result as string, stdout: stdout.text };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

before(async () => {
  resetSettings();
  apps.clear();
  await setup({ settingsModule: join(FIXTURE, 'settings.ts') });
});
after(async () => {
  await connections.closeAll();
  resetSettings();
  apps.clear();
});

describe('callCommand() compared with Django 5.2 call_command()', () => {
  const same: Array<[string, Parameters<typeof callCommand>]> = [
    ['requiredOptionInObject', ['opts', { name: 'x' }]],
    ['djangoNames', ['opts', { name: 'x', dry_run: true, secret: 5 }]],
    ['stringArguments', ['opts', '--name=y', '--dry-run']],
    ['checksNotSkipped', ['opts', { name: 'x', skip_checks: false }]],
    ['requiredOptionMissing', ['opts']],
    ['missingLabels', ['label_echo']],
    ['labels', ['label_echo', 'a', 'b']],
    ['badVerbosity', ['label_echo', 'a', '-v', '7']],
    ['outputTransaction', ['sql_out']],
    ['unknownCommand', ['nope']],
    ['commandError', ['fail']],
  ];
  for (const [name, args] of same) {
    test(`${name}: ${JSON.stringify(args)}`, async () => {
      assert.deepEqual(await outcome(...args), django.callCommand[name]);
    });
  }

  test('options go by their JavaScript name as well as Django’s', async () => {
    assert.deepEqual(await outcome('opts', { name: 'x', dryRun: true, secret: 5 }), django.callCommand['djangoNames']);
  });

  test('an unknown option is a TypeError naming it and listing the valid ones', async () => {
    const expected = django.callCommand['unknownOption'] as { error: string; message: string };
    const actual = (await outcome('opts', { name: 'x', nmae: 'x' })) as { error: string; message: string };
    assert.equal(actual.error, expected.error);
    const head = (message: string) => message.slice(0, message.indexOf('Valid options are: '));
    const actualMessage = actual.message;
    assert.equal(head(actualMessage), head(expected.message));
    assert.equal(
      actualMessage,
      'Unknown option(s) for opts command: nmae. Valid options are: dryRun, forceColor, name, noColor, secret, settings, ' +
        'skipChecks, stderr, stdin, stdout, traceback, verbosity, version.',
    );
  });

  test('a CommandError keeps its returncode; an unknown app label is a CommandError', async () => {
    await assert.rejects(callCommand('fail', { stdout: sink() }), (error: unknown) => error instanceof CommandError && error.returncode === 3);
    const expected = django.callCommand['appUnknown'] as { message: string };
    await assert.rejects(callCommand('app_echo', 'nope'), (error: Error) => {
      assert.ok(error instanceof CommandError);
      assert.ok(expected.message.startsWith("No installed app with label 'nope'."));
      assert.equal(error.message, "No installed app with label 'nope'. Installed labels: polls.");
      return true;
    });
  });

  test('a command instance can be called, with its streams replaced', async () => {
    const command = await loadCommand('label_echo');
    const stdout = sink();
    assert.equal(await callCommand(command, 'x', { stdout }), 'label=x');
    assert.equal(stdout.text, 'label=x\n');
  });
});

class FileSizes extends LabelCommand {
  override label = 'file';
  override async handleLabel(file: string, options: CommandOptions): Promise<string | undefined> {
    await Promise.resolve();
    return file === 'empty' ? undefined : `${file}: ${options['unit'] === 'kb' ? '1 kB' : '1000 bytes'}`;
  }
  override addArguments(parser: Command): void {
    super.addArguments(parser);
    parser.option('--unit <unit>', 'bytes or kb', 'bytes');
  }
}

class CountModels extends AppCommand {
  readonly handled: string[] = [];
  override handleAppConfig(appConfig: AppConfig): string {
    this.handled.push(appConfig.label);
    return `${appConfig.label}: ${appConfig.getModels().length > 0 ? 'has models' : 'no models'}`;
  }
}

describe('LabelCommand and AppCommand', () => {
  test('LabelCommand handles each label in order, skips empty results, keeps its own options', async () => {
    const stdout = sink();
    const result = await callCommand(new FileSizes(), 'a.csv', 'empty', 'b.csv', '--unit', 'kb', { stdout });
    assert.equal(result, 'a.csv: 1 kB\nb.csv: 1 kB');
    assert.equal(stdout.text, 'a.csv: 1 kB\nb.csv: 1 kB\n');
  });

  test('LabelCommand’s missing-labels message names its label, unless the command sets its own', async () => {
    await assert.rejects(callCommand(new FileSizes()), { name: 'CommandError', message: 'Error: Enter at least one file.' });
    const custom = new FileSizes();
    custom.missingArgsMessage = 'Name the files to measure.';
    await assert.rejects(callCommand(custom), { message: 'Error: Name the files to measure.' });
    // Arguments given but no label: the parser's own message, as argparse's.
    await assert.rejects(callCommand(new FileSizes(), '--unit', 'kb'), { message: 'Error: the following arguments are required: file' });
  });

  test('a LabelCommand on the command line: usage and errors of its own parser', async () => {
    const stderr = sink();
    const code = await new FileSizes({ stderr, stdout: sink() }).runFromArgv('manage.ts', 'filesizes', []);
    assert.equal(code, 2);
    assert.equal(stderr.text, 'usage: manage.ts filesizes [options] <file...>\nmanage.ts filesizes: error: Enter at least one file.\n');
  });

  test('AppCommand handles each app; every label is looked up before any app is handled', async () => {
    const command = new CountModels();
    assert.equal(await callCommand(command, 'polls', { stdout: sink() }), 'polls: has models');
    const strict = new CountModels();
    await assert.rejects(callCommand(strict, 'polls', 'nope', { stdout: sink() }), /No installed app with label 'nope'/);
    assert.deepEqual(strict.handled, []);
    await assert.rejects(callCommand(new CountModels()), { message: 'Error: Enter at least one application label.' });
  });
});

class Quiet extends BaseCommand {
  override requiresSystemChecks: readonly string[] = [];
  override suppressedBaseArguments: readonly BaseArgument[] = ['--verbosity', '--settings'];
  override handle(options: CommandOptions): string {
    return `verbosity=${options.verbosity}`;
  }
}

describe('the standard options and class attributes', () => {
  test('suppressedBaseArguments leaves those options out of the parser', async () => {
    const flags = new Quiet().createParser('manage.ts', 'quiet').options.map((option) => option.long);
    assert.ok(!flags.includes('--verbosity') && !flags.includes('--settings'));
    assert.ok(flags.includes('--traceback') && flags.includes('--skip-checks'));
    await assert.rejects(callCommand(new Quiet(), '-v', '2'), { message: 'Error: unrecognized arguments: -v' });
    assert.equal(await callCommand(new Quiet(), { stdout: sink() }), 'verbosity=1');
  });

  test('stealthOptions are accepted by callCommand() only when the command declares them', async () => {
    await assert.rejects(callCommand(new Quiet(), { secret: 1 }), TypeError);
    const stdout = sink();
    assert.equal(JSON.parse((await callCommand('opts', { name: 'x', secret: 'kept', stdout })) as string).secret, 'kept');
  });

  test('outputTransaction wraps the output in BEGIN;/COMMIT; coloured as SQL keywords when colour is forced', async () => {
    const stdout = sink();
    await callCommand('sql_out', { stdout, forceColor: true });
    assert.equal(stdout.text, '\x1b[33mBEGIN;\x1b[0m\nSELECT 1;\n\x1b[33mCOMMIT;\x1b[0m\n');
  });

  test('--no-color and --force-color together are refused', async () => {
    await assert.rejects(callCommand('sql_out', '--no-color', '--force-color'), {
      message: "The --no-color and --force-color options can't be used together.",
    });
  });

  test('requiresMigrationsChecks warns in the NOTICE style before handle()', async () => {
    const stdout = sink();
    assert.equal(await callCommand('needs_migrations', { stdout, forceColor: true }), 'handled');
    assert.equal(
      stdout.text,
      '\x1b[31m\nYou have 1 unapplied migration(s). Your project may not work properly until you apply the migrations for app(s): polls.\x1b[0m\n' +
        "\x1b[31mRun 'node manage.ts migrate' to apply them.\x1b[0m\nhandled\n",
    );
  });
});

class Tagged extends BaseCommand {
  override requiresSystemChecks: '__all__' | readonly string[] = ['framework_tag'];
  override handle(): string {
    return 'ran';
  }
}

describe('requiresSystemChecks', () => {
  const failing = () => [new CheckError('Broken for the framework tests.', { id: 'framework.E001' })];
  before(() => registerCheck(failing, { tags: ['framework_tag'] }));
  after(() => unregisterCheck(failing));

  test('a list of tags runs the checks with those tags before handle(); --skip-checks skips them', async () => {
    await assert.rejects(callCommand(new Tagged(), { skipChecks: false, stderr: sink() }), (error: Error) => {
      assert.ok(error instanceof SystemCheckError);
      assert.match(error.message, /\(framework\.E001\) Broken for the framework tests\./);
      return true;
    });
    assert.equal(await callCommand(new Tagged(), { stdout: sink() }), 'ran');
    const code = await new Tagged({ stdout: sink(), stderr: sink() }).runFromArgv('manage.ts', 'tagged', ['--skip-checks']);
    assert.equal(code, 0);
  });

  test('other tags, or none, leave the failing check out; __all__ runs it', async () => {
    const other = new Tagged();
    other.requiresSystemChecks = ['models'];
    assert.equal(await callCommand(other, { skipChecks: false, stdout: sink() }), 'ran');
    const none = new Tagged();
    none.requiresSystemChecks = [];
    assert.equal(await callCommand(none, { skipChecks: false, stdout: sink() }), 'ran');
    const all = new Tagged();
    all.requiresSystemChecks = '__all__';
    await assert.rejects(callCommand(all, { skipChecks: false, stderr: sink() }), SystemCheckError);
  });
});

describe('discovery', () => {
  test('an installed app’s command replaces the built-in of the same name', async () => {
    assert.equal(getCommands().get('sendtestemail')?.app, 'polls');
    assert.equal(await callCommand('sendtestemail', { stdout: sink() }), 'polls replaces sendtestemail');
    assert.equal(getCommands().get('check')?.app, 'nuages');
  });
});
