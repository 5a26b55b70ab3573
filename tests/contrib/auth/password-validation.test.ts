import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { configure, overrideSettings } from '../../../src/conf/index.ts';
import { ImproperlyConfigured } from '../../../src/core/errors.ts';
import { ValidationError } from '../../../src/core/exceptions.ts';
import { User } from '../../../src/contrib/auth/models.ts';
import {
  CommonPasswordValidator,
  MinimumLengthValidator,
  NumericPasswordValidator,
  UserAttributeSimilarityValidator,
  getDefaultPasswordValidators,
  getPasswordValidators,
  passwordChanged,
  passwordValidatorsHelpTextHtml,
  passwordValidatorsHelpTexts,
  validatePassword,
  type PasswordValidator,
  type PasswordValidatorConfig,
} from '../../../src/contrib/auth/password-validation.ts';
import { SequenceMatcher } from '../../../src/utils/difflib.ts';

configure({ SECRET_KEY: 'validation-test', DEBUG: true });

type Kind = 'similarity' | 'length' | 'common' | 'numeric';
interface OracleValidators {
  kind: Kind;
  options: Record<string, unknown>;
}
const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'validators-django.json'), 'utf8')) as {
  cases: Array<{
    validators: OracleValidators[];
    password: string;
    user: Record<'username' | 'first_name' | 'last_name' | 'email', string> | null;
    errors: Array<{ message: string; code: string }> | null;
  }>;
  help: Array<{ validators: OracleValidators[]; helpTexts: string[]; helpTextHtml: string }>;
  sequenceMatcher: Array<{ a: string; b: string; ratio: number; quickRatio: number; realQuickRatio: number; blocks: number[][] }>;
};

const DJANGO_NAMES: Record<Kind, string> = {
  similarity: 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator',
  length: 'django.contrib.auth.password_validation.MinimumLengthValidator',
  common: 'django.contrib.auth.password_validation.CommonPasswordValidator',
  numeric: 'django.contrib.auth.password_validation.NumericPasswordValidator',
};
const build = (specs: OracleValidators[]) => getPasswordValidators(specs.map((s) => ({ NAME: DJANGO_NAMES[s.kind], OPTIONS: s.options })));

/** The error messages and codes validatePassword() gives, or null when the password passes. */
async function outcome(password: string, user: unknown, validators: readonly PasswordValidator[]) {
  try {
    await validatePassword(password, user, validators);
    return null;
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    return error.errorList.map((e) => ({ message: e.message, code: e.code }));
  }
}

describe("validators against Django 5.2's answers", () => {
  test('every case gives Django’s messages, codes and order (users are Nuages User models)', async () => {
    assert.ok(oracle.cases.length >= 40);
    for (const entry of oracle.cases) {
      const user =
        entry.user &&
        new User({ username: entry.user.username, firstName: entry.user.first_name, lastName: entry.user.last_name, email: entry.user.email });
      assert.deepEqual(await outcome(entry.password, user, build(entry.validators)), entry.errors, `${JSON.stringify(entry.password)} with ${JSON.stringify(entry.validators)}`);
    }
  });

  test('help texts and their HTML list match Django’s, plural forms included', () => {
    for (const entry of oracle.help) {
      const validators = build(entry.validators);
      assert.deepEqual(passwordValidatorsHelpTexts(validators), entry.helpTexts);
      assert.equal(String(passwordValidatorsHelpTextHtml(validators)), entry.helpTextHtml);
    }
  });

  test("SequenceMatcher scores and blocks equal Python's difflib", () => {
    assert.ok(oracle.sequenceMatcher.length > 70);
    for (const entry of oracle.sequenceMatcher) {
      const matcher = new SequenceMatcher(entry.a, entry.b);
      const label = `${JSON.stringify(entry.a)} vs ${JSON.stringify(entry.b)}`;
      assert.equal(matcher.ratio(), entry.ratio, label);
      assert.equal(matcher.quickRatio(), entry.quickRatio, label);
      assert.equal(matcher.realQuickRatio(), entry.realQuickRatio, label);
      assert.deepEqual(matcher.getMatchingBlocks().map((m) => [m.a, m.b, m.size]), entry.blocks, label);
    }
  });
});

describe('validatePassword()', () => {
  test('throws one ValidationError listing every failure, with codes and params', async () => {
    const validators = getPasswordValidators([
      { NAME: 'MinimumLengthValidator', OPTIONS: { minLength: 10 } },
      { NAME: 'CommonPasswordValidator' },
      { NAME: 'NumericPasswordValidator' },
    ]);
    await assert.rejects(validatePassword('123456', null, validators), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(error.messages, [
        'This password is too short. It must contain at least 10 characters.',
        'This password is too common.',
        'This password is entirely numeric.',
      ]);
      assert.deepEqual(error.errorList.map((e) => e.code), ['password_too_short', 'password_too_common', 'password_entirely_numeric']);
      assert.deepEqual(error.errorList[0]!.params, { min_length: 10 });
      return true;
    });
    await validatePassword('a sturdy passphrase', null, validators);
  });

  test('uses AUTH_PASSWORD_VALIDATORS by default, with Django’s or Nuages option names', async () => {
    const config: PasswordValidatorConfig[] = [
      { NAME: 'django.contrib.auth.password_validation.MinimumLengthValidator', OPTIONS: { min_length: 12 } },
      { NAME: UserAttributeSimilarityValidator, OPTIONS: { userAttributes: ['email'], maxSimilarity: 0.5 } },
    ];
    await overrideSettings({ AUTH_PASSWORD_VALIDATORS: config }, async () => {
      assert.equal(getDefaultPasswordValidators(), getDefaultPasswordValidators(), 'built once per settings value');
      await assert.rejects(validatePassword('short'), /at least 12 characters/);
      await assert.rejects(validatePassword('marie-curie-1867', { email: 'marie.curie@example.com' }), /too similar to the email/);
      await validatePassword('marie-curie-1867', { username: 'marie.curie' });
      assert.deepEqual(passwordValidatorsHelpTexts(), [
        'Your password must contain at least 12 characters.',
        'Your password can’t be too similar to your other personal information.',
      ]);
    });
    // None configured: everything passes and there is no help text.
    await validatePassword('x');
    assert.equal(String(passwordValidatorsHelpTextHtml()), '');
  });

  test('a NAME that is not a validator is refused with the names to use', () => {
    assert.throws(
      () => getPasswordValidators([{ NAME: 'django.contrib.auth.password_validation.NoSuchValidator' }]),
      (error: unknown) => {
        assert.ok(error instanceof ImproperlyConfigured);
        assert.match(error.message, /AUTH_PASSWORD_VALIDATORS\[0\]\.NAME is 'django\.contrib\.auth\.password_validation\.NoSuchValidator'.*'MinimumLengthValidator'/);
        return true;
      },
    );
    assert.throws(() => new UserAttributeSimilarityValidator({ max_similarity: 0.05 }), /at least 0\.1/);
  });

  test('an error that is not a ValidationError is not swallowed', async () => {
    const broken: PasswordValidator = {
      validate() {
        throw new TypeError('bug in a validator');
      },
      getHelpText: () => '',
    };
    await assert.rejects(validatePassword('x', null, [broken]), TypeError);
  });
});

describe('docs/passwords.md', () => {
  test('the recommended settings reject 12345678 with three messages, in order', async () => {
    const recommended: PasswordValidatorConfig[] = [
      { NAME: 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator' },
      { NAME: 'django.contrib.auth.password_validation.MinimumLengthValidator', OPTIONS: { min_length: 9 } },
      { NAME: 'django.contrib.auth.password_validation.CommonPasswordValidator' },
      { NAME: 'django.contrib.auth.password_validation.NumericPasswordValidator' },
    ];
    await overrideSettings({ AUTH_PASSWORD_VALIDATORS: recommended }, async () => {
      const user = new User({ username: 'ada', email: 'ada@example.com' });
      assert.deepEqual(await outcome('12345678', user, getDefaultPasswordValidators()), [
        { message: 'This password is too short. It must contain at least 9 characters.', code: 'password_too_short' },
        { message: 'This password is too common.', code: 'password_too_common' },
        { message: 'This password is entirely numeric.', code: 'password_entirely_numeric' },
      ]);
      assert.match(String(passwordValidatorsHelpTextHtml()), /^<ul><li>Your password can’t be too similar to your other personal information\.<\/li>/);
    });
  });
});

describe('custom validators', () => {
  class NoSeason implements PasswordValidator {
    changed: string[] = [];
    async validate(password: string): Promise<void> {
      await Promise.resolve();
      if (/summer|winter/i.test(password)) throw new ValidationError('Do not use a season.', { code: 'password_has_season' });
    }
    getHelpText(): string {
      return 'No seasons & no <tags>.';
    }
    passwordChanged(password: string): void {
      this.changed.push(password);
    }
  }

  test('an async validate() joins the built-in ones, and its help text is escaped in HTML', async () => {
    const custom = new NoSeason();
    const validators = [new MinimumLengthValidator(), custom];
    assert.deepEqual(await outcome('Summer1', null, validators), [
      { message: 'This password is too short. It must contain at least 8 characters.', code: 'password_too_short' },
      { message: 'Do not use a season.', code: 'password_has_season' },
    ]);
    assert.equal(
      String(passwordValidatorsHelpTextHtml(validators)),
      '<ul><li>Your password must contain at least 8 characters.</li><li>No seasons &amp; no &lt;tags&gt;.</li></ul>',
    );
  });

  test('passwordChanged() reaches the validators that have the hook, from settings too', async () => {
    const custom = new NoSeason();
    await passwordChanged('new-password', { username: 'ada' }, [new NumericPasswordValidator(), custom]);
    assert.deepEqual(custom.changed, ['new-password']);
    await overrideSettings({ AUTH_PASSWORD_VALIDATORS: [{ NAME: NoSeason }] }, async () => {
      await passwordChanged('from-settings');
      const [fromSettings] = getDefaultPasswordValidators() as NoSeason[];
      assert.deepEqual(fromSettings!.changed, ['from-settings']);
    });
  });
});

describe('UserAttributeSimilarityValidator on plain objects', () => {
  test('reads camelCase fields for Django’s attribute names and names the attribute in the message', async () => {
    const validator = new UserAttributeSimilarityValidator();
    assert.throws(() => validator.validate('Lovelace', { firstName: 'Ada', lastName: 'Lovelace' }), /too similar to the last_name\./);
    // Non-string and empty attributes are skipped; no user, no check.
    validator.validate('12345', { username: 12345, email: '' });
    validator.validate('ada', undefined);
  });
});

describe('CommonPasswordValidator', () => {
  test('ships 20,000 common passwords and reads another list, gzip-compressed or plain', async () => {
    const shipped = new CommonPasswordValidator();
    assert.equal(shipped.passwords.size, 20000);
    shipped.validate('');
    assert.throws(() => shipped.validate('letmein'), /too common/);
    const dir = mkdtempSync(join(tmpdir(), 'nuages-common-'));
    writeFileSync(join(dir, 'list.txt'), 'hunter2\nopen sesame\n');
    writeFileSync(join(dir, 'list.txt.gz'), gzipSync('tr0ub4dor\n'));
    const plain = new CommonPasswordValidator({ password_list_path: join(dir, 'list.txt') });
    assert.throws(() => plain.validate(' Open Sesame '), /too common/);
    plain.validate('password');
    const gz = new CommonPasswordValidator({ passwordListPath: join(dir, 'list.txt.gz') });
    assert.throws(() => gz.validate('TR0UB4DOR'), /too common/);
  });
});
