/**
 * `manage.ts sendtestemail [email ...] [--managers] [--admins]`: sends one test mail through
 * EMAIL_BACKEND, to check the mail settings of a deployment (Django's command of that name).
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { mailAdmins, mailManagers, sendMail } from '../../mail/index.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';

/** Python's str() of an aware UTC datetime, as Django's subject shows `timezone.now()`. */
function pythonUtcNow(): string {
  const iso = new Date().toISOString(); // 2026-11-28T12:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000+00:00`;
}

export default class SendTestEmailCommand extends BaseCommand {
  override help = 'Sends a test email to the email addresses specified as arguments.';

  override addArguments(parser: Command): void {
    parser
      .argument('[email...]', 'One or more email addresses to send a test email to.')
      .option('--managers', 'Send a test email to the addresses specified in settings.MANAGERS.', false)
      .option('--admins', 'Send a test email to the addresses specified in settings.ADMINS.', false);
  }

  override async handle(options: CommandOptions): Promise<void> {
    const recipients = (options['email'] as string[] | undefined) ?? [];
    const managers = Boolean(options['managers']);
    const admins = Boolean(options['admins']);
    if (recipients.length === 0 && !managers && !admins) {
      throw new CommandError('You must specify some email recipients, or pass the --managers or --admin options.');
    }
    const subject = `Test email from ${hostname()} on ${pythonUtcNow()}`;
    if (recipients.length > 0) await sendMail(subject, "If you're reading this, it was successful.", null, recipients);
    if (managers) await mailManagers(subject, 'This email was sent to the site managers.');
    if (admins) await mailAdmins(subject, 'This email was sent to the site admins.');
  }
}
