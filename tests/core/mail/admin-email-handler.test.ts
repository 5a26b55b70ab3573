// 500s in production mail ADMINS (Django's AdminEmailHandler, fed by the default request
// logger as Django's DEFAULT_LOGGING feeds mail_admins): the subject, sender and
// recipients Django 5.2 uses (django/mail-django.json), the report with secrets masked,
// and the bound that keeps an error storm to a few mails.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure, overrideSettings } from '../../../src/conf/index.ts';
import { DisallowedHost } from '../../../src/core/exceptions.ts';
import { responseForException, setRequestLogger, type RequestLogger } from '../../../src/core/handlers/index.ts';
import { AdminEmailHandler, EmailBackend, adminEmailHandler, outbox, type EmailMessage, type EmailMultiAlternatives } from '../../../src/core/mail/index.ts';
import { RequestFactory } from '../../../src/test/index.ts';

const DJANGO = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'mail-django.json'), 'utf8')) as {
  adminEmail: { subjects: string[]; from: string; to: string[]; bodyStartsWith: string; leaked: string[]; alternatives: number };
};
const SECRETS = ['django-insecure-oracle-key', 'smtp-pass-oracle', 'token-oracle', 'session-oracle'];

before(() =>
  configure({
    DEBUG: false,
    SECRET_KEY: 'django-insecure-oracle-key',
    EMAIL_HOST_PASSWORD: 'smtp-pass-oracle',
    EMAIL_BACKEND: 'locmem',
    EMAIL_SUBJECT_PREFIX: '[Django] ',
    ADMINS: [['Ada', 'ada@example.com'], ['Grace', 'grace@example.com']],
    SERVER_EMAIL: 'errors@example.com',
    INTERNAL_IPS: ['10.0.0.7'],
    ALLOWED_HOSTS: ['testserver'],
  }),
);
after(() => setRequestLogger(null));

function boomRequest(address: string) {
  return new RequestFactory().get('/boom/', undefined, {
    headers: { Authorization: 'Bearer token-oracle', Cookie: 'sessionid=session-oracle' },
    meta: { REMOTE_ADDR: address },
  });
}

function quiet(t: TestContext): void {
  t.mock.method(console, 'error', () => {});
}

describe('the default request logger mails ADMINS about a 500', () => {
  test('subject, sender and recipients as Django 5.2; the report masks every secret', async (t) => {
    quiet(t);
    setRequestLogger(null);
    outbox.length = 0;
    for (const address of ['203.0.113.9', '10.0.0.7']) {
      const response = await responseForException(await boomRequest(address), new Error('boom'));
      assert.equal(response.status, 500);
    }
    await adminEmailHandler.flush();
    const django = DJANGO.adminEmail;
    assert.deepEqual(outbox.map((m) => m.subject), django.subjects);
    const [first] = outbox as EmailMultiAlternatives[];
    assert.deepEqual([first!.fromEmail, first!.to, first!.alternatives.length], [django.from, django.to, django.alternatives]);
    assert.equal(first!.body.split('\n\n')[0], django.bodyStartsWith);
    assert.deepEqual(SECRETS.filter((secret) => first!.body.includes(secret)), django.leaked);
    for (const shown of ['Error: boom', 'Request URL: http://testserver/boom/', 'HTTP_AUTHORIZATION = "********************"', 'SECRET_KEY = "********************"']) {
      assert.ok(first!.body.includes(shown), `the report shows ${shown}`);
    }
    assert.doesNotMatch(first!.body, /DEBUG is true/);
  });

  test('nothing is mailed while DEBUG is true, or when ADMINS is empty', async (t) => {
    quiet(t);
    setRequestLogger(null);
    outbox.length = 0;
    for (const settings of [{ DEBUG: true }, { ADMINS: [] }]) {
      await overrideSettings(settings, async () => {
        await responseForException(await boomRequest('203.0.113.9'), new Error('boom'));
        await adminEmailHandler.flush();
      });
    }
    assert.equal(outbox.length, 0);
  });

  test('a security error (a disallowed Host) is mailed too, as Django mails django.security errors', async (t) => {
    quiet(t);
    setRequestLogger(null);
    outbox.length = 0;
    const response = await responseForException(await boomRequest('203.0.113.9'), new DisallowedHost("Invalid HTTP_HOST header: 'evil.example'."));
    await adminEmailHandler.flush();
    assert.equal(response.status, 400);
    assert.equal(outbox.length, 1);
    // Django 5.2's subject for the same request: the error's own message.
    assert.equal(outbox[0]!.subject, "[Django] ERROR (EXTERNAL IP): Invalid HTTP_HOST header: 'evil.example'.");
  });
});

describe('AdminEmailHandler', () => {
  test('includeHtml adds the debug page as an HTML alternative; next still gets every record', async () => {
    outbox.length = 0;
    const seen: string[] = [];
    const next: RequestLogger = { warn: (message) => seen.push(`warn ${message}`), error: (message) => seen.push(`error ${message}`) };
    const handler = new AdminEmailHandler({ includeHtml: true, next });
    setRequestLogger(handler);
    await responseForException(await boomRequest('203.0.113.9'), new Error('boom'));
    await handler.flush();
    const html = (outbox[0] as EmailMultiAlternatives).alternatives;
    assert.deepEqual(html.map((a) => a.mimetype), ['text/html']);
    assert.match(html[0]!.content, /<h1>Error at \/boom\/<\/h1>/);
    // (The page quotes this file's source around the failing line, so the secrets are named far above.)
    assert.deepEqual(SECRETS.filter((secret) => html[0]!.content.includes(secret)), []);
    assert.ok(!html[0]!.content.includes('<code>DEBUG: true</code>'));
    assert.deepEqual(seen, ['error Internal Server Error: /boom/']);
  });

  test('an error storm sends at most maxEmails per period; the next mail counts what was left out', async () => {
    outbox.length = 0;
    let now = 1_000_000;
    const handler = new AdminEmailHandler({ maxEmails: 3, period: 60, clock: () => now });
    const request = await boomRequest('203.0.113.9');
    const storm = (count: number) => {
      for (let i = 0; i < count; i++) handler.error('Internal Server Error: /boom/', { request, status: 500, error: new Error(`boom ${i}`) });
    };
    storm(200);
    await handler.flush();
    assert.equal(outbox.length, 3);
    now += 59_999;
    storm(5);
    await handler.flush();
    assert.equal(outbox.length, 3, 'still inside the same minute');
    now += 1;
    storm(1);
    await handler.flush();
    assert.equal(outbox.length, 4);
    assert.match(outbox[3]!.body, /^Internal Server Error: \/boom\/\n\n\(202 more errors were not mailed before this one: at most 3 mails every 60 s\.\)/);
  });

  test('a backend that fails does not turn the report into an unhandled error', async (t) => {
    const logged = t.mock.method(console, 'error', () => {});
    class BrokenBackend extends EmailBackend {
      async sendMessages(_messages: readonly EmailMessage[]): Promise<number> {
        throw new Error('SMTP server on fire');
      }
    }
    const handler = new AdminEmailHandler({ emailBackend: BrokenBackend });
    handler.emit('Internal Server Error: /boom/', { request: await boomRequest('203.0.113.9'), error: new Error('boom') });
    await handler.flush();
    assert.equal(logged.mock.callCount(), 1);
    assert.match(String(logged.mock.calls[0]!.arguments[0]), /could not mail ADMINS/);
  });

  test('line breaks in the message are escaped in the subject', async () => {
    outbox.length = 0;
    const handler = new AdminEmailHandler();
    handler.emit('Task failed:\nline two\rline three');
    await handler.flush();
    assert.equal(outbox[0]!.subject, '[Django] ERROR: Task failed:\\nline two\\rline three');
  });
});
