/**
 * The one-call helpers of Django's django.core.mail: sendMail, sendMassMail, mailAdmins,
 * mailManagers. Each builds messages and hands them to one connection.
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../errors.ts';
import type { EmailBackend } from './backends/base.ts';
import { getConnection } from './connection.ts';
import { EmailMessage, EmailMultiAlternatives } from './message.ts';

/** Options shared by `sendMail()` and `sendMassMail()` (Django's keyword arguments). */
export interface SendMailOptions {
  failSilently?: boolean;
  /** SMTP login for this call instead of EMAIL_HOST_USER. */
  authUser?: string | null;
  /** SMTP password for this call instead of EMAIL_HOST_PASSWORD. */
  authPassword?: string | null;
  /** Send through this backend instead of a new `getConnection()`. */
  connection?: EmailBackend | null;
}

function connectionFor(options: SendMailOptions): EmailBackend {
  if (options.connection) return options.connection;
  const credentials: Record<string, unknown> = {};
  if (options.authUser !== undefined && options.authUser !== null) credentials['username'] = options.authUser;
  if (options.authPassword !== undefined && options.authPassword !== null) credentials['password'] = options.authPassword;
  return getConnection(null, { failSilently: options.failSilently ?? false, ...credentials });
}

/**
 * Sends one message to `recipientList` (all of them see each other in To); `htmlMessage`
 * adds an HTML alternative. `fromEmail` null means DEFAULT_FROM_EMAIL. Resolves to the
 * number sent: 1, or 0 when it failed silently.
 *
 * ```ts
 * await sendMail('Your order', 'It ships tomorrow.', null, ['ada@example.com']);
 * ```
 */
export async function sendMail(
  subject: string,
  message: string,
  fromEmail: string | null,
  recipientList: readonly string[],
  options: SendMailOptions & { htmlMessage?: string | null } = {},
): Promise<number> {
  const connection = connectionFor(options);
  const email = new EmailMultiAlternatives({ subject, body: message, fromEmail, to: recipientList, connection });
  if (options.htmlMessage) email.attachAlternative(options.htmlMessage, 'text/html');
  return email.send();
}

/** One message of `sendMassMail()`: subject, body, sender (null: DEFAULT_FROM_EMAIL), recipients. */
export type MassMailMessage = readonly [subject: string, message: string, fromEmail: string | null, recipientList: readonly string[]];

/**
 * Sends each message to its own recipients over one connection (one SMTP login for the
 * whole batch); resolves to how many were sent.
 *
 * ```ts
 * await sendMassMail([
 *   ['Your order', 'It ships tomorrow.', null, ['ada@example.com']],
 *   ['Restock', 'Dune is back.', 'stock@example.com', ['buyer@example.com']],
 * ]);
 * ```
 */
export async function sendMassMail(messages: readonly MassMailMessage[], options: SendMailOptions = {}): Promise<number> {
  const connection = connectionFor(options);
  const emails = messages.map(([subject, body, fromEmail, to]) => new EmailMessage({ subject, body, fromEmail, to, connection }));
  return connection.sendMessages(emails);
}

/** Options of `mailAdmins()` and `mailManagers()`. */
export interface MailStaffOptions {
  failSilently?: boolean;
  connection?: EmailBackend | null;
  htmlMessage?: string | null;
}

/**
 * Mails the people in ADMINS, from SERVER_EMAIL, the subject prefixed with
 * EMAIL_SUBJECT_PREFIX. Does nothing when ADMINS is empty; resolves to the number sent.
 *
 * ```ts
 * // settings: ADMINS: [['Ada', 'ada@example.com']], SERVER_EMAIL: 'errors@example.com'
 * await mailAdmins('Nightly import failed', 'Line 12: ISBN missing.');
 * ```
 * @throws ImproperlyConfigured when an ADMINS entry is not `[name, email]` or an address.
 */
export async function mailAdmins(subject: string, message: string, options: MailStaffOptions = {}): Promise<number> {
  return mailStaff('ADMINS', subject, message, options);
}

/** As `mailAdmins()`, for the people in MANAGERS (Django sends them broken-link reports). */
export async function mailManagers(subject: string, message: string, options: MailStaffOptions = {}): Promise<number> {
  return mailStaff('MANAGERS', subject, message, options);
}

async function mailStaff(setting: 'ADMINS' | 'MANAGERS', subject: string, message: string, options: MailStaffOptions): Promise<number> {
  const recipients = staffAddresses(setting);
  if (recipients.length === 0) return 0;
  const email = new EmailMultiAlternatives({
    subject: `${settingOr('EMAIL_SUBJECT_PREFIX', '[Nuages] ')}${subject}`,
    body: message,
    fromEmail: settingOr('SERVER_EMAIL', 'root@localhost'),
    to: recipients,
    connection: options.connection ?? null,
  });
  if (options.htmlMessage) email.attachAlternative(options.htmlMessage, 'text/html');
  return email.send({ failSilently: options.failSilently ?? false });
}

/**
 * The addresses of ADMINS or MANAGERS: Django 5.2's `[name, email]` pairs, or plain
 * addresses (the form Django 6 moves to).
 */
export function staffAddresses(setting: 'ADMINS' | 'MANAGERS'): string[] {
  const entries = settingOr<unknown>(setting, []);
  if (!Array.isArray(entries)) throw new ImproperlyConfigured(`The ${setting} setting must be a list of [name, email] pairs, e.g. [['Ada', 'ada@example.com']].`);
  return entries.map((entry) => {
    if (typeof entry === 'string') return entry;
    if (Array.isArray(entry) && entry.length === 2 && typeof entry[1] === 'string') return entry[1];
    throw new ImproperlyConfigured(`The ${setting} setting must be a list of [name, email] pairs, e.g. [['Ada', 'ada@example.com']]; got ${JSON.stringify(entry)}.`);
  });
}
