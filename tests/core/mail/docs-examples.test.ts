// The examples of docs/email.md, kept compiling and running (files and servers the page
// names are made here: a temporary folder, a local HTTP endpoint).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure } from '../../../src/conf/index.ts';
import { consoleRequestLogger, requestLogger, setRequestLogger } from '../../../src/core/handlers/index.ts';
import {
  AdminEmailHandler,
  EmailBackend,
  EmailMessage,
  EmailMultiAlternatives,
  getConnection,
  mailAdmins,
  sendMail,
  sendMassMail,
  sendTemplatedMail,
  type EmailMessage as EmailMessageType,
} from '../../../src/core/mail/index.ts';
import { useMailOutbox } from '../../../src/test/index.ts';

const outbox = useMailOutbox();
const folder = mkdtempSync(join(tmpdir(), 'nuages-mail-docs-'));

before(() => {
  configure({
    DEBUG: true,
    DEFAULT_FROM_EMAIL: 'Bookshop <shop@example.com>',
    SERVER_EMAIL: 'errors@example.com',
    ADMINS: [['Ada', 'ada@example.com']],
    TEMPLATES: [{ BACKEND: 'nuages/template', DIRS: [join(import.meta.dirname, 'fixtures', 'templates')], APP_DIRS: false, OPTIONS: {} }],
  });
  mkdirSync(join(folder, 'invoices'));
  mkdirSync(join(folder, 'static'));
  writeFileSync(join(folder, 'invoices', '1042.pdf'), '%PDF-1.4');
  writeFileSync(join(folder, 'static', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
});
after(() => rmSync(folder, { recursive: true, force: true }));

test('"Sending in one call": sendMail, its HTML message, sendMassMail, mailAdmins', async () => {
  assert.equal(await sendMail('Your order', 'It ships tomorrow.', null, ['ada@example.com']), 1);
  await sendMail('Welcome', 'Hello, Ada.', 'Bookshop <shop@example.com>', ['ada@example.com'], { htmlMessage: '<p>Hello, <b>Ada</b>.</p>' });
  assert.equal(
    await sendMassMail([
      ['Your order', 'It ships tomorrow.', null, ['ada@example.com']],
      ['Restock', 'Dune is back.', 'stock@example.com', ['buyer@example.com']],
    ]),
    2,
  );
  await mailAdmins('Nightly import failed', 'Line 12: ISBN missing.');
  assert.deepEqual(outbox.map((m) => [m.subject, m.fromEmail]), [
    ['Your order', 'Bookshop <shop@example.com>'],
    ['Welcome', 'Bookshop <shop@example.com>'],
    ['Your order', 'Bookshop <shop@example.com>'],
    ['Restock', 'stock@example.com'],
    ['[Nuages] Nightly import failed', 'errors@example.com'],
  ]);
});

test('"EmailMessage": an invoice with a file, a CSV, bcc, reply-to and a header', async () => {
  const email = new EmailMessage({
    subject: 'Your invoice',
    body: 'Your invoice is attached.',
    to: ['ada@example.com'],
    bcc: ['accounts@example.com'],
    replyTo: ['billing@example.com'],
    headers: { 'X-Order': '1042' },
  });
  await email.attachFile(join(folder, 'invoices/1042.pdf'));
  email.attach('lines.csv', 'isbn,qty\n978,1\n');
  assert.equal(await email.send(), 1);
  assert.deepEqual(email.attachments.map((a) => [a.filename, a.mimetype]), [['1042.pdf', 'application/pdf'], ['lines.csv', 'text/csv']]);
  const text = await email.message().asString();
  assert.match(text, /^X-Order: 1042$/m);
  assert.doesNotMatch(text, /accounts@example\.com/);
  assert.ok(email.message().envelope.to.includes('accounts@example.com'));
});

test('"HTML and inline images": the logo inside the HTML', async () => {
  const email = new EmailMultiAlternatives({ subject: 'New this week', body: 'Three new books.', to: ['ada@example.com'] });
  email.attachAlternative('<p><img src="cid:logo" alt="Bookshop"> Three new books.</p>', 'text/html');
  await email.attachFile(join(folder, 'static/logo.png'), { cid: 'logo' });
  await email.send();
  const text = await email.message().asString();
  assert.match(text, /multipart\/related/);
  assert.match(text, /^Content-ID: <logo>$/m);
  assert.ok(email.bodyContains('Three new books.'));
});

test('"Templated email": subject, text and HTML from one context', async () => {
  const order = { number: 1042, email: 'zoe@example.com' };
  await sendTemplatedMail({
    subjectTemplate: 'orders/shipped_subject.txt',
    textTemplate: 'orders/shipped.txt',
    htmlTemplate: 'orders/shipped.html',
    context: { order, name: 'Zoë' },
    to: [order.email],
  });
  const [sent] = outbox as EmailMultiAlternatives[];
  assert.deepEqual([sent!.subject, sent!.to, sent!.alternatives.length], ['Order 1042 has shipped, Zoë', ['zoe@example.com'], 1]);
});

test('"Backends": batches over one connection, closed by await using', async () => {
  let opened = 0;
  let closed = 0;
  class Counting extends EmailBackend {
    override async open(): Promise<boolean> {
      opened += 1;
      return true;
    }
    override async close(): Promise<void> {
      closed += 1;
    }
    async sendMessages(messages: readonly EmailMessageType[]): Promise<number> {
      return messages.length;
    }
  }
  const firstBatch = [new EmailMessage({ subject: 'a', to: ['a@example.com'] })];
  const secondBatch = [new EmailMessage({ subject: 'b', to: ['b@example.com'] })];
  // (useMailOutbox() routes EMAIL_BACKEND to the outbox, so the page's getConnection() names the class here.)
  {
    await using connection = getConnection(Counting);
    await connection.open();
    assert.equal(await connection.sendMessages(firstBatch), 1);
    assert.equal(await connection.sendMessages(secondBatch), 1);
  }
  assert.deepEqual([opened, closed], [1, 1]);
});

test('"Your own backend": an HTTP API backend', async () => {
  const received: string[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(Buffer.concat(chunks).toString());
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  try {
    class ApiBackend extends EmailBackend {
      async sendMessages(messages: readonly EmailMessageType[]): Promise<number> {
        for (const message of messages) {
          await fetch(url, { method: 'POST', body: await message.message().asBytes() });
        }
        return messages.length;
      }
    }
    assert.equal(await sendMail('Via API', 'x', null, ['ada@example.com'], { connection: new ApiBackend() }), 1);
    assert.match(received[0]!, /^Subject: Via API$/m);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('"Errors mailed to ADMINS": an AdminEmailHandler of your own, or none', () => {
  const previous = requestLogger();
  try {
    const handler = new AdminEmailHandler({ includeHtml: true, maxEmails: 5, period: 300, next: consoleRequestLogger });
    setRequestLogger(handler);
    assert.equal(requestLogger(), handler);
    assert.deepEqual([handler.includeHtml, handler.maxEmails, handler.period], [true, 5, 300]);
    setRequestLogger(consoleRequestLogger);
    assert.equal(requestLogger(), consoleRequestLogger);
  } finally {
    setRequestLogger(previous);
  }
});

test('"In tests": the outbox is empty at the start of each test', () => {
  assert.equal(outbox.length, 0);
});
