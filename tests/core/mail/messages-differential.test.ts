// EmailMessage against Django 5.2: the messages of django/message-cases.json, built by
// Nuages, read back (shape of the MIME tree, decoded headers, decoded parts, envelope)
// and compared with what django/mail_oracle.py recorded from Django's own messages.
// Boundaries, Message-IDs and transfer encodings are free to differ; what a mail client
// reads is not. Two normalisations: header values are trimmed (Django folds a long
// subject after "Subject:", leaving a leading space), and text parts lose trailing line
// ends (nodemailer ends a message with one).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure } from '../../../src/conf/index.ts';
import { BadHeaderError, EmailMultiAlternatives } from '../../../src/core/mail/index.ts';
import { emailDate } from '../../../src/core/mail/mime.ts';
import { addresses, decodeWords, readMessage, type Leaf } from './mime-reader.ts';

interface Case {
  name: string;
  subject?: string;
  body?: string;
  fromEmail?: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string[];
  headers?: Record<string, string>;
  alternatives?: Array<[string, string]>;
  attachments?: Array<{ filename: string; content: { text?: string; base64?: string }; mimetype: string | null }>;
  contentSubtype?: string;
}

interface Described {
  name: string;
  shape: string;
  headers: Record<string, string | Array<[string, string]>>;
  hasBcc: boolean;
  hasDate: boolean;
  hasMessageId: boolean;
  leaves: Leaf[];
  envelope: { from: string; to: string[] };
}

const HERE = join(import.meta.dirname, 'django');
const SPEC = JSON.parse(readFileSync(join(HERE, 'message-cases.json'), 'utf8')) as { messages: Case[]; refused: Case[]; dateAt: number };
const DJANGO = JSON.parse(readFileSync(join(HERE, 'mail-django.json'), 'utf8')) as {
  messages: Described[];
  refused: Array<{ name: string; raised: string | null }>;
  date: string;
};
const ADDRESS_HEADERS = ['From', 'To', 'Cc', 'Reply-To'];

before(() => configure({ DEBUG: true, DEFAULT_FROM_EMAIL: 'webmaster@localhost' }));

function build(spec: Case): EmailMultiAlternatives {
  const email = new EmailMultiAlternatives({
    subject: spec.subject,
    body: spec.body,
    fromEmail: spec.fromEmail,
    to: spec.to,
    cc: spec.cc,
    bcc: spec.bcc,
    replyTo: spec.replyTo,
    headers: spec.headers,
    alternatives: spec.alternatives,
  });
  if (spec.contentSubtype) email.contentSubtype = spec.contentSubtype;
  for (const { filename, content, mimetype } of spec.attachments ?? []) {
    email.attach(filename, content.text ?? new Uint8Array(Buffer.from(content.base64!, 'base64')), mimetype);
  }
  return email;
}

async function describeNuages(spec: Case): Promise<Described> {
  const mime = build(spec).message();
  const read = await readMessage(await mime.asString());
  const headers: Described['headers'] = {};
  for (const name of new Set(['Subject', ...ADDRESS_HEADERS, 'MIME-Version', ...Object.keys(spec.headers ?? {})])) {
    const value = read.raw.get(name.toLowerCase());
    if (value === undefined) continue;
    headers[name] = ADDRESS_HEADERS.includes(name) ? addresses(value) : decodeWords(value).trim();
  }
  return {
    name: spec.name,
    shape: read.shape,
    headers,
    hasBcc: read.raw.has('bcc'),
    hasDate: read.raw.has('date'),
    hasMessageId: read.raw.has('message-id'),
    leaves: read.leaves.map(normalLeaf),
    envelope: { from: mime.envelope.from, to: [...mime.envelope.to] },
  };
}

function normalLeaf(leaf: Leaf): Leaf {
  return leaf.text === undefined ? leaf : { ...leaf, text: leaf.text.replace(/\n+$/, '') };
}

function normalDjango(described: Described): Described {
  const headers = Object.fromEntries(Object.entries(described.headers).map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v]));
  return { ...described, headers, leaves: described.leaves.map(normalLeaf) };
}

describe('messages as Django 5.2 builds them', () => {
  for (const [index, spec] of SPEC.messages.entries()) {
    test(spec.name, async () => {
      const expected = DJANGO.messages[index]!;
      assert.equal(expected.name, spec.name, 'mail-django.json is stale: rerun mail_oracle.py');
      assert.deepEqual(await describeNuages(spec), normalDjango(expected));
    });
  }
});

describe('header injection is refused where Django refuses it', () => {
  for (const [index, spec] of SPEC.refused.entries()) {
    test(spec.name, () => {
      assert.equal(DJANGO.refused[index]!.raised, 'BadHeaderError');
      assert.throws(() => build({ subject: 'ok', body: 'x', to: ['ada@example.com'], ...spec }).message(), BadHeaderError);
    });
  }
});

test('the Date header is formatted as Django formats it (UTC, -0000)', () => {
  assert.equal(emailDate(new Date(SPEC.dateAt * 1000), false), DJANGO.date);
});
