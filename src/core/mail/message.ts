/**
 * An email to send (Django's EmailMessage and EmailMultiAlternatives): subject, body,
 * sender, recipients, extra headers, attachments and alternative renderings.
 *
 * EmailMessage (plain data) → `message()` checks the headers and composes the MIME tree
 * (mime.ts, nodemailer's MailComposer) → a backend sends its bytes to `recipients()`.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { lookup as lookupMimeType } from 'mime-types';
import { settingOr } from '../../conf/lazy-settings.ts';
import type { EmailBackend } from './backends/base.ts';
import { getConnection } from './connection.ts';
import { composeMime, type MimeMessage } from './mime.ts';

/** The type given to an attachment whose type cannot be guessed from its name (Django's). */
export const DEFAULT_ATTACHMENT_MIME_TYPE = 'application/octet-stream';

/** A file attached to a message (Django's EmailAttachment, plus an optional Content-ID). */
export interface EmailAttachment {
  readonly filename: string | null;
  readonly content: string | Uint8Array;
  readonly mimetype: string;
  /**
   * Shows the attachment inline: an image with a `cid` is placed beside the HTML
   * alternative (multipart/related) and the HTML shows it with `<img src="cid:logo">`.
   */
  readonly cid?: string;
}

/** What `attach()` takes as one object: the filename and type are optional. */
export interface EmailAttachmentInit {
  readonly filename?: string | null;
  readonly content: string | Uint8Array;
  readonly mimetype?: string | null;
  readonly cid?: string;
}

/** Another rendering of the body (Django's EmailAlternative), e.g. its HTML version. */
export interface EmailAlternative {
  readonly content: string;
  readonly mimetype: string;
}

/** What an EmailMessage is made from (Django's constructor arguments, camelCased). */
export interface EmailMessageInit {
  subject?: string;
  body?: string;
  /** `'shop@example.com'` or `'Shop <shop@example.com>'`; default DEFAULT_FROM_EMAIL. */
  fromEmail?: string | null;
  to?: readonly string[];
  cc?: readonly string[];
  /** Receive the message without appearing in any header. */
  bcc?: readonly string[];
  replyTo?: readonly string[];
  /** Extra headers; `From`, `To`, `Cc`, `Reply-To`, `Date` and `Message-ID` given here replace the computed ones. */
  headers?: Readonly<Record<string, string>>;
  attachments?: ReadonlyArray<EmailAttachmentInit | readonly [filename: string | null, content: string | Uint8Array, mimetype?: string | null]>;
  /** The backend `send()` uses; default a new `getConnection()`. */
  connection?: EmailBackend | null;
}

/**
 * One email: a text body to `to`, `cc` and `bcc`, with optional attachments.
 *
 * ```ts
 * const email = new EmailMessage({
 *   subject: 'Your invoice', body: 'Attached.', to: ['ada@example.com'],
 *   replyTo: ['billing@example.com'], headers: { 'X-Order': '1042' },
 * });
 * await email.attachFile('invoices/1042.pdf');
 * await email.send(); // 1
 * ```
 */
export class EmailMessage {
  subject: string;
  body: string;
  fromEmail: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  /** The `headers` given to the constructor (Django's `extra_headers`). */
  extraHeaders: Record<string, string>;
  attachments: EmailAttachment[] = [];
  connection: EmailBackend | null;
  /** The body's MIME subtype: set `'html'` to send an HTML-only message (Django's content_subtype). */
  contentSubtype = 'plain';

  constructor(init: EmailMessageInit = {}) {
    this.subject = init.subject ?? '';
    this.body = init.body ?? '';
    this.fromEmail = init.fromEmail || settingOr('DEFAULT_FROM_EMAIL', 'webmaster@localhost');
    this.to = addressList('to', init.to);
    this.cc = addressList('cc', init.cc);
    this.bcc = addressList('bcc', init.bcc);
    this.replyTo = addressList('replyTo', init.replyTo);
    this.extraHeaders = { ...(init.headers ?? {}) };
    this.connection = init.connection ?? null;
    for (const attachment of init.attachments ?? []) {
      if (Array.isArray(attachment)) this.attach(attachment[0], attachment[1], attachment[2]);
      else this.attach(attachment as EmailAttachmentInit);
    }
  }

  /** Everyone the message goes to: to, cc and bcc (empty entries left out). */
  recipients(): string[] {
    return [...this.to, ...this.cc, ...this.bcc].filter((address) => address !== '');
  }

  /**
   * The MIME message, composed by nodemailer's MailComposer: Date and Message-ID are
   * added unless `headers` sets them; Bcc never appears. Every backend calls it, so a bad
   * header fails the same way with locmem in tests as with SMTP in production.
   *
   * ```ts
   * const text = await email.message().asString();
   * ```
   * @throws BadHeaderError when the subject, an address or an extra header holds a line break.
   * @throws InvalidAddressError when an address cannot be parsed.
   */
  message(): MimeMessage {
    return composeMime(this);
  }

  /**
   * Sends the message through `connection` (or a new `getConnection()`); resolves to 1
   * when it was sent, 0 when it has no recipients or failed silently.
   */
  async send(options: { failSilently?: boolean } = {}): Promise<number> {
    // As Django: no recipients, no connection opened.
    if (this.recipients().length === 0) return 0;
    this.connection ??= getConnection(null, { failSilently: options.failSilently ?? false });
    return this.connection.sendMessages([this]);
  }

  /**
   * Attaches a file made in memory. The type is guessed from the filename when not given
   * (`application/octet-stream` when it cannot be); text given as bytes is decoded as
   * UTF-8, or attached as `application/octet-stream` when it is not UTF-8 (as Django).
   *
   * ```ts
   * email.attach('orders.csv', csvText);                      // text/csv
   * email.attach({ filename: 'logo.png', content: png, cid: 'logo' }); // inline: <img src="cid:logo">
   * ```
   */
  attach(filename: string | null, content: string | Uint8Array, mimetype?: string | null): void;
  attach(attachment: EmailAttachmentInit): void;
  attach(
    first: string | null | EmailAttachmentInit,
    content?: string | Uint8Array,
    mimetype?: string | null,
  ): void {
    const init: EmailAttachmentInit = first !== null && typeof first === 'object' ? first : { filename: first, content: content!, mimetype };
    if (init.content === undefined || init.content === null) {
      throw new TypeError(`attach() needs the content of ${JSON.stringify(init.filename ?? '(unnamed)')}: a string or bytes.`);
    }
    const filename = init.filename ?? null;
    let type = init.mimetype || (filename ? lookupMimeType(filename) : false) || DEFAULT_ATTACHMENT_MIME_TYPE;
    let data = init.content;
    if (type.startsWith('text/') && typeof data !== 'string') {
      try {
        data = new TextDecoder('utf-8', { fatal: true }).decode(data);
      } catch {
        type = DEFAULT_ATTACHMENT_MIME_TYPE; // "text" that is really binary
      }
    }
    this.attachments.push({ filename, content: data, mimetype: type, ...(init.cid === undefined ? {} : { cid: init.cid }) });
  }

  /**
   * Attaches the file at `path` under its base name, its type guessed from the name
   * unless given. `cid` shows it inline (see `attach()`).
   */
  async attachFile(path: string, options: { mimetype?: string | null; cid?: string } | string = {}): Promise<void> {
    const { mimetype = null, cid } = typeof options === 'string' ? { mimetype: options } : options;
    const content = await readFile(path);
    this.attach({ filename: basename(path), content: new Uint8Array(content.buffer, content.byteOffset, content.byteLength), mimetype, ...(cid === undefined ? {} : { cid }) });
  }
}

/**
 * A message with alternative renderings of its body, typically text and HTML
 * (Django's EmailMultiAlternatives).
 *
 * ```ts
 * const email = new EmailMultiAlternatives({ subject: 'Hi', body: 'Hello, Ada.', to: ['ada@example.com'] });
 * email.attachAlternative('<p>Hello, <b>Ada</b>.</p>', 'text/html');
 * await email.send();
 * ```
 */
export class EmailMultiAlternatives extends EmailMessage {
  alternatives: EmailAlternative[];

  constructor(init: EmailMessageInit & { alternatives?: ReadonlyArray<EmailAlternative | readonly [content: string, mimetype: string]> } = {}) {
    super(init);
    this.alternatives = (init.alternatives ?? []).map((alternative) =>
      Array.isArray(alternative) ? { content: alternative[0], mimetype: alternative[1] } : { ...(alternative as EmailAlternative) },
    );
  }

  /** Adds another rendering of the body, e.g. `attachAlternative(html, 'text/html')`. */
  attachAlternative(content: string, mimetype: string): void {
    if (content === undefined || content === null || !mimetype) {
      throw new TypeError("attachAlternative() needs both the content and its type, e.g. attachAlternative(html, 'text/html').");
    }
    this.alternatives.push({ content, mimetype });
  }

  /** Whether `text` is in the body and in every text alternative (Django's body_contains, for tests). */
  bodyContains(text: string): boolean {
    if (!this.body.includes(text)) return false;
    return this.alternatives.every(({ content, mimetype }) => !mimetype.startsWith('text/') || content.includes(text));
  }
}

function addressList(name: string, value: readonly string[] | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    throw new TypeError(`"${name}" must be a list of addresses, e.g. ${name}: [${JSON.stringify(value)}], not a string.`);
  }
  return [...value];
}
