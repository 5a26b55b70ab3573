// The SMTP backend in real SMTP conversations with a local server (smtp-server, started
// here on 127.0.0.1): what arrives (non-ASCII subjects and names, attachments, the HTML
// alternative, Bcc only in the envelope), a refused recipient, login, STARTTLS and SSL with
// a certificate made for the run (selfsigned), one connection for a batch, and failures
// that failSilently swallows.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { configure, overrideSettings } from '../../../src/conf/index.ts';
import { EmailMultiAlternatives, SmtpEmailBackend, getConnection, sendMail, sendMassMail, type SmtpEmailBackendOptions } from '../../../src/core/mail/index.ts';
import { backendSuite } from './backend-suite.ts';
import { startSmtpSink, testCertificate, withSmtpSink, type SmtpSink } from './smtp-sink.ts';

let plain: SmtpSink;
let certificate: { key: string; cert: string };

before(async () => {
  configure({ DEBUG: true, EMAIL_BACKEND: 'smtp', EMAIL_HOST: '127.0.0.1', DEFAULT_FROM_EMAIL: 'shop@example.com' });
  plain = await startSmtpSink({ refuse: ['nobody@example.com'] });
  certificate = await testCertificate();
});
after(() => plain.close());

function smtp(sink: SmtpSink, options: SmtpEmailBackendOptions = {}): SmtpEmailBackend {
  return new SmtpEmailBackend({ host: '127.0.0.1', port: sink.port, ...options });
}

function drain(sink: SmtpSink): string[] {
  return sink.deliveries.splice(0).map((delivery) => delivery.raw.replace(/\r\n/g, '\n'));
}

backendSuite({ name: 'smtp', make: (options) => smtp(plain, options), delivered: async () => drain(plain) });

describe('what arrives over SMTP', () => {
  test('non-ASCII subject and names, cc, an HTML alternative, attachments; Bcc only in the envelope', async () => {
    drain(plain);
    const email = new EmailMultiAlternatives({
      subject: 'Votre facture n° 42 — merci, Zoë !',
      body: 'Bonjour Zoë,\nvoici votre facture.',
      fromEmail: 'Librairie Étoile <shop@example.com>',
      to: ['Zoë Müller <zoe@example.com>'],
      cc: ['Jürgen <jurgen@example.com>'],
      bcc: ['audit@example.com'],
      replyTo: ['Service clients <support@example.com>'],
      headers: { 'X-Order': '42' },
      connection: smtp(plain),
    });
    email.attachAlternative('<p>Bonjour <b>Zoë</b>, <img src="cid:logo"></p>', 'text/html');
    email.attach('facture n°42 résumé.pdf', new Uint8Array([0x25, 0x50, 0x44, 0x46, 0xff, 0x00]));
    email.attach('lignes.csv', 'isbn;titre\n978;Dune\n');
    email.attach({ filename: 'logo.png', content: new Uint8Array([0x89, 0x50, 0x4e, 0x47]), cid: 'logo' });
    assert.equal(await email.send(), 1);

    const [delivery] = plain.deliveries;
    assert.equal(delivery!.from, 'shop@example.com');
    assert.deepEqual(delivery!.to, ['zoe@example.com', 'jurgen@example.com', 'audit@example.com']);
    assert.doesNotMatch(delivery!.raw, /audit@example\.com/);
    const parsed = await simpleParser(delivery!.raw);
    assert.equal(parsed.subject, 'Votre facture n° 42 — merci, Zoë !');
    assert.deepEqual(parsed.from!.value, [{ name: 'Librairie Étoile', address: 'shop@example.com' }]);
    assert.deepEqual((Array.isArray(parsed.to) ? parsed.to[0] : parsed.to)!.value, [{ name: 'Zoë Müller', address: 'zoe@example.com' }]);
    assert.deepEqual((Array.isArray(parsed.cc) ? parsed.cc[0] : parsed.cc)!.value, [{ name: 'Jürgen', address: 'jurgen@example.com' }]);
    assert.equal(parsed.replyTo!.value[0]!.address, 'support@example.com');
    assert.equal(parsed.headers.get('x-order'), '42');
    assert.equal(parsed.text!.trimEnd(), 'Bonjour Zoë,\nvoici votre facture.');
    assert.match(String(parsed.html), /<b>Zoë<\/b>/);
    // Text travels in canonical form (CRLF line ends), as with Django's smtplib; read it back as LF.
    const bytes = (a: { contentType: string; content: Buffer }) => (a.contentType.startsWith('text/') ? Buffer.from(a.content.toString('utf8').replace(/\r\n/g, '\n')) : a.content);
    const files = parsed.attachments.map((a) => [a.filename, a.contentType, a.contentDisposition, bytes(a).toString('hex')]);
    assert.deepEqual(files, [
      ['logo.png', 'image/png', 'inline', '89504e47'],
      ['facture n°42 résumé.pdf', 'application/pdf', 'attachment', '25504446ff00'],
      ['lignes.csv', 'text/csv', 'attachment', Buffer.from('isbn;titre\n978;Dune\n').toString('hex')],
    ]);
    assert.equal(parsed.attachments[0]!.cid, 'logo');
    drain(plain);
  });

  test('a refused recipient fails the message when it is the only one, unless failSilently', async () => {
    drain(plain);
    await assert.rejects(sendMail('Hi', 'x', null, ['nobody@example.com'], { connection: smtp(plain) }), (error: Error & { code?: string; responseCode?: number }) => {
      assert.match(error.message, /nobody@example\.com|recipients were rejected/);
      return true;
    });
    assert.equal(await sendMail('Hi', 'x', null, ['nobody@example.com'], { connection: smtp(plain, { failSilently: true }) }), 0);
    assert.equal(plain.deliveries.length, 0);
  });

  test('a refused recipient among others: the message goes to the others', async () => {
    drain(plain);
    assert.equal(await sendMail('Hi', 'x', null, ['nobody@example.com', 'ada@example.com'], { connection: smtp(plain) }), 1);
    assert.deepEqual(plain.deliveries.map((d) => d.to), [['ada@example.com']]);
    drain(plain);
  });

  test('EMAIL_HOST and EMAIL_PORT come from settings', async () => {
    drain(plain);
    await overrideSettings({ EMAIL_PORT: plain.port }, () => sendMail('From settings', 'x', null, ['ada@example.com']));
    assert.equal(plain.deliveries.length, 1);
    drain(plain);
  });
});

describe('one SMTP connection per batch', () => {
  test('sendMassMail sends three messages over one connection; three sendMail calls open three', async () => {
    await withSmtpSink({}, async (sink) => {
      await overrideSettings({ EMAIL_PORT: sink.port }, async () => {
        const sent = await sendMassMail([
          ['One', 'x', null, ['a@example.com']],
          ['Two', 'x', 'stock@example.com', ['b@example.com']],
          ['Three', 'x', null, ['c@example.com', 'd@example.com']],
        ]);
        assert.equal(sent, 3);
        assert.equal(sink.connections, 1);
        assert.deepEqual(sink.deliveries.map((d) => [d.from, d.to, d.connection]), [
          ['shop@example.com', ['a@example.com'], 1],
          ['stock@example.com', ['b@example.com'], 1],
          ['shop@example.com', ['c@example.com', 'd@example.com'], 1],
        ]);
        for (const subject of ['Four', 'Five', 'Six']) await sendMail(subject, 'x', null, ['a@example.com']);
        assert.equal(sink.connections, 4);
      });
    });
  });

  test('an opened connection is reused across sendMessages() calls until close()', async () => {
    await withSmtpSink({}, async (sink) => {
      const connection = smtp(sink);
      await connection.open();
      await sendMail('One', 'x', null, ['a@example.com'], { connection });
      await sendMail('Two', 'x', null, ['a@example.com'], { connection });
      await connection.close();
      assert.equal(sink.connections, 1);
      assert.equal(sink.deliveries.length, 2);
    });
  });
});

describe('login', () => {
  let sink: SmtpSink;
  before(async () => {
    sink = await startSmtpSink({ login: { user: 'mailer', pass: 's3cret' } });
  });
  after(() => sink.close());

  test('EMAIL_HOST_USER and EMAIL_HOST_PASSWORD log in', async () => {
    await overrideSettings({ EMAIL_PORT: sink.port, EMAIL_HOST_USER: 'mailer', EMAIL_HOST_PASSWORD: 's3cret' }, () =>
      sendMail('Hi', 'x', null, ['ada@example.com']),
    );
    assert.equal(sink.deliveries.at(-1)!.user, 'mailer');
  });

  test("sendMail's authUser/authPassword replace the settings", async () => {
    await overrideSettings({ EMAIL_PORT: sink.port, EMAIL_HOST_USER: 'other', EMAIL_HOST_PASSWORD: 'wrong' }, () =>
      sendMail('Hi', 'x', null, ['ada@example.com'], { authUser: 'mailer', authPassword: 's3cret' }),
    );
    assert.equal(sink.deliveries.at(-1)!.user, 'mailer');
  });

  test('a wrong password is an error, or 0 sent with failSilently', async () => {
    const before = sink.deliveries.length;
    await assert.rejects(sendMail('Hi', 'x', null, ['ada@example.com'], { connection: smtp(sink, { username: 'mailer', password: 'nope' }) }), /Invalid username or password|535/);
    assert.equal(await sendMail('Hi', 'x', null, ['ada@example.com'], { connection: smtp(sink, { username: 'mailer', password: 'nope', failSilently: true }) }), 0);
    assert.equal(sink.deliveries.length, before);
  });
});

describe('TLS', () => {
  test('EMAIL_USE_TLS upgrades with STARTTLS and verifies the certificate', async () => {
    await withSmtpSink({ tls: certificate, login: { user: 'mailer', pass: 's3cret' } }, async (sink) => {
      const trusted = smtp(sink, { useTls: true, username: 'mailer', password: 's3cret', tlsOptions: { ca: certificate.cert } });
      assert.equal(await sendMail('Secret', 'x', null, ['ada@example.com'], { connection: trusted }), 1);
      assert.deepEqual([sink.deliveries[0]!.secure, sink.deliveries[0]!.user], [true, 'mailer']);
      // The same server, its certificate not trusted: refused, not sent in the clear.
      await assert.rejects(sendMail('Secret', 'x', null, ['ada@example.com'], { connection: smtp(sink, { useTls: true }) }), /self[- ]signed|certificate/i);
      assert.equal(sink.deliveries.length, 1);
    });
  });

  test('EMAIL_USE_TLS against a server without STARTTLS fails instead of sending in the clear', async () => {
    await withSmtpSink({ noStartTls: true }, async (sink) => {
      await assert.rejects(sendMail('x', 'x', null, ['ada@example.com'], { connection: smtp(sink, { useTls: true }) }), /STARTTLS/i);
      assert.equal(sink.deliveries.length, 0);
    });
  });

  test('without EMAIL_USE_TLS no STARTTLS is attempted (as Django)', async () => {
    await withSmtpSink({ tls: certificate }, async (sink) => {
      assert.equal(await sendMail('x', 'x', null, ['ada@example.com'], { connection: smtp(sink) }), 1);
      assert.equal(sink.deliveries[0]!.secure, false);
    });
  });

  test('EMAIL_USE_SSL speaks TLS from the first byte; EMAIL_SSL_CERTFILE/KEYFILE are read', async () => {
    const sink = await startSmtpSink({ secure: true, tls: certificate });
    const folder = mkdtempSync(join(tmpdir(), 'nuages-smtp-'));
    try {
      writeFileSync(join(folder, 'client.pem'), certificate.cert);
      writeFileSync(join(folder, 'client.key'), certificate.key);
      const settings = { EMAIL_PORT: sink.port, EMAIL_USE_SSL: true, EMAIL_SSL_CERTFILE: join(folder, 'client.pem'), EMAIL_SSL_KEYFILE: join(folder, 'client.key') };
      await overrideSettings(settings, async () => {
        assert.equal(await sendMail('x', 'x', null, ['ada@example.com'], { connection: getConnection(null, { tlsOptions: { ca: certificate.cert } }) }), 1);
      });
      assert.equal(sink.deliveries[0]!.secure, true);
      await overrideSettings({ ...settings, EMAIL_SSL_CERTFILE: join(folder, 'missing.pem') }, async () => {
        await assert.rejects(sendMail('x', 'x', null, ['ada@example.com']), /ENOENT/);
      });
    } finally {
      await sink.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('a server that is down or silent', () => {
  test('nothing listening: an error, or 0 sent with failSilently', async () => {
    const closed = await startSmtpSink();
    await closed.close();
    await assert.rejects(sendMail('x', 'x', null, ['ada@example.com'], { connection: smtp(closed) }), /ECONNREFUSED/);
    assert.equal(await sendMail('x', 'x', null, ['ada@example.com'], { connection: smtp(closed, { failSilently: true }) }), 0);
  });

  test('EMAIL_TIMEOUT gives up on a server that never greets', async () => {
    const sockets: Array<import('node:net').Socket> = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      await assert.rejects(sendMail('x', 'x', null, ['ada@example.com'], { connection: new SmtpEmailBackend({ host: '127.0.0.1', port, timeout: 0.2 }) }), { code: 'ETIMEDOUT' });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
