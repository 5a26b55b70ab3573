/**
 * `nuages/core/mail`: sending email through the backend EMAIL_BACKEND names.
 *
 * ```ts
 * await sendMail('Your order', 'It ships tomorrow.', null, ['ada@example.com']);
 * ```
 * Backends: 'console' (the default: prints the message) and 'locmem' (keeps it in
 * `outbox`, for tests), or Django's dotted names of those, or an EmailBackend subclass.
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../errors.ts';
import { EmailBackend } from './backends/base.ts';
import { ConsoleEmailBackend } from './backends/console.ts';
import { LocmemEmailBackend } from './backends/locmem.ts';
import { EmailMessage } from './message.ts';

export { EmailBackend } from './backends/base.ts';
export { ConsoleEmailBackend } from './backends/console.ts';
export { LocmemEmailBackend, outbox } from './backends/locmem.ts';
export { BadHeaderError, EmailMessage, type EmailMessageInit } from './message.ts';

const BACKENDS: Readonly<Record<string, new () => EmailBackend>> = {
  console: ConsoleEmailBackend,
  locmem: LocmemEmailBackend,
  'django.core.mail.backends.console.EmailBackend': ConsoleEmailBackend,
  'django.core.mail.backends.locmem.EmailBackend': LocmemEmailBackend,
};

/** The backend EMAIL_BACKEND names (or `backend`). */
export function getConnection(backend: string | (new () => EmailBackend) = settingOr('EMAIL_BACKEND', 'console')): EmailBackend {
  if (typeof backend === 'function') return new backend();
  const Backend = BACKENDS[backend];
  if (Backend === undefined) {
    throw new ImproperlyConfigured(
      `EMAIL_BACKEND '${backend}' is not a known email backend. Use one of: ${Object.keys(BACKENDS).join(', ')}, or an EmailBackend subclass.`,
    );
  }
  return new Backend();
}

/** Sends one message to `recipientList`; `htmlMessage` adds an HTML alternative. Resolves to the count sent. */
export async function sendMail(
  subject: string,
  message: string,
  fromEmail: string | null,
  recipientList: readonly string[],
  options: { htmlMessage?: string | null; connection?: EmailBackend } = {},
): Promise<number> {
  const email = new EmailMessage({ subject, body: message, from: fromEmail, to: recipientList });
  if (options.htmlMessage) email.attachAlternative(options.htmlMessage, 'text/html');
  return (options.connection ?? getConnection()).sendMessages([email]);
}
