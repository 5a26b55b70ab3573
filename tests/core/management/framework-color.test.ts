// Colours: NUAGES_COLORS read as Django reads DJANGO_COLORS, the escape sequences Django writes
// (django/framework_oracle.py records every role under each setting), and when a command colours:
// stdout on a terminal or forced, stderr's errors only on a terminal.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaseCommand, CommandError, makeStyle, parseColorSetting, type Style, type Writer } from '../../../src/core/management/index.ts';

const django = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'framework-expected.json'), 'utf8')) as {
  colors: Record<string, Record<keyof Style, string>>;
};

const COLOR_VARIABLES = ['NUAGES_COLORS', 'NO_COLOR', 'FORCE_COLOR'];
const saved = Object.fromEntries(COLOR_VARIABLES.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const name of COLOR_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function terminal(isTTY: boolean): Writer & { text: string } {
  return {
    isTTY,
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

class Fails extends BaseCommand {
  override requiresSystemChecks: readonly string[] = [];
  override handle(): never {
    throw new CommandError('Nope.');
  }
}

class Notices extends BaseCommand {
  override requiresSystemChecks: readonly string[] = [];
  override handle(): void {
    this.stdout.write('careful', this.style.NOTICE);
  }
}

describe('NUAGES_COLORS, compared with DJANGO_COLORS in Django 5.2', () => {
  for (const [setting, roles] of Object.entries(django.colors)) {
    test(`"${setting}" colours every role as Django does`, () => {
      const style = makeStyle(true, setting);
      const actual = Object.fromEntries(Object.keys(roles).map((role) => [role, style[role as keyof Style]('x')]));
      assert.deepEqual(actual, roles);
    });
  }

  test('a setting that colours nothing is no palette at all', () => {
    assert.equal(parseColorSetting('nocolor'), undefined);
    assert.equal(parseColorSetting('bogus;error=pink'), undefined);
    assert.notEqual(parseColorSetting(''), undefined);
  });

  test('makeStyle() reads NUAGES_COLORS by default', () => {
    process.env['NUAGES_COLORS'] = 'light';
    assert.equal(makeStyle(true).SQL_KEYWORD('x'), '\x1b[34mx\x1b[0m');
    assert.equal(makeStyle(false).SQL_KEYWORD('x'), 'x');
  });
});

describe('when a command colours its output', () => {
  test('stdout on a terminal is coloured; redirected it is not', async () => {
    delete process.env['NO_COLOR'];
    delete process.env['FORCE_COLOR'];
    const tty = terminal(true);
    await new Notices({ stdout: tty }).runFromArgv('manage.ts', 'notices', []);
    assert.equal(tty.text, '\x1b[31mcareful\n\x1b[0m');
    const file = terminal(false);
    await new Notices({ stdout: file }).runFromArgv('manage.ts', 'notices', []);
    assert.equal(file.text, 'careful\n');
  });

  test('--force-color colours a redirected stdout; --no-color and NUAGES_COLORS=nocolor turn a terminal plain', async () => {
    delete process.env['NO_COLOR'];
    delete process.env['FORCE_COLOR'];
    const forced = terminal(false);
    await new Notices({ stdout: forced }).runFromArgv('manage.ts', 'notices', ['--force-color']);
    assert.equal(forced.text, '\x1b[31mcareful\n\x1b[0m');
    const plain = terminal(true);
    await new Notices({ stdout: plain }).runFromArgv('manage.ts', 'notices', ['--no-color']);
    assert.equal(plain.text, 'careful\n');
    process.env['NUAGES_COLORS'] = 'nocolor';
    const nocolor = terminal(false);
    await new Notices({ stdout: nocolor }).runFromArgv('manage.ts', 'notices', ['--force-color']);
    assert.equal(nocolor.text, 'careful\n');
  });

  test('NO_COLOR turns colour off on a terminal; FORCE_COLOR turns it on elsewhere', async () => {
    process.env['NO_COLOR'] = '1';
    const tty = terminal(true);
    await new Notices({ stdout: tty }).runFromArgv('manage.ts', 'notices', []);
    assert.equal(tty.text, 'careful\n');
    delete process.env['NO_COLOR'];
    process.env['FORCE_COLOR'] = '1';
    const file = terminal(false);
    await new Notices({ stdout: file }).runFromArgv('manage.ts', 'notices', []);
    assert.equal(file.text, '\x1b[31mcareful\n\x1b[0m');
  });

  test('a CommandError on stderr is in the ERROR style on a terminal, plain when stderr is redirected', async () => {
    delete process.env['NO_COLOR'];
    delete process.env['FORCE_COLOR'];
    const tty = terminal(true);
    assert.equal(await new Fails({ stdout: terminal(true), stderr: tty }).runFromArgv('manage.ts', 'fails', []), 1);
    assert.equal(tty.text, '\x1b[31;1mCommandError: Nope.\n\x1b[0m');
    const log = terminal(false);
    await new Fails({ stdout: terminal(true), stderr: log }).runFromArgv('manage.ts', 'fails', ['--force-color']);
    assert.equal(log.text, 'CommandError: Nope.\n');
    const noColor = terminal(true);
    await new Fails({ stdout: terminal(true), stderr: noColor }).runFromArgv('manage.ts', 'fails', ['--no-color']);
    assert.equal(noColor.text, 'CommandError: Nope.\n');
  });
});
