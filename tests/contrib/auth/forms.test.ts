// The auth forms against Django 5.2 (tests/contrib/auth/django/forms_oracle.py → forms.json):
// the same users, validators and data give the same validity, error messages and codes, and
// the unbound forms render the same HTML. Then what saving does: the password hashed, the
// validators' passwordChanged() hook run once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { overrideSettings } from '../../../src/conf/index.ts';
import {
  AuthenticationForm,
  BaseUserCreationForm,
  PasswordChangeForm,
  PasswordResetForm,
  SetPasswordForm,
  User,
  UserCreationForm,
  UsernameField,
} from '../../../src/contrib/auth/index.ts';
import { connections } from '../../../src/db/index.ts';
import type { BaseForm } from '../../../src/forms/forms.ts';
import { setUpAuthProject } from './helpers.ts';

interface OracleCase {
  form: string;
  backends: string[] | null;
  data: Record<string, string>;
  valid: boolean;
  errors: Record<string, { message: string; code: string }[]>;
  cleanedUsername?: string;
}
const oracle = JSON.parse(readFileSync(new URL('./django/forms.json', import.meta.url), 'utf8')) as {
  users: { username: string; email: string; password: string; isActive: boolean }[];
  validators: { NAME: string }[];
  html: Record<string, string>;
  cases: OracleCase[];
};

/** Counts the validators' passwordChanged() calls. */
class ChangeCountingValidator {
  static changes: string[] = [];
  validate(): void {}
  passwordChanged(password: string): void {
    ChangeCountingValidator.changes.push(password);
  }
  getHelpText(): string {
    return '';
  }
}

before(async () => {
  await setUpAuthProject({ AUTH_PASSWORD_VALIDATORS: oracle.validators });
  for (const user of oracle.users) {
    await User.objects.createUser(user.username, user.email, user.password, { isActive: user.isActive });
  }
});
after(() => connections.closeAll());

async function build(name: string, data?: Record<string, string>): Promise<BaseForm> {
  const options = data === undefined ? {} : { data };
  switch (name) {
    case 'UserCreationForm':
      return new UserCreationForm(options);
    case 'BaseUserCreationForm':
      return new BaseUserCreationForm(options);
    case 'AuthenticationForm':
      return new AuthenticationForm(options);
    case 'PasswordResetForm':
      return new PasswordResetForm(options);
    case 'SetPasswordForm':
      return new SetPasswordForm(await User.objects.get({ username: 'ada' }), options);
    case 'PasswordChangeForm':
      return new PasswordChangeForm(await User.objects.get({ username: 'ada' }), options);
    default:
      throw new Error(`no form ${name} in forms.json`);
  }
}

describe("the auth forms judge data as Django's do", () => {
  for (const [index, expected] of oracle.cases.entries()) {
    const label = `${index}: ${expected.form} ${JSON.stringify(expected.data).slice(0, 90)}`;
    test(label, async () => {
      const check = async () => {
        const form = await build(expected.form, expected.data);
        const valid = await form.isValid();
        assert.deepEqual(form.errors.getJsonData(), expected.errors);
        assert.equal(valid, expected.valid);
        const cleaned = form.cleanedData as Record<string, unknown>;
        assert.equal(cleaned['username'], expected.cleanedUsername);
      };
      if (expected.backends) await overrideSettings({ AUTHENTICATION_BACKENDS: expected.backends }, check);
      else await check();
    });
  }
});

describe("the auth forms render as Django's", () => {
  for (const [name, html] of Object.entries(oracle.html)) {
    test(name, async () => {
      assert.equal((await (await build(name)).render()).value, html);
    });
  }
});

describe('saving', () => {
  test('UserCreationForm stores a hashed password that logs in, and the NFKC username', async () => {
    const form = new UserCreationForm({ data: { username: 'ｎｅｗｂｉｅ', password1: 'a long unusual phrase 42', password2: 'a long unusual phrase 42' } });
    assert.ok(await form.isValid());
    const user = await form.save();
    const stored = await User.objects.get({ pk: user.pk });
    assert.equal(stored.username, 'newbie');
    assert.notEqual(stored.password, 'a long unusual phrase 42');
    assert.ok(await stored.checkPassword('a long unusual phrase 42'));
  });

  test('save({ commit: false }) leaves the database alone', async () => {
    const form = new UserCreationForm({ data: { username: 'later', password1: 'a long unusual phrase 42', password2: 'a long unusual phrase 42' } });
    assert.ok(await form.isValid());
    const user = await form.save({ commit: false });
    assert.ok(await user.checkPassword('a long unusual phrase 42'));
    assert.equal(await User.objects.filter({ username: 'later' }).exists(), false);
  });

  test('SetPasswordForm changes the password and tells the validators once', async () => {
    await overrideSettings({ AUTH_PASSWORD_VALIDATORS: [{ NAME: ChangeCountingValidator }] }, async () => {
      const user = await User.objects.createUser('setter', '', 'first phrase 1');
      ChangeCountingValidator.changes = [];
      const form = new SetPasswordForm(user, { data: { new_password1: 'second phrase 2', new_password2: 'second phrase 2' } });
      assert.ok(await form.isValid());
      await form.save();
      assert.deepEqual(ChangeCountingValidator.changes, ['second phrase 2']);
      assert.ok(await (await User.objects.get({ username: 'setter' })).checkPassword('second phrase 2'));
    });
  });

  test('UsernameField leaves a too-long value un-normalised (normalising is never needed to refuse it)', () => {
    const field = new UsernameField({ maxLength: 3 });
    assert.equal(field.toPython('ｆｆｆｆ'), 'ｆｆｆｆ');
    assert.equal(field.toPython('ｆｆ'), 'ff');
  });
});
