// Reads a MIME message the way the Django oracle describes one (mail_oracle.py): the tree's
// shape, the headers decoded (addresses as [name, address]), and every leaf part decoded.
// Filenames come from mailparser, an independent reader; the rest is small enough to do here.
import { simpleParser } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';

export interface Leaf {
  contentType: string;
  charset: string | null;
  disposition: string | null;
  filename: string | null;
  text?: string;
  base64?: string;
}

export interface ReadMessage {
  shape: string;
  /** Raw header values, unfolded, by lower-case name (the first of each). */
  raw: Map<string, string>;
  leaves: Leaf[];
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

function splitPart(text: string): Part {
  const end = text.indexOf('\n\n');
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !headers.has(line.slice(0, colon).toLowerCase())) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function param(value: string, name: string): string | null {
  const match = new RegExp(`;\\s*${name}=("((?:[^"\\\\]|\\\\.)*)"|[^;\\s]+)`, 'i').exec(value);
  return match ? (match[2] ?? match[1]!) : null;
}

function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const soft = text.replace(/=\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i]!, 'utf8'));
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words (=?utf-8?Q?…?= and =?utf-8?B?…?=) decoded; the space between two words dropped. */
export function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_all, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8'),
    );
}

/** The [display name, address] pairs of an address header. */
export function addresses(value: string): Array<[string, string]> {
  return addressparser(value, { flatten: true }).map((entry) => [decodeWords(entry.name ?? ''), entry.address ?? '']);
}

function walk(part: Part, leaves: Leaf[]): string {
  const contentType = part.headers.get('content-type') ?? 'text/plain';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = param(contentType, 'boundary')!;
    const sections = part.body.split(`--${boundary}`);
    // sections[0] is the preamble; the last starts with "--" (the closing delimiter).
    const children = sections.slice(1, -1).map((section) => splitPart(section.replace(/^\n/, '').replace(/\n$/, '')));
    return `${type}(${children.map((child) => walk(child, leaves)).join(',')})`;
  }
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const content =
    encoding === 'base64' ? Buffer.from(part.body, 'base64') : encoding === 'quoted-printable' ? decodeQuotedPrintable(part.body) : Buffer.from(part.body, 'utf8');
  const disposition = part.headers.get('content-disposition')?.split(';')[0]!.trim().toLowerCase() ?? null;
  const leaf: Leaf = { contentType: type, charset: param(contentType, 'charset')?.toLowerCase() ?? null, disposition, filename: null };
  if (type.startsWith('text/')) leaf.text = content.toString('utf8');
  else leaf.base64 = content.toString('base64');
  leaves.push(leaf);
  return type;
}

/** The message `raw` (LF line ends) as the oracle describes one. */
export async function readMessage(raw: string): Promise<ReadMessage> {
  const root = splitPart(raw);
  const leaves: Leaf[] = [];
  const shape = walk(root, leaves);
  // Filenames in order of the parts that have one, read by mailparser (RFC 2231 and 2047).
  const parsed = await simpleParser(raw);
  const named = parsed.attachments.filter((attachment) => attachment.filename !== undefined);
  let next = 0;
  for (const leaf of leaves) if (leaf.disposition === 'attachment' || leaf.disposition === 'inline') leaf.filename = named[next++]?.filename ?? null;
  return { shape, raw: root.headers, leaves };
}
