/**
 * Sends through an SMTP server with nodemailer's SMTP transport (Django's smtp backend):
 * EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER/EMAIL_HOST_PASSWORD (login when both are set),
 * EMAIL_USE_TLS (STARTTLS, required) or EMAIL_USE_SSL (TLS from the first byte),
 * EMAIL_TIMEOUT (seconds), EMAIL_SSL_CERTFILE/EMAIL_SSL_KEYFILE (a client certificate).
 *
 * One `open()` … `close()` is one SMTP connection, whatever the number of messages: the
 * transport is nodemailer's pool held to a single connection. `sendMessages()` opens and
 * closes one itself when none is open, so `sendMassMail()` sends a whole batch over one.
 * nodemailer is imported on first use, so projects that never send by SMTP never load it.
 */
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import type { Transporter } from 'nodemailer';
import { settingOr } from '../../../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../../errors.ts';
import type { EmailMessage } from '../message.ts';
import { EmailBackend, type EmailBackendOptions } from './base.ts';

/** Options of the SMTP backend; each defaults to the EMAIL_* setting of the same meaning. */
export interface SmtpEmailBackendOptions extends EmailBackendOptions {
  host?: string;
  port?: number;
  username?: string | null;
  password?: string | null;
  useTls?: boolean;
  useSsl?: boolean;
  /** Seconds to wait for the server before giving up; null waits as long as the OS does. */
  timeout?: number | null;
  sslCertfile?: string | null;
  sslKeyfile?: string | null;
  /**
   * More options for Node's TLS client, e.g. `{ ca }` to trust a private certificate
   * authority. Certificates are verified unless you say otherwise here.
   */
  tlsOptions?: ConnectionOptions;
}

export class SmtpEmailBackend extends EmailBackend {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly useTls: boolean;
  readonly useSsl: boolean;
  readonly timeout: number | null;
  readonly sslCertfile: string | null;
  readonly sslKeyfile: string | null;
  readonly tlsOptions: ConnectionOptions;
  #transport: Transporter | undefined;

  /** @throws ImproperlyConfigured when both TLS and SSL are asked for. */
  constructor(options: SmtpEmailBackendOptions = {}) {
    super(options);
    this.host = options.host || settingOr('EMAIL_HOST', 'localhost');
    this.port = options.port || settingOr('EMAIL_PORT', 25);
    this.username = options.username ?? settingOr('EMAIL_HOST_USER', '');
    this.password = options.password ?? settingOr('EMAIL_HOST_PASSWORD', '');
    this.useTls = options.useTls ?? settingOr('EMAIL_USE_TLS', false);
    this.useSsl = options.useSsl ?? settingOr('EMAIL_USE_SSL', false);
    this.timeout = options.timeout === undefined ? settingOr<number | null>('EMAIL_TIMEOUT', null) : options.timeout;
    this.sslCertfile = options.sslCertfile ?? settingOr<string | null>('EMAIL_SSL_CERTFILE', null);
    this.sslKeyfile = options.sslKeyfile ?? settingOr<string | null>('EMAIL_SSL_KEYFILE', null);
    this.tlsOptions = options.tlsOptions ?? {};
    if (this.useTls && this.useSsl) {
      throw new ImproperlyConfigured(
        'EMAIL_USE_TLS/EMAIL_USE_SSL are mutually exclusive, so only set one of those settings to true: ' +
          'EMAIL_USE_TLS for STARTTLS (usually port 587), EMAIL_USE_SSL for TLS from the start (usually port 465).',
      );
    }
  }

  /** Makes the transport; the server is contacted by the first message. Resolves to false when one was open. */
  override async open(): Promise<boolean> {
    if (this.#transport !== undefined) return false;
    try {
      const { createTransport } = await import('nodemailer');
      const tls: ConnectionOptions = { ...this.tlsOptions };
      if (this.sslCertfile) tls.cert = await readFile(this.sslCertfile);
      if (this.sslKeyfile) tls.key = await readFile(this.sslKeyfile);
      const timeout = this.timeout === null ? {} : { connectionTimeout: this.timeout * 1000, greetingTimeout: this.timeout * 1000, socketTimeout: this.timeout * 1000 };
      this.#transport = createTransport({
        pool: true,
        maxConnections: 1,
        maxMessages: Infinity,
        host: this.host,
        port: this.port,
        secure: this.useSsl,
        requireTLS: this.useTls,
        // As Django: STARTTLS only when EMAIL_USE_TLS asks for it, never opportunistically.
        ignoreTLS: !this.useTls && !this.useSsl,
        ...(this.username && this.password ? { auth: { user: this.username, pass: this.password } } : {}),
        ...timeout,
        tls,
      });
      return true;
    } catch (error) {
      if (!this.failSilently) throw error;
      return false;
    }
  }

  override async close(): Promise<void> {
    const transport = this.#transport;
    this.#transport = undefined;
    transport?.close();
  }

  /**
   * Sends each message over one connection; resolves to how many the server accepted.
   * A message is refused as a whole when the server refuses every one of its recipients
   * (some refused: it goes to the others, as with Django's smtplib).
   */
  async sendMessages(messages: readonly EmailMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    const opened = await this.open();
    if (this.#transport === undefined) return 0; // failed silently on open
    let sent = 0;
    try {
      for (const message of messages) {
        if (message.recipients().length === 0) continue;
        const mime = message.message();
        try {
          await this.#transport.sendMail({ envelope: { from: mime.envelope.from, to: [...mime.envelope.to] }, raw: await mime.asBytes({ linesep: '\r\n' }) });
          sent += 1;
        } catch (error) {
          if (!this.failSilently) throw error;
        }
      }
    } finally {
      if (opened) await this.close();
    }
    return sent;
  }
}
