// The console, file, locmem and dummy backends (each through the shared suite, then what
// is its own), and how getConnection() reads EMAIL_BACKEND.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, overrideSettings } from '../../../src/conf/index.ts';
import { ImproperlyConfigured } from '../../../src/core/errors.ts';
import {
  ConsoleEmailBackend,
  DummyEmailBackend,
  EmailMessage,
  FileEmailBackend,
  LocmemEmailBackend,
  SmtpEmailBackend,
  getConnection,
  outbox,
  routeMailToOutbox,
} from '../../../src/core/mail/index.ts';
import { backendSuite } from './backend-suite.ts';
import { CustomBackend, sentSubjects } from './fixtures/custom-backend.ts';

const SEPARATOR = `\n${'-'.repeat(79)}\n`;
const folder = mkdtempSync(join(tmpdir(), 'nuages-mail-'));

before(() => configure({ DEBUG: true, EMAIL_BACKEND: 'locmem', DEFAULT_FROM_EMAIL: 'shop@example.com', EMAIL_FILE_PATH: folder }));
after(() => rmSync(folder, { recursive: true, force: true }));

// ---- the shared suite ------------------------------------------------------------------

let printed = '';
backendSuite({
  name: 'console',
  make: (options) => new ConsoleEmailBackend({ ...options, stream: { write: (text: string) => (printed += text) } }),
  async delivered() {
    const messages = printed.split(SEPARATOR).filter((text) => text !== '');
    printed = '';
    return messages;
  },
});

const suiteFolder = join(folder, 'suite');
mkdirSync(suiteFolder);
backendSuite({
  name: 'file',
  make: (options) => new FileEmailBackend({ ...options, filePath: suiteFolder }),
  async delivered() {
    const files = readdirSync(suiteFolder).sort();
    const text = files.map((file) => readFileSync(join(suiteFolder, file), 'utf8')).join('');
    for (const file of files) rmSync(join(suiteFolder, file));
    return text.split(SEPARATOR).filter((part) => part !== '');
  },
});

backendSuite({
  name: 'locmem',
  make: (options) => new LocmemEmailBackend(options),
  async delivered() {
    const raws = await Promise.all(outbox.map((message) => message.message().asString()));
    outbox.length = 0;
    return raws;
  },
});

backendSuite({ name: 'dummy', make: (options) => new DummyEmailBackend(options), delivered: async () => null });

// ---- each backend's own behaviour --------------------------------------------------------

function note(subject: string): EmailMessage {
  return new EmailMessage({ subject, body: 'x', to: ['ada@example.com'] });
}

describe('console backend', () => {
  test('prints the whole MIME message, headers first, then 79 dashes', async () => {
    let text = '';
    await new ConsoleEmailBackend({ stream: { write: (chunk: string) => (text += chunk) } }).sendMessages([note('Hello')]);
    assert.match(text, /^(?:[\w-]+: .*\n)+\nx\n\n-{79}\n$/);
    assert.match(text, /^Subject: Hello$/m);
    assert.match(text, /^From: shop@example\.com$/m);
    assert.match(text, /^Content-Type: text\/plain; charset=utf-8$/m);
  });

  test('failSilently swallows a stream that throws, and counts nothing', async () => {
    const broken = { write: () => { throw new Error('EPIPE'); } };
    assert.equal(await new ConsoleEmailBackend({ stream: broken, failSilently: true }).sendMessages([note('a')]), 0);
    await assert.rejects(new ConsoleEmailBackend({ stream: broken }).sendMessages([note('a')]), /EPIPE/);
  });
});

describe('file backend', () => {
  test('one connection writes one file; another connection another file', async () => {
    const target = join(folder, 'per-connection');
    const first = new FileEmailBackend({ filePath: target });
    await first.sendMessages([note('one')]);
    await first.sendMessages([note('two')]);
    await new FileEmailBackend({ filePath: target }).sendMessages([note('three')]);
    const files = readdirSync(target);
    assert.equal(files.length, 2);
    assert.match(files[0]!, /^\d{8}-\d{6}-[0-9a-f]{12}\.log$/);
    const firstText = readFileSync(first.fileName, 'utf8');
    assert.equal(firstText.split(SEPARATOR).length - 1, 2);
    assert.match(firstText, /Subject: one[\s\S]*Subject: two/);
  });

  test('reads EMAIL_FILE_PATH and creates the folder', async () => {
    const nested = join(folder, 'made', 'for', 'mail');
    await overrideSettings({ EMAIL_FILE_PATH: nested }, async () => {
      await getConnection('file').sendMessages([note('made')]);
    });
    assert.equal(readdirSync(nested).length, 1);
  });

  test('refuses a missing setting, a file in place of the folder, a folder it cannot write', async () => {
    await overrideSettings({ EMAIL_FILE_PATH: null }, () => {
      assert.throws(() => new FileEmailBackend(), (error: unknown) => error instanceof ImproperlyConfigured && /set EMAIL_FILE_PATH/.test(error.message));
    });
    const file = join(folder, 'a-file');
    writeFileSync(file, '');
    assert.throws(() => new FileEmailBackend({ filePath: file }), /exists, but is not a directory/);
    if (process.getuid?.() !== 0) {
      // root writes anywhere, so the permission check can only be seen as another user.
      const locked = join(folder, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      assert.throws(() => new FileEmailBackend({ filePath: locked }), /is not writable/);
    }
  });
});

describe('getConnection()', () => {
  test('reads EMAIL_BACKEND: short names and the Django dotted names', async () => {
    assert.ok(getConnection() instanceof LocmemEmailBackend);
    const names: Array<[string, Function]> = [
      ['smtp', SmtpEmailBackend],
      ['console', ConsoleEmailBackend],
      ['file', FileEmailBackend],
      ['locmem', LocmemEmailBackend],
      ['dummy', DummyEmailBackend],
      ['django.core.mail.backends.smtp.EmailBackend', SmtpEmailBackend],
      ['django.core.mail.backends.console.EmailBackend', ConsoleEmailBackend],
      ['django.core.mail.backends.filebased.EmailBackend', FileEmailBackend],
      ['django.core.mail.backends.locmem.EmailBackend', LocmemEmailBackend],
      ['django.core.mail.backends.dummy.EmailBackend', DummyEmailBackend],
    ];
    for (const [name, Backend] of names) {
      await overrideSettings({ EMAIL_BACKEND: name }, () => assert.ok(getConnection() instanceof Backend, name));
    }
  });

  test('passes failSilently and backend options to the constructor', () => {
    const smtp = getConnection('smtp', { failSilently: true, host: 'mail.example.com', port: 2525, username: 'u', password: 'p' }) as SmtpEmailBackend;
    assert.deepEqual([smtp.failSilently, smtp.host, smtp.port, smtp.username, smtp.password], [true, 'mail.example.com', 2525, 'u', 'p']);
  });

  test('takes an EmailBackend subclass, or a module path imported on first use', async () => {
    assert.ok(getConnection(CustomBackend) instanceof CustomBackend);
    const spec = `${import.meta.dirname}/fixtures/custom-backend.ts#CustomBackend`;
    await overrideSettings({ EMAIL_BACKEND: spec }, async () => {
      assert.equal(await getConnection().sendMessages([note('by module path')]), 1);
    });
    assert.deepEqual(sentSubjects, ['by module path']);
  });

  test('names the choices for an unknown name, and the fix for a bad module path', async () => {
    assert.throws(() => getConnection('sendgrid'), (error: unknown) => error instanceof ImproperlyConfigured && /'sendgrid'.*smtp, console, file, locmem, dummy/.test(error.message));
    await assert.rejects(getConnection(`${import.meta.dirname}/fixtures/custom-backend.ts#notABackend`).sendMessages([note('x')]), /does not name an EmailBackend subclass/);
    await assert.rejects(getConnection('./no/such/module#Backend').sendMessages([note('x')]), /could not be imported/);
  });

  test('routeMailToOutbox() sends what EMAIL_BACKEND names to the outbox, but not an explicit backend', async () => {
    routeMailToOutbox(true);
    try {
      await overrideSettings({ EMAIL_BACKEND: 'smtp' }, () => assert.ok(getConnection() instanceof LocmemEmailBackend));
      assert.ok(getConnection('dummy') instanceof DummyEmailBackend);
    } finally {
      routeMailToOutbox(false);
    }
    await overrideSettings({ EMAIL_BACKEND: 'smtp' }, () => assert.ok(getConnection() instanceof SmtpEmailBackend));
  });

  test('the SMTP backend refuses EMAIL_USE_TLS and EMAIL_USE_SSL together', async () => {
    await overrideSettings({ EMAIL_USE_TLS: true, EMAIL_USE_SSL: true }, () => {
      assert.throws(() => getConnection('smtp'), /EMAIL_USE_TLS\/EMAIL_USE_SSL are mutually exclusive/);
    });
  });
});
