/**
 * `manage.ts changepassword [username]`: sets a user's password after asking for it twice
 * and checking the password validators; three failed attempts abort (Django's command).
 * Without a username, the system user name is used.
 */
import type { Command } from 'commander';
import { ValidationError } from '../../../../core/exceptions.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../../../../core/management/base.ts';
import { Prompter } from '../../../../core/management/prompt.ts';
import type { AbstractBaseUser } from '../../base-user.ts';
import { validatePassword } from '../../password-validation.ts';
import { getUserModel } from '../../user-model.ts';
import { getSystemUsername } from '../usernames.ts';

const MAX_TRIES = 3;

export default class ChangePasswordCommand extends BaseCommand {
  override help = "Change a user's password for nuages/contrib/auth.";
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .argument('[username]', "Username to change password for; by default, it's the current username.")
      .option('--database <alias>', 'Specifies the database to use. Default is "default".', 'default');
  }

  override async handle(options: CommandOptions): Promise<string> {
    const UserModel = getUserModel();
    const username = (options['username'] as string | undefined) || getSystemUsername();
    let user: AbstractBaseUser;
    try {
      user = await UserModel.objects.using(String(options['database'])).get({ [UserModel.USERNAME_FIELD]: username });
    } catch (error) {
      if (error instanceof UserModel.DoesNotExist) throw new CommandError(`user '${username}' does not exist`);
      throw error;
    }
    this.stdout.write(`Changing password for user '${String(user)}'`);
    const prompter = new Prompter(this.stdin, this.stdout.out);
    let password = '';
    try {
      let count = 0;
      let accepted = false;
      while (!accepted && count < MAX_TRIES) {
        const first = await this.#askPassword(prompter, 'Password: ');
        const second = await this.#askPassword(prompter, 'Password (again): ');
        if (first !== second) {
          this.stdout.write('Passwords do not match. Please try again.');
          count++;
          continue;
        }
        try {
          await validatePassword(second, user);
          accepted = true;
          password = first;
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          this.stderr.write(error.messages.join('\n'));
          count++;
        }
      }
      if (!accepted) throw new CommandError(`Aborting password change for user '${String(user)}' after ${count} attempts`);
    } finally {
      prompter.close();
    }
    await user.setPassword(password);
    await user.save();
    return `Password changed successfully for user '${String(user)}'`;
  }

  async #askPassword(prompter: Prompter, question: string): Promise<string> {
    const password = await prompter.askHidden(question);
    if (!password) throw new CommandError('aborted');
    return password;
  }
}
