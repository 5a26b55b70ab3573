// LOGGING as Django's dictConfig on pino: levels by dotted name, propagation to parents,
// filters, JSON lines, the file handler, mail to ADMINS with Django 5.2's subject, and the
// request id in every line of a request.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, overrideSettings } from '../../src/conf/index.ts';
import { responseForException, setRequestLogger } from '../../src/core/handlers/index.ts';
import { adminEmailHandler, outbox } from '../../src/core/mail/index.ts';
import { connections } from '../../src/db/connections.ts';
import { RequestFactory } from '../../src/test/index.ts';
import { captureLogs, getLogger } from '../../src/utils/log.ts';
import { configureLogging, configureLoggingFromSettings, flushLogging, type HandlerConfig, type LineStream, type LoggingConfig } from '../../src/utils/log-config.ts';
import { runWithRequestId } from '../../src/utils/request-context.ts';

const DJANGO = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'core', 'mail', 'django', 'mail-django.json'), 'utf8')) as {
  adminEmail: { subjects: string[] };
};

before(() =>
  configure({
    DEBUG: false,
    SECRET_KEY: 'logging-test-key',
    EMAIL_BACKEND: 'locmem',
    EMAIL_SUBJECT_PREFIX: '[Django] ',
    ADMINS: [['Ada', 'ada@example.com'], ['Grace', 'grace@example.com']],
    SERVER_EMAIL: 'errors@example.com',
    INTERNAL_IPS: ['10.0.0.7'],
    ALLOWED_HOSTS: ['testserver'],
  }),
);

let undo: (() => void) | null = null;
afterEach(() => {
  undo?.();
  undo = null;
});
after(async () => {
  setRequestLogger(null);
  await connections.reset();
});

function collector(): LineStream & { lines: string[]; json(): Record<string, unknown>[] } {
  const lines: string[] = [];
  return {
    lines,
    write(line: string) {
      lines.push(...line.split('\n').filter(Boolean));
      return true;
    },
    json: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function useConfig(config: LoggingConfig, debug = false): void {
  undo = configureLogging(config, { debug: () => debug, defaults: false });
}

describe('levels and propagation', () => {
  test('a record reaches its logger and its ancestors’ handlers, filtered by the effective level', () => {
    const shop = collector();
    const root = collector();
    useConfig({
      formatters: { json: { format: 'json' } },
      handlers: {
        shop: { class: 'console', stream: shop, formatter: 'json' },
        root: { class: 'console', stream: root, formatter: 'json' },
      },
      loggers: { shop: { handlers: ['shop'], level: 'INFO' } },
      root: { handlers: ['root'], level: 'WARNING' },
    });
    getLogger('shop.orders').debug('below INFO, dropped');
    getLogger('shop.orders').info('order placed', { order: 7 });
    getLogger('other').info('below the root WARNING, dropped');
    getLogger('other').warn('disk almost full');
    assert.deepEqual(shop.json().map((r) => [r['logger'], r['msg'], r['order']]), [['shop.orders', 'order placed', 7]]);
    // shop propagates to the root: the root's handler gets shop's records too.
    assert.deepEqual(root.json().map((r) => r['msg']), ['order placed', 'disk almost full']);
    assert.equal(root.json()[1]!['level'], 40, "pino's number for warn");
    assert.equal(typeof root.json()[0]!['time'], 'number');
  });

  test('propagate: false stops at the logger; a handler level filters on its own', () => {
    const db = collector();
    const root = collector();
    useConfig({
      formatters: { json: { format: 'json' } },
      handlers: {
        db: { class: 'console', stream: db, formatter: 'json', level: 'ERROR' },
        root: { class: 'console', stream: root, formatter: 'json' },
      },
      loggers: { 'nuages.db': { handlers: ['db'], level: 'DEBUG', propagate: false } },
      root: { handlers: ['root'], level: 'DEBUG' },
    });
    getLogger('nuages.db.backends').debug('SELECT 1');
    getLogger('nuages.db.backends').error('connection lost');
    assert.deepEqual(db.json().map((r) => r['msg']), ['connection lost']);
    assert.deepEqual(root.lines, []);
  });

  test('isEnabledFor follows the effective level, so costly debug messages are skipped', () => {
    useConfig({ loggers: { 'nuages.db.backends': { level: 'DEBUG' } }, root: { level: 'WARNING' } });
    assert.equal(getLogger('nuages.db.backends').isEnabledFor?.('debug'), true);
    assert.equal(getLogger('nuages.db').isEnabledFor?.('debug'), false);
    assert.equal(getLogger('nuages.db').isEnabledFor?.('warning'), true);
  });

  test('captureLogs still sees every record of its prefix on top of a configuration', async () => {
    useConfig({ root: { level: 'ERROR' } });
    const { records } = await captureLogs('nuages.cache', () => {
      assert.equal(getLogger('nuages.cache').isEnabledFor?.('debug'), true);
      getLogger('nuages.cache').debug('miss', { key: 'k' });
    });
    assert.deepEqual(records.map((r) => [r.level, r.message]), [['debug', 'miss']]);
  });

  test('a config naming an unknown handler says which', () => {
    assert.throws(() => configureLogging({ loggers: { shop: { handlers: ['nope'] } } }, { defaults: false }), /logger 'shop' uses handler 'nope'/);
  });
});

describe('filters', () => {
  test('requireDebugTrue / requireDebugFalse follow DEBUG; callbacks decide per record', () => {
    let debug = false;
    const dev = collector();
    const prod = collector();
    undo = configureLogging(
      {
        filters: {
          debugOnly: { class: 'requireDebugTrue' },
          prodOnly: { class: 'requireDebugFalse' },
          noHealth: { callback: (record) => !record.message.includes('/healthz') },
        },
        formatters: { json: { format: 'json' } },
        handlers: {
          dev: { class: 'console', stream: dev, formatter: 'json', filters: ['debugOnly'] },
          prod: { class: 'console', stream: prod, formatter: 'json', filters: ['prodOnly', 'noHealth'] },
        },
        root: { handlers: ['dev', 'prod'], level: 'INFO' },
      },
      { debug: () => debug, defaults: false },
    );
    getLogger('shop').info('GET /books/');
    getLogger('shop').info('GET /healthz');
    debug = true;
    getLogger('shop').info('GET /cart/');
    assert.deepEqual(prod.json().map((r) => r['msg']), ['GET /books/']);
    assert.deepEqual(dev.json().map((r) => r['msg']), ['GET /cart/']);
  });
});

describe('formats and handlers', () => {
  test('text format while DEBUG when no formatter is named', () => {
    const out = collector();
    useConfig({ handlers: { console: { class: 'console', stream: out } }, root: { handlers: ['console'], level: 'INFO' } }, true);
    getLogger('shop').warn('low stock', { sku: 'A1' });
    assert.match(out.lines[0]!, /^WARNING \S+ shop: low stock \{"sku":"A1"\}$/);
  });

  test('the file handler appends JSON lines', async () => {
    const filename = join(mkdtempSync(join(tmpdir(), 'nuages-log-')), 'logs', 'shop.log');
    useConfig({ handlers: { file: { class: 'file', filename } }, loggers: { shop: { handlers: ['file'], level: 'INFO' } } });
    getLogger('shop').info('first');
    getLogger('shop').error('second', { error: new Error('boom') });
    await flushLogging();
    const records = readFileSync(filename, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(records.map((r) => r['msg']), ['first', 'second']);
    assert.equal((records[1]!['error'] as { message: string }).message, 'boom');
  });

  test('a handler class of your own gets its config entry and each record', () => {
    const seen: string[] = [];
    class Collect {
      readonly config: HandlerConfig;
      constructor(config: HandlerConfig) {
        this.config = config;
      }
      handle(record: { message: string }) {
        seen.push(`${String(this.config.prefix)}${record.message}`);
      }
    }
    useConfig({ handlers: { mine: { class: Collect, prefix: '> ' } }, root: { handlers: ['mine'], level: 'DEBUG' } });
    getLogger('x').debug('hello');
    assert.deepEqual(seen, ['> hello']);
  });

  test('every line logged while handling a request carries its id', async () => {
    const out = collector();
    useConfig({ formatters: { json: { format: 'json' } }, handlers: { c: { class: 'console', stream: out, formatter: 'json' } }, root: { handlers: ['c'], level: 'DEBUG' } });
    await runWithRequestId('req-42', async () => {
      getLogger('nuages.db.backends').debug('SELECT 1');
      await new Promise((resolve) => setTimeout(resolve, 1));
      getLogger('shop').info('after an await');
    });
    getLogger('shop').info('outside');
    assert.deepEqual(out.json().map((r) => r['requestId']), ['req-42', 'req-42', undefined]);
  });
});

describe('the defaults, as Django’s DEFAULT_LOGGING', () => {
  test('a 500 is mailed to ADMINS through nuages.request with Django 5.2’s subjects', async (t) => {
    t.mock.method(process.stderr, 'write', () => true);
    undo = configureLoggingFromSettings();
    outbox.length = 0;
    for (const address of ['203.0.113.9', '10.0.0.7']) {
      const request = await new RequestFactory().get('/boom/', undefined, { meta: { REMOTE_ADDR: address } });
      assert.equal((await responseForException(request, new Error('boom'))).status, 500);
    }
    await adminEmailHandler.flush();
    assert.deepEqual(outbox.map((m) => m.subject), DJANGO.adminEmail.subjects);
  });

  test('nothing is mailed while DEBUG is true', async (t) => {
    t.mock.method(process.stderr, 'write', () => true);
    undo = configureLoggingFromSettings();
    outbox.length = 0;
    await overrideSettings({ DEBUG: true }, async () => {
      const request = await new RequestFactory().get('/boom/');
      await responseForException(request, new Error('boom'));
    });
    await adminEmailHandler.flush();
    assert.equal(outbox.length, 0);
  });

  test('LOGGING layers on the defaults: a project logger added, nuages.request kept', async (t) => {
    const out = collector();
    t.mock.method(process.stderr, 'write', () => true);
    await overrideSettings({ LOGGING: { version: 1, disable_existing_loggers: false, formatters: { j: { format: 'json' } }, handlers: { c: { class: 'console', stream: out, formatter: 'j' } }, loggers: { shop: { handlers: ['c'], level: 'INFO' } } } }, async () => {
      undo = configureLoggingFromSettings();
    });
    outbox.length = 0;
    getLogger('shop').info('hello');
    const request = await new RequestFactory().get('/boom/', undefined, { meta: { REMOTE_ADDR: '203.0.113.9' } });
    await responseForException(request, new Error('boom'));
    await adminEmailHandler.flush();
    assert.deepEqual(out.json().map((r) => r['msg']), ['hello']);
    assert.equal(outbox.length, 1);
  });
});

describe('SQL on nuages.db.backends', () => {
  test('each statement at DEBUG, with the request id, while DEBUG records queries and the logger is enabled', async () => {
    await connections.reset();
    connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
    const db = connections.get();
    db.forceDebugCursor = true; // what DEBUG = true does
    const out = collector();
    useConfig({ formatters: { j: { format: 'json' } }, handlers: { c: { class: 'console', stream: out, formatter: 'j' } }, loggers: { 'nuages.db.backends': { handlers: ['c'], level: 'DEBUG' } } });
    await runWithRequestId('req-sql', () => db.fetchAll({ sql: 'SELECT ? + 1', params: [41] }));
    const [line] = out.json();
    assert.match(String(line!['msg']), /^\(\d\.\d{3}\) SELECT \? \+ 1; args=\[41\]; alias=default$/);
    assert.deepEqual([line!['logger'], line!['level'], line!['requestId'], line!['alias']], ['nuages.db.backends', 20, 'req-sql', 'default']);
    undo!();
    // At INFO (the default) nothing is logged, and the message is never built.
    useConfig({ handlers: { c: { class: 'console', stream: out, formatter: undefined } }, loggers: { 'nuages.db.backends': { handlers: ['c'], level: 'INFO' } } });
    out.lines.length = 0;
    await db.fetchAll({ sql: 'SELECT 1', params: [] });
    assert.deepEqual(out.lines, []);
  });
});
