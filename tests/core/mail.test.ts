// nuages/core/mail: sendMail through the backend EMAIL_BACKEND names — locmem keeps messages
// in `outbox` for tests, console prints them — and header injection is refused by both.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings } from '../../src/conf/index.ts';
import { ImproperlyConfigured } from '../../src/core/errors.ts';
import {
  BadHeaderError,
  ConsoleEmailBackend,
  EmailMessage,
  LocmemEmailBackend,
  getConnection,
  outbox,
  sendMail,
} from '../../src/core/mail/index.ts';

before(() => configure({ DEBUG: true, EMAIL_BACKEND: 'locmem', DEFAULT_FROM_EMAIL: 'shop@example.com' }));

describe('sendMail', () => {
  test('goes to the outbox with the locmem backend, from DEFAULT_FROM_EMAIL by default', async () => {
    outbox.length = 0;
    assert.equal(await sendMail('Your order', 'It ships tomorrow.', null, ['ada@example.com'], { htmlMessage: '<p>It ships tomorrow.</p>' }), 1);
    assert.equal(outbox.length, 1);
    const [message] = outbox;
    assert.deepEqual([message!.subject, message!.body, message!.from, message!.to], ['Your order', 'It ships tomorrow.', 'shop@example.com', ['ada@example.com']]);
    assert.deepEqual(message!.alternatives, [['<p>It ships tomorrow.</p>', 'text/html']]);
  });

  test('the console backend prints headers, body and alternatives', async () => {
    let printed = '';
    const connection = new ConsoleEmailBackend({ stream: { write: (text: string) => (printed += text) } });
    await sendMail('Hello', 'Body text', 'from@example.com', ['to@example.com'], { connection });
    assert.equal(printed, `Subject: Hello\nFrom: from@example.com\nTo: to@example.com\n\nBody text\n${'-'.repeat(79)}\n`);
  });

  test('a line break in a header is refused, not sent (header injection)', async () => {
    outbox.length = 0;
    await assert.rejects(sendMail('Hi\nBcc: victim@example.com', 'x', null, ['ada@example.com']), BadHeaderError);
    await assert.rejects(sendMail('Hi', 'x', null, ['ada@example.com\r\nBcc: victim@example.com']), { code: 'NUAGES_MAIL_BAD_HEADER' });
    assert.equal(outbox.length, 0);
    assert.throws(() => new EmailMessage({ subject: 'ok', headers: { 'X-Tag': 'a\nb' } }).toText(), BadHeaderError);
  });

  test('recipients() is to, cc and bcc; bcc is never printed', () => {
    const message = new EmailMessage({ to: ['a@example.com'], cc: ['b@example.com'], bcc: ['c@example.com'] });
    assert.deepEqual(message.recipients(), ['a@example.com', 'b@example.com', 'c@example.com']);
    assert.doesNotMatch(message.toText(), /c@example\.com/);
  });
});

describe('getConnection', () => {
  test("knows the short names and Django's dotted names, and names the choices otherwise", async () => {
    assert.ok(getConnection('locmem') instanceof LocmemEmailBackend);
    assert.ok(getConnection('django.core.mail.backends.console.EmailBackend') instanceof ConsoleEmailBackend);
    await overrideSettings({ EMAIL_BACKEND: 'console' }, () => assert.ok(getConnection() instanceof ConsoleEmailBackend));
    assert.throws(() => getConnection('smtp'), (error: unknown) => error instanceof ImproperlyConfigured && /'smtp'.*console, locmem/.test(error.message));
  });
});
