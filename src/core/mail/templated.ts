/**
 * Email rendered from templates: the subject, the text body and (optionally) an HTML
 * alternative, from one context, with the project's template engines.
 */
import { renderToString } from '../../template/engines.ts';
import type { EmailMessageInit } from './message.ts';
import { EmailMultiAlternatives } from './message.ts';

/** What `renderTemplatedEmail()` and `sendTemplatedMail()` take. */
export interface TemplatedEmailOptions extends Omit<EmailMessageInit, 'subject' | 'body'> {
  /** Rendered, then its line breaks removed: a subject is one line (as Django's password reset does). */
  subjectTemplate: string | readonly string[];
  /** The text body. */
  textTemplate: string | readonly string[];
  /** Attached as the `text/html` alternative when given. */
  htmlTemplate?: string | readonly string[] | null;
  context?: Record<string, unknown>;
  /** Renders with the context processors, as `render()` in a view does. */
  request?: unknown;
}

/**
 * The message the templates render, not sent yet (add attachments, then `send()`).
 *
 * ```ts
 * const email = await renderTemplatedEmail({
 *   subjectTemplate: 'orders/shipped_subject.txt',
 *   textTemplate: 'orders/shipped.txt',
 *   htmlTemplate: 'orders/shipped.html',
 *   context: { order },
 *   to: [order.email],
 * });
 * email.attach('invoice.pdf', pdf);
 * await email.send();
 * ```
 * @throws TemplateDoesNotExist when a template is missing.
 */
export async function renderTemplatedEmail(options: TemplatedEmailOptions): Promise<EmailMultiAlternatives> {
  const { subjectTemplate, textTemplate, htmlTemplate, context = {}, request, ...init } = options;
  const [subject, body, html] = await Promise.all([
    renderToString(subjectTemplate, context, request),
    renderToString(textTemplate, context, request),
    htmlTemplate ? renderToString(htmlTemplate, context, request) : undefined,
  ]);
  // A template's trailing newline would otherwise be a header injection refused at send time.
  const email = new EmailMultiAlternatives({ ...init, subject: subject.split(/\r\n|\r|\n/).join(''), body });
  if (html !== undefined) email.attachAlternative(html, 'text/html');
  return email;
}

/**
 * Renders the subject, text and HTML templates with `context` and sends the message;
 * resolves to the number sent (1, or 0 when failing silently).
 *
 * ```ts
 * await sendTemplatedMail({
 *   subjectTemplate: 'orders/shipped_subject.txt',
 *   textTemplate: 'orders/shipped.txt',
 *   htmlTemplate: 'orders/shipped.html',
 *   context: { order },
 *   to: [order.email],
 * });
 * ```
 */
export async function sendTemplatedMail(options: TemplatedEmailOptions & { failSilently?: boolean }): Promise<number> {
  const { failSilently = false, ...rest } = options;
  return (await renderTemplatedEmail(rest)).send({ failSilently });
}
