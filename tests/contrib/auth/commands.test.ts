// createsuperuser and changepassword, interactive (answers fed to stdin) and not, with
// Django's prompts and messages.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { overrideSettings } from '../../../src/conf/index.ts';
import { User } from '../../../src/contrib/auth/index.ts';
import { callCommand, CommandError, type Reader } from '../../../src/core/management/index.ts';
import { connections } from '../../../src/db/index.ts';
import { getDefaultUsername } from '../../../src/contrib/auth/management/usernames.ts';
import { output, setUpAuthProject } from './helpers.ts';

const VALIDATORS = [
  { NAME: 'django.contrib.auth.password_validation.MinimumLengthValidator' },
  { NAME: 'django.contrib.auth.password_validation.NumericPasswordValidator' },
];

/** A stdin that looks like a terminal and answers the prompts with `lines`. */
function terminal(...lines: string[]): Reader {
  return Object.assign(Readable.from(lines.map((line) => `${line}\n`)), { isTTY: true });
}

/** Runs a command, returning what it wrote to stdout and stderr. */
async function run(name: string, stdin: Reader | undefined, ...args: (string | Record<string, unknown>)[]): Promise<{ out: string; err: string }> {
  const stdout = output();
  const stderr = output();
  const last = args.at(-1);
  const options = typeof last === 'object' ? (args.pop() as Record<string, unknown>) : {};
  await callCommand(name, ...(args as string[]), { stdin, stdout, stderr, ...options });
  return { out: stdout.text, err: stderr.text };
}

const ENV = ['DJANGO_SUPERUSER_USERNAME', 'DJANGO_SUPERUSER_EMAIL', 'DJANGO_SUPERUSER_PASSWORD', 'NUAGES_SUPERUSER_USERNAME', 'NUAGES_SUPERUSER_PASSWORD'];

before(() => setUpAuthProject({ AUTH_PASSWORD_VALIDATORS: VALIDATORS }));
after(() => connections.closeAll());
afterEach(() => {
  for (const name of ENV) delete process.env[name];
});

describe('createsuperuser, interactively', () => {
  test('prompts for the username, the email and the password twice, then creates a superuser', async () => {
    const { out, err } = await run('createsuperuser', terminal('alice', 'alice@EXAMPLE.com', 'long-enough-pass', 'long-enough-pass'));
    assert.equal(err, '');
    // The system user name is suggested when it is a valid, free username (Django's get_default_username).
    const suggestion = await getDefaultUsername();
    const username = suggestion ? `Username (leave blank to use '${suggestion}'): ` : 'Username: ';
    assert.equal(out, `${username}Email address: Password: Password (again): Superuser created successfully.\n`);
    const user = await User.objects.get({ username: 'alice' });
    assert.deepEqual([user.isStaff, user.isSuperuser, user.email], [true, true, 'alice@example.com']);
    assert.equal(await user.checkPassword('long-enough-pass'), true);
  });

  test('asks again after a taken username, mismatched passwords and a blank password', async () => {
    const { err } = await run('createsuperuser', terminal('alice', 'bob', '', 'one-password', 'another-one', '   ', '   ', 'bobs-password', 'bobs-password'));
    assert.equal(err, "Error: That username is already taken.\nError: Your passwords didn't match.\nError: Blank passwords aren't allowed.\n");
    assert.equal(await (await User.objects.get({ username: 'bob' })).checkPassword('bobs-password'), true);
  });

  test('an invalid username is refused with the validator’s message', async () => {
    const { err } = await run('createsuperuser', terminal('not valid!', 'carol', 'carol@example.com', 'carols-password', 'carols-password'));
    assert.equal(err, 'Error: Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.\n');
    assert.ok(await User.objects.filter({ username: 'carol' }).exists());
  });

  test('the password validators speak, and their verdict may be bypassed only by answering y', async () => {
    const { err } = await run('createsuperuser', terminal('dave', '', '1234', '1234', 'n', '12345678', '12345678', 'y'));
    assert.equal(
      err,
      'This password is too short. It must contain at least 8 characters.\nThis password is entirely numeric.\n' + 'This password is entirely numeric.\n',
    );
    assert.equal(await (await User.objects.get({ username: 'dave' })).checkPassword('12345678'), true);
  });

  test('--username and --email given on the command line are not asked for', async () => {
    const { out } = await run('createsuperuser', terminal('erins-password', 'erins-password'), '--username', 'erin', '--email', 'erin@example.com');
    assert.equal(out, 'Password: Password (again): Superuser created successfully.\n');
    assert.ok(await User.objects.filter({ username: 'erin', email: 'erin@example.com' }).exists());
  });

  test('a taken --username is reported, then asked for', async () => {
    const { err } = await run('createsuperuser', terminal('frank', 'franks-password', 'franks-password'), '--username', 'erin', '--email', '');
    assert.equal(err, 'Error: That username is already taken.\n');
    assert.ok(await User.objects.filter({ username: 'frank' }).exists());
  });

  test('without a terminal it does nothing and says how to run it', async () => {
    const { out } = await run('createsuperuser', Readable.from([]) as Reader);
    assert.match(out, /^Superuser creation skipped due to not running in a TTY\. You can run `manage\.ts createsuperuser` in your project to create one manually\.\n$/);
  });

  test('input ending early cancels it', async () => {
    await assert.rejects(run('createsuperuser', terminal('gina')), (error: Error) => error instanceof CommandError && error.message === 'Operation cancelled.');
    assert.equal(await User.objects.filter({ username: 'gina' }).exists(), false);
  });
});

describe('createsuperuser --noinput', () => {
  test('takes the username, email and password from DJANGO_SUPERUSER_* variables', async () => {
    Object.assign(process.env, { DJANGO_SUPERUSER_USERNAME: 'henry', DJANGO_SUPERUSER_EMAIL: 'henry@example.com', DJANGO_SUPERUSER_PASSWORD: 'short' });
    const { out } = await run('createsuperuser', undefined, '--noinput');
    assert.equal(out, 'Superuser created successfully.\n');
    const user = await User.objects.get({ username: 'henry' });
    assert.equal(user.isSuperuser, true);
    assert.equal(await user.checkPassword('short'), true, 'the validators are not run without input, as in Django');
  });

  test('NUAGES_SUPERUSER_* variables work too; without a password the user gets an unusable one', async () => {
    process.env['NUAGES_SUPERUSER_USERNAME'] = 'iris';
    await run('createsuperuser', undefined, '--noinput', '--email', 'iris@example.com');
    assert.equal((await User.objects.get({ username: 'iris' })).hasUsablePassword(), false);
  });

  test("refuses what is missing or taken with Django's messages", async () => {
    await assert.rejects(run('createsuperuser', undefined, '--noinput', '--email', 'x@example.com'), { message: 'You must use --username with --noinput.' });
    await assert.rejects(run('createsuperuser', undefined, '--noinput', '--username', 'jack'), { message: 'You must use --email with --noinput.' });
    await assert.rejects(run('createsuperuser', undefined, '--noinput', '--username', 'iris', '--email', 'x@example.com'), { message: 'Error: That username is already taken.' });
    await assert.rejects(run('createsuperuser', undefined, '--noinput', '--username', 'bad name', '--email', 'x@example.com'), {
      message: 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
    });
    await assert.rejects(run('createsuperuser', undefined, '--noinput', '--username', 'kim', '--email', 'not-an-email'), { message: 'Enter a valid email address.' });
    assert.equal(await User.objects.filter({ username__in: ['jack', 'kim'] }).count(), 0);
  });

  test('--database chooses the database, and verbosity 0 prints nothing', async () => {
    const { out } = await run('createsuperuser', undefined, '--noinput', '--username', 'lena', '--email', 'lena@example.com', '--database', 'default', { verbosity: 0 });
    assert.equal(out, '');
    assert.ok(await User.objects.filter({ username: 'lena' }).exists());
  });
});

describe('changepassword', () => {
  test('sets the password after it is typed twice', async () => {
    await User.objects.createUser('mona', '', 'old-password');
    const { out } = await run('changepassword', terminal('new-password', 'new-password'), 'mona');
    assert.equal(out, "Changing password for user 'mona'\nPassword: Password (again): Password changed successfully for user 'mona'\n");
    assert.equal(await (await User.objects.get({ username: 'mona' })).checkPassword('new-password'), true);
  });

  test('gives up after three failed attempts, leaving the password alone', async () => {
    const attempts = terminal('new-password', 'other-password', '1234', '1234', 'new-password', 'newer-password');
    const stderr = output();
    const stdout = output();
    await assert.rejects(callCommand('changepassword', 'mona', { stdin: attempts, stdout, stderr }), {
      message: "Aborting password change for user 'mona' after 3 attempts",
    });
    assert.equal(stdout.text.match(/Passwords do not match\. Please try again\./g)?.length, 2);
    assert.equal(stderr.text, 'This password is too short. It must contain at least 8 characters.\nThis password is entirely numeric.\n');
    assert.equal(await (await User.objects.get({ username: 'mona' })).checkPassword('new-password'), true);
  });

  test("an unknown user and an empty password are refused with Django's messages", async () => {
    await assert.rejects(run('changepassword', terminal(), 'nobody'), { message: "user 'nobody' does not exist" });
    await assert.rejects(run('changepassword', terminal(''), 'mona'), { message: 'aborted' });
  });

  test('the password validators see the user', async () => {
    await overrideSettings({ AUTH_PASSWORD_VALIDATORS: [{ NAME: 'UserAttributeSimilarityValidator' }] }, async () => {
      const stderr = output();
      await assert.rejects(callCommand('changepassword', 'mona', { stdin: terminal('mona', 'mona', 'mona', 'mona', 'mona', 'mona'), stdout: output(), stderr }));
      assert.match(stderr.text, /^The password is too similar to the username\.\n/);
    });
  });
});
