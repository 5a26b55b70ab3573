/**
 * Mails ADMINS about server errors (Django's AdminEmailHandler). It is a RequestLogger:
 * the handler hands it every 5xx response and security error, and it mails a report —
 * the error, its stack, the request, the settings, secrets masked as on the debug page.
 *
 * By default (Django's DEFAULT_LOGGING) Nuages's request logger writes to the console and
 * feeds `adminEmailHandler` below, which mails only when DEBUG is false and ADMINS is set.
 *
 * Bound: at most `maxEmails` mails (default 10) per `period` seconds (default 60) per
 * process. Errors past the bound are counted, not mailed, and the next mail says how many
 * were left out, so an error storm costs ten mails a minute, not one per request.
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import type { HttpRequest } from '../../http/request.ts';
import { technical500Html, technical500Text } from '../handlers/debug.ts';
import type { RequestLogger } from '../handlers/exception.ts';
import { getConnection, type EmailBackendClass } from './connection.ts';
import { mailAdmins, staffAddresses } from './send.ts';

/** Options of `AdminEmailHandler` (Django's include_html and email_backend, plus the bound). */
export interface AdminEmailHandlerOptions {
  /** Attach the HTML debug page as an alternative (off by default, as in Django: it is large and shows more). */
  includeHtml?: boolean;
  /** The backend to mail through; default EMAIL_BACKEND. */
  emailBackend?: string | EmailBackendClass | null;
  /** Mails sent at most per `period` (default 10). */
  maxEmails?: number;
  /** The window of the bound, in seconds (default 60). */
  period?: number;
  /** A logger to pass every record on to, e.g. `consoleRequestLogger`. */
  next?: RequestLogger | null;
  /** The time in milliseconds; tests pass their own clock. */
  clock?: () => number;
}

/** What a record carries: the request and the error when there is one. */
export interface AdminEmailRecord {
  request?: HttpRequest;
  error?: unknown;
  /** Django's level name, first in the subject (default 'ERROR'). */
  level?: string;
}

/**
 * Mails ADMINS about each error it is given, within its bound; nothing while DEBUG is
 * true or ADMINS is empty. Mails go out in the background (a 500 page does not wait for
 * an SMTP server); `flush()` waits for them.
 *
 * ```ts
 * import { consoleRequestLogger, setRequestLogger } from 'nuages/core/handlers';
 * setRequestLogger(new AdminEmailHandler({ includeHtml: true, maxEmails: 5, next: consoleRequestLogger }));
 * ```
 */
export class AdminEmailHandler implements RequestLogger {
  readonly includeHtml: boolean;
  readonly emailBackend: string | EmailBackendClass | null;
  readonly maxEmails: number;
  readonly period: number;
  readonly #next: RequestLogger | null;
  readonly #clock: () => number;
  #windowStart = -Infinity;
  #sentInWindow = 0;
  #suppressed = 0;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: AdminEmailHandlerOptions = {}) {
    this.includeHtml = options.includeHtml ?? false;
    this.emailBackend = options.emailBackend ?? null;
    this.maxEmails = options.maxEmails ?? 10;
    this.period = options.period ?? 60;
    this.#next = options.next ?? null;
    this.#clock = options.clock ?? Date.now;
  }

  warn(message: string, details: { request: HttpRequest; status: number }): void {
    this.#next?.warn(message, details);
  }

  error(message: string, details: { request: HttpRequest; status: number; error: unknown }): void {
    this.#next?.error(message, details);
    this.emit(message, { request: details.request, error: details.error });
  }

  /** Mails a report of `message` (in the background) unless DEBUG, no ADMINS, or the bound says no. */
  emit(message: string, record: AdminEmailRecord = {}): void {
    if (settingOr('DEBUG', false) || staffAddresses('ADMINS').length === 0) return;
    const leftOut = this.#admit();
    if (leftOut === null) return;
    const sending = this.#report(message, record, leftOut).catch((problem: unknown) => {
      // The report of an error must never become an unhandled one.
      console.error('AdminEmailHandler could not mail ADMINS:', problem);
    });
    this.#pending.add(sending);
    void sending.finally(() => this.#pending.delete(sending));
  }

  /** Resolves when every mail started so far has been sent (or has failed). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Sends the report; override to send it elsewhere (Django's send_mail hook). */
  protected async sendMail(subject: string, message: string, htmlMessage: string | null): Promise<void> {
    await mailAdmins(subject, message, {
      failSilently: true,
      htmlMessage,
      connection: getConnection(this.emailBackend, { failSilently: true }),
    });
  }

  // Null when the bound is reached (the error is counted); otherwise how many were left out before it.
  #admit(): number | null {
    const now = this.#clock();
    if (now - this.#windowStart >= this.period * 1000) {
      this.#windowStart = now;
      this.#sentInWindow = 0;
    }
    if (this.#sentInWindow >= this.maxEmails) {
      this.#suppressed += 1;
      return null;
    }
    this.#sentInWindow += 1;
    const leftOut = this.#suppressed;
    this.#suppressed = 0;
    return leftOut;
  }

  async #report(message: string, { request, error, level = 'ERROR' }: AdminEmailRecord, leftOut: number): Promise<void> {
    const internalIps = settingOr<readonly string[]>('INTERNAL_IPS', []);
    const subject = request
      ? `${level} (${internalIps.includes(String(request.META['REMOTE_ADDR'] ?? '')) ? 'internal' : 'EXTERNAL'} IP): ${message}`
      : `${level}: ${message}`;
    const note = leftOut > 0
      ? `\n\n(${leftOut} more error${leftOut === 1 ? ' was' : 's were'} not mailed before this one: at most ${this.maxEmails} mails every ${this.period} s.)`
      : '';
    const text = `${message}${note}\n\n${await technical500Text(request, error ?? message, { forEmail: true })}`;
    const html = this.includeHtml ? await technical500Html(request, error ?? message, { forEmail: true }) : null;
    // As Django: line breaks in the subject are shown escaped, never sent.
    await this.sendMail(subject.replace(/\n/g, '\\n').replace(/\r/g, '\\r'), text, html);
  }
}

/** The handler Nuages's default request logger feeds (see `setRequestLogger()` to replace it). */
export const adminEmailHandler = new AdminEmailHandler();
