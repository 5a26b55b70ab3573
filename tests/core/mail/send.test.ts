// sendMail, sendMassMail, mailAdmins, mailManagers and templated email, read from the
// outbox that useMailOutbox() keeps for each test.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { configure, overrideSettings } from '../../../src/conf/index.ts';
import { ImproperlyConfigured } from '../../../src/core/errors.ts';
import {
  BadHeaderError,
  DummyEmailBackend,
  EmailMultiAlternatives,
  LocmemEmailBackend,
  mailAdmins,
  mailManagers,
  renderTemplatedEmail,
  sendMail,
  sendMassMail,
  sendTemplatedMail,
} from '../../../src/core/mail/index.ts';
import { TemplateDoesNotExist } from '../../../src/template/errors.ts';
import { useMailOutbox } from '../../../src/test/index.ts';

const outbox = useMailOutbox();

before(() =>
  configure({
    DEBUG: true,
    // What useMailOutbox() overrides: nothing may leave the machine from a test.
    EMAIL_BACKEND: 'smtp',
    EMAIL_HOST: '192.0.2.1',
    DEFAULT_FROM_EMAIL: 'shop@example.com',
    SERVER_EMAIL: 'errors@example.com',
    ADMINS: [['Ada', 'ada@example.com'], ['Grace', 'grace@example.com']],
    MANAGERS: ['manager@example.com'],
    TEMPLATES: [{ BACKEND: 'nuages/template', DIRS: [join(import.meta.dirname, 'fixtures', 'templates')], APP_DIRS: false, OPTIONS: {} }],
  }),
);

describe('sendMail', () => {
  test('one message to every recipient, from DEFAULT_FROM_EMAIL, with an HTML alternative when given', async () => {
    assert.equal(await sendMail('Your order', 'It ships tomorrow.', null, ['ada@example.com', 'bob@example.com'], { htmlMessage: '<p>It ships tomorrow.</p>' }), 1);
    assert.equal(outbox.length, 1);
    const message = outbox[0] as EmailMultiAlternatives;
    assert.deepEqual([message.subject, message.body, message.fromEmail, message.to], ['Your order', 'It ships tomorrow.', 'shop@example.com', ['ada@example.com', 'bob@example.com']]);
    assert.deepEqual(message.alternatives, [{ content: '<p>It ships tomorrow.</p>', mimetype: 'text/html' }]);
  });

  test('the outbox starts empty in each test', () => {
    assert.equal(outbox.length, 0);
  });

  test('a line break in the subject or an address is refused, and nothing is sent', async () => {
    await assert.rejects(sendMail('Hi\nBcc: victim@example.com', 'x', null, ['ada@example.com']), BadHeaderError);
    await assert.rejects(sendMail('Hi', 'x', 'shop@example.com\r\nBcc: victim@example.com', ['ada@example.com']), BadHeaderError);
    await assert.rejects(sendMail('Hi', 'x', null, ['ada@example.com\nBcc: victim@example.com']), { code: 'NUAGES_MAIL_BAD_HEADER' });
    assert.equal(outbox.length, 0);
  });

  test('no recipients: nothing sent, 0', async () => {
    assert.equal(await sendMail('Hi', 'x', null, []), 0);
    assert.equal(outbox.length, 0);
  });

  test('goes through the connection given', async () => {
    assert.equal(await sendMail('Hi', 'x', null, ['ada@example.com'], { connection: new DummyEmailBackend() }), 1);
    assert.equal(outbox.length, 0);
  });
});

describe('sendMassMail', () => {
  test('each message to its own recipients, through one connection', async () => {
    let opened = 0;
    class CountingBackend extends LocmemEmailBackend {
      override async open(): Promise<boolean> {
        opened += 1;
        return true;
      }
    }
    const connection = new CountingBackend();
    const sent = await sendMassMail(
      [
        ['Your order', 'It ships tomorrow.', null, ['ada@example.com']],
        ['Restock', 'Dune is back.', 'stock@example.com', ['buyer@example.com', 'owner@example.com']],
      ],
      { connection },
    );
    assert.equal(sent, 2);
    assert.deepEqual(outbox.map((m) => [m.subject, m.fromEmail, m.to, m.connection === connection]), [
      ['Your order', 'shop@example.com', ['ada@example.com'], true],
      ['Restock', 'stock@example.com', ['buyer@example.com', 'owner@example.com'], true],
    ]);
    assert.equal(opened, 0, 'locmem needs no open(); the batch is one sendMessages() call');
  });
});

describe('mailAdmins and mailManagers', () => {
  test('ADMINS pairs get the mail from SERVER_EMAIL, the subject after EMAIL_SUBJECT_PREFIX', async () => {
    assert.equal(await mailAdmins('Import failed', 'Line 12: ISBN missing.', { htmlMessage: '<p>Line 12</p>' }), 1);
    const [message] = outbox as EmailMultiAlternatives[];
    assert.deepEqual([message!.subject, message!.fromEmail, message!.to, message!.body], ['[Nuages] Import failed', 'errors@example.com', ['ada@example.com', 'grace@example.com'], 'Line 12: ISBN missing.']);
    assert.deepEqual(message!.alternatives, [{ content: '<p>Line 12</p>', mimetype: 'text/html' }]);
  });

  test('MANAGERS as plain addresses; the prefix is a setting', async () => {
    await overrideSettings({ EMAIL_SUBJECT_PREFIX: '[Shop] ' }, () => mailManagers('Broken link', '/old-page/ from /'));
    assert.deepEqual([outbox[0]!.subject, outbox[0]!.to], ['[Shop] Broken link', ['manager@example.com']]);
  });

  test('nobody to mail: nothing sent; a malformed entry is a configuration error', async () => {
    await overrideSettings({ ADMINS: [] }, async () => assert.equal(await mailAdmins('x', 'y'), 0));
    assert.equal(outbox.length, 0);
    await overrideSettings({ ADMINS: [['Ada', 'ada@example.com', 'extra']] as never }, async () => {
      await assert.rejects(mailAdmins('x', 'y'), (error: unknown) => error instanceof ImproperlyConfigured && /\[name, email\] pairs/.test(error.message));
    });
  });
});

describe('templated email', () => {
  const options = {
    subjectTemplate: 'orders/shipped_subject.txt',
    textTemplate: 'orders/shipped.txt',
    htmlTemplate: 'orders/shipped.html',
    context: { name: 'Zoë', order: { number: 1042 }, note: '<script>alert(1)</script>' },
    to: ['zoe@example.com'],
  };

  test('one call renders subject, text and HTML from the same context and sends them', async () => {
    assert.equal(await sendTemplatedMail(options), 1);
    const message = outbox[0] as EmailMultiAlternatives;
    assert.equal(message.subject, 'Order 1042 has shipped, Zoë', "the template's newline is dropped");
    assert.equal(message.body, 'Hello Zoë,\nyour order 1042 is on its way.\n&lt;script&gt;alert(1)&lt;/script&gt;\n');
    assert.deepEqual(message.alternatives.map((a) => a.mimetype), ['text/html']);
    assert.match(message.alternatives[0]!.content, /<b>Zoë<\/b>, your order 1042[\s\S]*&lt;script&gt;/, 'the HTML part is autoescaped');
    assert.ok(message.bodyContains('your order 1042'));
  });

  test('renderTemplatedEmail builds without sending; the HTML part is optional', async () => {
    const email = await renderTemplatedEmail({ ...options, htmlTemplate: null, cc: ['boss@example.com'] });
    assert.equal(outbox.length, 0);
    assert.deepEqual([email.alternatives, email.cc], [[], ['boss@example.com']]);
    email.attach('invoice.txt', 'Total: 12 EUR');
    await email.send();
    assert.equal(outbox[0]!.attachments[0]!.mimetype, 'text/plain');
  });

  test('a missing template is TemplateDoesNotExist, and nothing is sent', async () => {
    await assert.rejects(sendTemplatedMail({ ...options, htmlTemplate: 'orders/missing.html' }), TemplateDoesNotExist);
    assert.equal(outbox.length, 0);
  });
});
