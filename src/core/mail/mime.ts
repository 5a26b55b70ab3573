/**
 * EmailMessage → MIME, through nodemailer's MailComposer (a library the Node world trusts
 * for encoding: RFC 2047 words for non-ASCII subjects and names, RFC 2231 filenames,
 * punycode domains, quoted-printable or base64 bodies, line folding).
 *
 * Nuages decides what Django decides: which headers exist and which win, the tree
 * (body, then alternatives, then attachments), the envelope (Bcc only there), and it
 * refuses line breaks in headers before anything is composed.
 */
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer, { type MailComposerAlternative, type MailComposerAttachment } from 'nodemailer/lib/mail-composer';
import type MimeNode from 'nodemailer/lib/mime-node';
import { settingOr } from '../../conf/lazy-settings.ts';
import { BadHeaderError, InvalidAddressError } from './errors.ts';
import type { EmailAlternative, EmailMessage } from './message.ts';

/** The SMTP envelope: who the server is told the message is from and to (Bcc included). */
export interface Envelope {
  readonly from: string;
  readonly to: readonly string[];
}

/** A composed message: the MIME tree and its envelope (what Django's `message()` returns). */
export class MimeMessage {
  /** nodemailer's root MimeNode, for what this class does not cover. */
  readonly node: MimeNode;
  readonly envelope: Envelope;

  constructor(node: MimeNode, envelope: Envelope) {
    this.node = node;
    this.envelope = envelope;
  }

  /**
   * The message as bytes. Lines end with `\n` as Django's `as_bytes()` does by default;
   * pass `{ linesep: '\r\n' }` for the wire format SMTP sends.
   */
  async asBytes(options: { linesep?: '\n' | '\r\n' } = {}): Promise<Buffer> {
    const wire = await this.node.build();
    if (options.linesep === '\r\n') return wire;
    // Bodies are 7bit, quoted-printable or base64, so every CRLF in the output is a line end.
    return Buffer.from(wire.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
  }

  /** The message as text (see `asBytes()`); what the console backend prints. */
  async asString(options: { linesep?: '\n' | '\r\n' } = {}): Promise<string> {
    return (await this.asBytes(options)).toString('utf8');
  }
}

// Django sets these from the message's own fields; given in `headers`, they replace them.
const COMPUTED = new Set(['from', 'to', 'cc', 'reply-to']);

/** The MIME message for `email`; throws before composing anything when a header is unsafe. */
export function composeMime(email: EmailMessage): MimeMessage {
  const extra = new Map(Object.entries(email.extraHeaders).map(([name, value]) => [name.toLowerCase(), value]));
  refuseLineBreaks('Subject', email.subject);
  for (const [name, value] of Object.entries(email.extraHeaders)) {
    if (/[\r\n:]/.test(name)) throw new BadHeaderError('(header name)', name);
    refuseLineBreaks(name, value);
  }
  const fields: Array<[string, readonly string[]]> = [['From', [email.fromEmail]], ['To', email.to], ['Cc', email.cc], ['Bcc', email.bcc], ['Reply-To', email.replyTo]];
  for (const [name, addresses] of fields) for (const address of addresses) refuseLineBreaks(name, address);
  const envelope: Envelope = {
    from: envelopeAddress('fromEmail', email.fromEmail),
    to: email.recipients().map((address) => envelopeAddress('recipients', address)),
  };

  const headerList = (name: string, values: readonly string[]) => extra.get(name) ?? (values.length > 0 ? values.join(', ') : undefined);
  const composer = new MailComposer({
    from: extra.get('from') ?? email.fromEmail,
    to: headerList('to', email.to),
    cc: headerList('cc', email.cc),
    replyTo: headerList('reply-to', email.replyTo),
    subject: email.subject,
    date: extra.has('date') ? undefined : emailDate(new Date(), settingOr('EMAIL_USE_LOCALTIME', false)),
    headers: Object.fromEntries(Object.entries(email.extraHeaders).filter(([name]) => !COMPUTED.has(name.toLowerCase()))),
    alternatives: parts(email),
    attachments: email.attachments.map(
      (attachment): MailComposerAttachment => ({
        filename: attachment.filename ?? false,
        content: typeof attachment.content === 'string' ? attachment.content : Buffer.from(attachment.content),
        contentType: withCharset(attachment.mimetype),
        // Text stays readable (7bit or quoted-printable, as Django's 7bit/8bit); the rest is base64.
        ...(attachment.mimetype.startsWith('text/') ? { contentTransferEncoding: false } : {}),
        ...(attachment.cid === undefined ? {} : { cid: attachment.cid }),
      }),
    ),
    // Content is always given inline; never let a value be read as a path or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return new MimeMessage(composer.compile(), envelope);
}

/** The body, then each alternative, in Django's order (an empty body is left out beside other parts). */
function parts(email: EmailMessage): MailComposerAlternative[] {
  const alternatives: readonly EmailAlternative[] = 'alternatives' in email ? (email.alternatives as EmailAlternative[]) : [];
  const list: MailComposerAlternative[] = [];
  if (email.body !== '' || (alternatives.length === 0 && email.attachments.length === 0)) {
    list.push({ content: email.body, contentType: withCharset(`text/${email.contentSubtype}`) });
  }
  for (const { content, mimetype } of alternatives) list.push({ content, contentType: withCharset(mimetype) });
  return list;
}

// Django labels every text part utf-8; nodemailer would only when the text is not ASCII.
function withCharset(mimetype: string): string {
  return mimetype.startsWith('text/') && !/;\s*charset=/i.test(mimetype) ? `${mimetype}; charset=utf-8` : mimetype;
}

function refuseLineBreaks(name: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new BadHeaderError(name, value);
}

/** The bare address of `value` for the envelope, its domain in punycode (as Django's sanitize_address). */
function envelopeAddress(field: string, value: string): string {
  const parsed = addressparser(value);
  const only = parsed.length === 1 ? parsed[0] : undefined;
  const address = only?.address;
  const at = address ? address.lastIndexOf('@') : -1;
  if (!address || at <= 0 || at === address.length - 1) throw new InvalidAddressError(field, value);
  const domain = domainToASCII(address.slice(at + 1));
  if (domain === '') throw new InvalidAddressError(field, value);
  return `${address.slice(0, at)}@${domain}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The Date header as Python's `formatdate()` writes it: UTC with the `-0000` zone by
 * default, the machine's local time and offset when EMAIL_USE_LOCALTIME is true.
 */
export function emailDate(date: Date, localtime: boolean): string {
  const offset = localtime ? -date.getTimezoneOffset() : 0;
  const shifted = new Date(date.getTime() + offset * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const zone = localtime ? `${offset >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}` : '-0000';
  return (
    `${DAYS[shifted.getUTCDay()]}, ${pad(shifted.getUTCDate())} ${MONTHS[shifted.getUTCMonth()]} ${shifted.getUTCFullYear()} ` +
    `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())} ${zone}`
  );
}
