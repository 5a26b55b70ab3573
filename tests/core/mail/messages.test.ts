// EmailMessage and EmailMultiAlternatives: attachments (guessed types, files, inline
// images), addresses, extra headers, and what message() refuses to compose.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, overrideSettings } from '../../../src/conf/index.ts';
import {
  BadHeaderError,
  DEFAULT_ATTACHMENT_MIME_TYPE,
  EmailMessage,
  EmailMultiAlternatives,
  InvalidAddressError,
} from '../../../src/core/mail/index.ts';
import { emailDate } from '../../../src/core/mail/mime.ts';
import { addresses, readMessage } from './mime-reader.ts';

const folder = mkdtempSync(join(tmpdir(), 'nuages-attach-'));
before(() => configure({ DEBUG: true, EMAIL_BACKEND: 'locmem', DEFAULT_FROM_EMAIL: 'shop@example.com' }));
after(() => rmSync(folder, { recursive: true, force: true }));

describe('attachments', () => {
  test('the type is guessed from the filename, application/octet-stream when it cannot be', () => {
    const email = new EmailMessage();
    email.attach('orders.csv', 'a,b\n');
    email.attach('photo.JPG', new Uint8Array([0xff, 0xd8]));
    email.attach('blob.zzqx', new Uint8Array([1]));
    email.attach(null, 'no name', 'text/plain');
    assert.deepEqual(email.attachments.map((a) => [a.filename, a.mimetype]), [
      ['orders.csv', 'text/csv'],
      ['photo.JPG', 'image/jpeg'],
      ['blob.zzqx', DEFAULT_ATTACHMENT_MIME_TYPE],
      [null, 'text/plain'],
    ]);
  });

  test('text given as UTF-8 bytes is kept as text; bytes that are not UTF-8 become octet-stream', () => {
    const email = new EmailMessage({ attachments: [['ok.txt', new Uint8Array(Buffer.from('café')), null], { filename: 'bad.txt', content: new Uint8Array([0x63, 0xe9]) }] });
    assert.deepEqual(email.attachments.map((a) => [a.content, a.mimetype]), [
      ['café', 'text/plain'],
      [new Uint8Array([0x63, 0xe9]), DEFAULT_ATTACHMENT_MIME_TYPE],
    ]);
  });

  test('attachFile() reads the file under its base name', async () => {
    const path = join(folder, 'rapport annuel.pdf');
    writeFileSync(path, Buffer.from('%PDF-1.4'));
    const email = new EmailMessage({ to: ['ada@example.com'] });
    await email.attachFile(path);
    await email.attachFile(path, 'application/x-custom');
    assert.deepEqual(email.attachments.map((a) => [a.filename, a.mimetype, Buffer.from(a.content).toString()]), [
      ['rapport annuel.pdf', 'application/pdf', '%PDF-1.4'],
      ['rapport annuel.pdf', 'application/x-custom', '%PDF-1.4'],
    ]);
    await assert.rejects(email.attachFile(join(folder, 'missing.pdf')), { code: 'ENOENT' });
  });

  test('an image with a cid goes inline beside the HTML (multipart/related); other files stay attached', async () => {
    const logo = join(folder, 'logo.png');
    writeFileSync(logo, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const email = new EmailMultiAlternatives({ subject: 'News', body: 'Text', to: ['ada@example.com'] });
    email.attachAlternative('<p><img src="cid:logo"> News</p>', 'text/html');
    await email.attachFile(logo, { cid: 'logo' });
    email.attach('terms.txt', 'Terms');
    const read = await readMessage(await email.message().asString());
    assert.equal(read.shape, 'multipart/mixed(multipart/alternative(text/plain,multipart/related(text/html,image/png)),text/plain)');
    assert.deepEqual(read.leaves.map((leaf) => [leaf.contentType, leaf.disposition, leaf.filename]), [
      ['text/plain', null, null],
      ['text/html', null, null],
      ['image/png', 'inline', 'logo.png'],
      ['text/plain', 'attachment', 'terms.txt'],
    ]);
    assert.match(await email.message().asString(), /^Content-ID: <logo>$/m);
  });

  test('attach() without content names the file and the fix', () => {
    assert.throws(() => new EmailMessage().attach({ filename: 'x.pdf', content: undefined as never }), /needs the content of "x\.pdf"/);
  });
});

describe('addresses and headers', () => {
  test('recipients() is to, cc and bcc without empty entries; Bcc is in no header', async () => {
    // A name no Message-ID can contain by chance (its random part is hex).
    const email = new EmailMessage({ to: ['a@example.com', ''], cc: ['b@example.com'], bcc: ['hidden.reader@example.com'] });
    assert.deepEqual(email.recipients(), ['a@example.com', 'b@example.com', 'hidden.reader@example.com']);
    const mime = email.message();
    assert.deepEqual(mime.envelope, { from: 'shop@example.com', to: ['a@example.com', 'b@example.com', 'hidden.reader@example.com'] });
    const text = await mime.asString();
    assert.doesNotMatch(text, /hidden\.reader/);
    assert.doesNotMatch(text, /^Bcc:/im);
  });

  test('a string where a list belongs is refused (it would be split into letters)', () => {
    assert.throws(() => new EmailMessage({ to: 'ada@example.com' as never }), /"to" must be a list of addresses, e\.g\. to: \["ada@example\.com"\]/);
    assert.throws(() => new EmailMessage({ bcc: 'x@example.com' as never }), TypeError);
  });

  test('an entry that is not one address is refused before sending', () => {
    for (const bad of ['not an address', 'ada@example.com, bob@example.com', 'ada@', '@example.com']) {
      assert.throws(() => new EmailMessage({ to: [bad] }).message(), (error: unknown) => error instanceof InvalidAddressError && error.code === 'NUAGES_MAIL_INVALID_ADDRESS', bad);
    }
    assert.throws(() => new EmailMessage({ fromEmail: 'shop', to: ['ada@example.com'] }).message(), /Invalid address "shop" in 'fromEmail'/);
  });

  test('a header name with a line break or colon is refused, as a value with a line break', () => {
    for (const headers of [{ 'X-A\nBcc': 'v' }, { 'X-A: b': 'v' }, { 'X-A': 'v\r\nBcc: victim@example.com' }] as Array<Record<string, string>>) {
      assert.throws(() => new EmailMessage({ to: ['ada@example.com'], headers }).message(), BadHeaderError);
    }
  });

  test('headers given replace Date and Message-ID, and From in the header only', async () => {
    const email = new EmailMessage({
      fromEmail: 'bounces@example.com',
      to: ['ada@example.com'],
      headers: { from: 'Shop <shop@example.com>', date: 'Mon, 01 Jan 2024 00:00:00 -0000', 'Message-ID': '<order-1042@example.com>' },
    });
    const mime = email.message();
    const read = await readMessage(await mime.asString());
    assert.deepEqual(addresses(read.raw.get('from')!), [['Shop', 'shop@example.com']]);
    assert.equal(read.raw.get('date'), 'Mon, 01 Jan 2024 00:00:00 -0000');
    assert.equal(read.raw.get('message-id'), '<order-1042@example.com>');
    assert.equal(mime.envelope.from, 'bounces@example.com');
  });

  test('asBytes() ends lines with \\n by default and \\r\\n for the wire', async () => {
    const mime = new EmailMessage({ subject: 'x', body: 'a\nb', to: ['ada@example.com'] }).message();
    assert.doesNotMatch((await mime.asBytes()).toString(), /\r/);
    assert.match((await mime.asBytes({ linesep: '\r\n' })).toString(), /^Subject: x\r$/m);
  });
});

describe('sending', () => {
  test('send() with no recipients sends nothing and makes no connection', async () => {
    const email = new EmailMessage({ subject: 'x' });
    assert.equal(await email.send(), 0);
    assert.equal(email.connection, null);
  });

  test('EmailMultiAlternatives takes alternatives as objects or pairs; bodyContains() checks every text part', () => {
    const email = new EmailMultiAlternatives({ body: 'Hello Ada', alternatives: [['<p>Hello Ada</p>', 'text/html'], { content: 'BINARY', mimetype: 'application/x-thing' }] });
    assert.ok(email.bodyContains('Hello Ada'));
    email.attachAlternative('<p>Hi</p>', 'text/x-other');
    assert.equal(email.bodyContains('Hello Ada'), false);
    assert.throws(() => email.attachAlternative('<p>x</p>', ''), /needs both the content and its type/);
  });
});

describe('the Date header', () => {
  test('UTC with -0000 by default; local time and offset with EMAIL_USE_LOCALTIME', async () => {
    const previous = process.env['TZ'];
    process.env['TZ'] = 'Europe/Paris';
    try {
      assert.equal(emailDate(new Date(Date.UTC(2024, 6, 14, 10, 5, 9)), false), 'Sun, 14 Jul 2024 10:05:09 -0000');
      assert.equal(emailDate(new Date(Date.UTC(2024, 6, 14, 10, 5, 9)), true), 'Sun, 14 Jul 2024 12:05:09 +0200');
      await overrideSettings({ EMAIL_USE_LOCALTIME: true }, async () => {
        const read = await readMessage(await new EmailMessage({ to: ['ada@example.com'] }).message().asString());
        assert.match(read.raw.get('date')!, /\+0[12]00$/);
      });
    } finally {
      if (previous === undefined) delete process.env['TZ'];
      else process.env['TZ'] = previous;
    }
  });
});
