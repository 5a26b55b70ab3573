/**
 * `manage.ts createsuperuser`: creates a user with every permission (Django's command).
 *
 * Interactive: prompts for the username (suggesting the system user name), each of the
 * user model's REQUIRED_FIELDS and the password twice, checking the password validators
 * (which may be bypassed on request). `--noinput`: everything from the options and the
 * DJANGO_SUPERUSER_<FIELD> environment variables (NUAGES_SUPERUSER_<FIELD> too); without a
 * password variable the user gets an unusable password.
 */
import type { Command } from 'commander';
import { ValidationError } from '../../../../core/exceptions.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../../../../core/management/base.ts';
import { Prompter } from '../../../../core/management/prompt.ts';
import type { Field } from '../../../../db/models/fields/field.ts';
import type { AbstractBaseUser, UserFields, UserModelClass } from '../../base-user.ts';
import { validatePassword } from '../../password-validation.ts';
import { getUserModel } from '../../user-model.ts';
import { getDefaultUsername } from '../usernames.ts';
import { capfirst, fieldOption, superuserEnv, verboseName } from './_fields.ts';

const PASSWORD_FIELD = 'password';

export default class CreateSuperuserCommand extends BaseCommand {
  override help = 'Used to create a superuser.';

  override addArguments(parser: Command): void {
    const UserModel = getUserModel();
    parser
      .option(`${fieldOption(UserModel.USERNAME_FIELD)} <value>`, 'Specifies the login for the superuser.')
      .option(
        '--noinput, --no-input',
        `Tells Nuages to NOT prompt the user for input of any kind. You must use ${fieldOption(UserModel.USERNAME_FIELD)} with --noinput, ` +
          'along with an option for any other required field. Superusers created with --noinput will not be able to log in ' +
          "until they're given a valid password.",
      )
      .option('--database <alias>', 'Specifies the database to use. Default is "default".', 'default');
    for (const name of UserModel.REQUIRED_FIELDS) {
      parser.option(`${fieldOption(name)} <value>`, `Specifies the ${name} for the superuser.`);
    }
  }

  override async handle(options: CommandOptions): Promise<void> {
    const UserModel = getUserModel();
    const database = String(options['database']);
    const usernameField = UserModel._meta.getField(UserModel.USERNAME_FIELD);
    const data: UserFields = {};
    // A model with a password field gets an unusable one unless a password is given.
    if (UserModel._meta.findField(PASSWORD_FIELD)) data.password = null;
    try {
      if (options['input'] !== false) {
        if (this.stdin.isTTY !== true) {
          this.stdout.write(
            'Superuser creation skipped due to not running in a TTY. You can run `manage.ts createsuperuser` in your project ' +
              'to create one manually.',
          );
          return;
        }
        const prompter = new Prompter(this.stdin, this.stdout.out);
        try {
          await this.#interactive(prompter, UserModel, usernameField, data, options, database);
        } finally {
          prompter.close();
        }
      } else {
        await this.#nonInteractive(UserModel, usernameField, data, options, database);
      }
      const creator = UserModel.objects.using(database) as unknown as { createSuperuser?: (fields: UserFields) => Promise<unknown> };
      if (typeof creator.createSuperuser !== 'function') {
        throw new CommandError(
          `${UserModel._meta.label}.objects has no createSuperuser(fields) method. Install a manager that has one, ` +
            'e.g. static override objects = UserManager.asManager(this).',
        );
      }
      await creator.createSuperuser(data);
      if (options.verbosity >= 1) this.stdout.write('Superuser created successfully.');
    } catch (error) {
      if (error instanceof ValidationError) throw new CommandError(error.messages.join('; '), { cause: error });
      throw error;
    }
  }

  async #interactive(
    prompter: Prompter,
    UserModel: UserModelClass,
    usernameField: Field,
    data: UserFields,
    options: CommandOptions,
    database: string,
  ): Promise<void> {
    const fakeUser: Record<string, unknown> = {};
    const defaultUsername = await getDefaultUsername({ database });
    let username = options[UserModel.USERNAME_FIELD] as string | undefined | null;
    if (username) {
      const error = await this.#validateUsername(UserModel, usernameField, username, database);
      if (error) {
        this.stderr.write(error);
        username = null;
      }
    } else if (username === '') {
      throw new CommandError(`${capfirst(verboseName(usernameField))} cannot be blank.`);
    }
    while (!username) {
      const value = await this.#input(prompter, usernameField, inputMessage(usernameField, defaultUsername), defaultUsername);
      if (value === null || value === '') continue;
      const error = await this.#validateUsername(UserModel, usernameField, String(value), database);
      if (error) {
        this.stderr.write(error);
        continue;
      }
      username = String(value);
    }
    data[UserModel.USERNAME_FIELD] = username;
    fakeUser[UserModel.USERNAME_FIELD] = username;

    for (const name of UserModel.REQUIRED_FIELDS) {
      const field = UserModel._meta.getField(name);
      const given = options[name];
      let value: unknown = given === undefined || given === null ? null : field.clean(given);
      while (value === null) value = await this.#input(prompter, field, inputMessage(field));
      data[name] = value;
      fakeUser[name] = value;
    }

    while (PASSWORD_FIELD in data && data.password === null) {
      const password = await prompter.askHidden('Password: ');
      const again = await prompter.askHidden('Password (again): ');
      if (password !== again) {
        this.stderr.write("Error: Your passwords didn't match.");
        continue;
      }
      if (password.trim() === '') {
        this.stderr.write("Error: Blank passwords aren't allowed.");
        continue;
      }
      try {
        await validatePassword(again, new (UserModel as unknown as new (init: Record<string, unknown>) => AbstractBaseUser)(fakeUser));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        this.stderr.write(error.messages.join('\n'));
        const answer = await prompter.ask('Bypass password validation and create user anyway? [y/N]: ');
        if (answer.toLowerCase() !== 'y') continue;
      }
      data.password = password;
    }
  }

  async #nonInteractive(UserModel: UserModelClass, usernameField: Field, data: UserFields, options: CommandOptions, database: string): Promise<void> {
    const password = superuserEnv(PASSWORD_FIELD);
    if (PASSWORD_FIELD in data && password !== undefined) data.password = password;
    const username = (options[UserModel.USERNAME_FIELD] as string | undefined) ?? superuserEnv(UserModel.USERNAME_FIELD);
    if (username === undefined) throw new CommandError(`You must use ${fieldOption(UserModel.USERNAME_FIELD)} with --noinput.`);
    const error = await this.#validateUsername(UserModel, usernameField, username, database);
    if (error) throw new CommandError(error);
    data[UserModel.USERNAME_FIELD] = username;
    for (const name of UserModel.REQUIRED_FIELDS) {
      const given = options[name] as string | undefined;
      const fromEnv = superuserEnv(name);
      const value = given || fromEnv;
      const field = UserModel._meta.getField(name);
      if (!value) {
        // An explicitly empty value is fine for a field that may be blank.
        if (field.blank && (given === '' || fromEnv === '')) continue;
        throw new CommandError(`You must use ${fieldOption(name)} with --noinput.`);
      }
      data[name] = field.clean(value);
    }
  }

  /** Reads one value for `field`: the default for an empty answer, cleaned; null (after an error) to ask again. */
  async #input(prompter: Prompter, field: Field, message: string, defaultValue = ''): Promise<unknown> {
    let raw = await prompter.ask(message);
    if (defaultValue && raw === '') raw = defaultValue;
    try {
      return field.clean(raw);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.stderr.write(`Error: ${error.messages.join('; ')}`);
      return null;
    }
  }

  /** Django's checks of a username: free (when unique), not blank, valid; the message, or '' when fine. */
  async #validateUsername(UserModel: UserModelClass, field: Field, username: string, database: string): Promise<string> {
    const name = verboseName(field);
    if (field.unique) {
      try {
        await UserModel.objects.using(database).getByNaturalKey(username);
        return `Error: That ${name} is already taken.`;
      } catch (error) {
        if (!(error instanceof UserModel.DoesNotExist)) throw error;
      }
    }
    if (!username) return `${capfirst(name)} cannot be blank.`;
    try {
      field.clean(username);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return error.messages.join('; ');
    }
    return '';
  }
}

/** `'Username (leave blank to use 'ada'): '`, `'Email address: '`, with the target of a relation. */
function inputMessage(field: Field, defaultValue = ''): string {
  const relation = field.isRelation
    ? ` (${(field as unknown as { remoteModel: { _meta: { objectName: string } }; targetField: Field }).remoteModel._meta.objectName}.${
        (field as unknown as { targetField: Field }).targetField.name
      })`
    : '';
  return `${capfirst(verboseName(field))}${defaultValue ? ` (leave blank to use '${defaultValue}')` : ''}${relation}: `;
}
