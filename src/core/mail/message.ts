/** An email to send (Django's EmailMessage): subject, body, sender, recipients, an HTML alternative. */
import { settingOr } from '../../conf/lazy-settings.ts';
import { NuagesError } from '../errors.ts';

/**
 * A header value held a line break (Django's BadHeaderError): sent as is, it would let
 * whoever typed it add headers or recipients of their own (header injection).
 */
export class BadHeaderError extends NuagesError {
  readonly code: string = 'NUAGES_MAIL_BAD_HEADER';

  constructor(name: string, value: string) {
    super(`Header values can't contain newlines (got ${JSON.stringify(value)} for header '${name}'); remove the line breaks, e.g. value.replace(/[\\r\\n]+/g, ' ').`);
  }
}

/** What an EmailMessage is made from. */
export interface EmailMessageInit {
  subject?: string;
  body?: string;
  /** Default DEFAULT_FROM_EMAIL. */
  from?: string | null;
  to?: readonly string[];
  cc?: readonly string[];
  bcc?: readonly string[];
  replyTo?: readonly string[];
  headers?: Readonly<Record<string, string>>;
}

export class EmailMessage {
  subject: string;
  body: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  headers: Record<string, string>;
  /** Other renderings of the body, e.g. `[html, 'text/html']` (Django's EmailMultiAlternatives). */
  alternatives: Array<[content: string, mimetype: string]> = [];

  constructor(init: EmailMessageInit = {}) {
    this.subject = init.subject ?? '';
    this.body = init.body ?? '';
    this.from = init.from ?? settingOr('DEFAULT_FROM_EMAIL', 'webmaster@localhost');
    this.to = [...(init.to ?? [])];
    this.cc = [...(init.cc ?? [])];
    this.bcc = [...(init.bcc ?? [])];
    this.replyTo = [...(init.replyTo ?? [])];
    this.headers = { ...(init.headers ?? {}) };
  }

  /** Adds an alternative rendering of the body (an HTML version). */
  attachAlternative(content: string, mimetype: string): void {
    this.alternatives.push([content, mimetype]);
  }

  /** Everyone the message goes to: to, cc and bcc. */
  recipients(): string[] {
    return [...this.to, ...this.cc, ...this.bcc].filter((address) => address !== '');
  }

  /** The headers, in order: Subject, From, To, Cc, Reply-To, then the extra ones. */
  headerLines(): Array<[name: string, value: string]> {
    const lines: Array<[string, string]> = [['Subject', this.subject], ['From', this.from], ['To', this.to.join(', ')]];
    if (this.cc.length > 0) lines.push(['Cc', this.cc.join(', ')]);
    if (this.replyTo.length > 0) lines.push(['Reply-To', this.replyTo.join(', ')]);
    lines.push(...Object.entries(this.headers));
    return lines;
  }

  /**
   * The message as text, as the console backend prints it; every backend renders it before
   * sending, so a bad header fails the same way in tests as in production.
   *
   * @throws BadHeaderError when a header value contains a line break.
   */
  toText(): string {
    const lines: string[] = [];
    for (const [name, value] of this.headerLines()) {
      if (/[\r\n]/.test(value)) throw new BadHeaderError(name, value);
      lines.push(`${name}: ${value}`);
    }
    lines.push('', this.body);
    for (const [content, mimetype] of this.alternatives) lines.push('', `[alternative: ${mimetype}]`, content);
    return lines.join('\n');
  }
}
