import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { env, ImproperlyConfigured, maskPassword, parseDatabaseUrl } from '../../src/conf/index.ts';

const touched = new Set<string>();
function setEnv(name: string, value: string): void {
  touched.add(name);
  process.env[name] = value;
}
afterEach(() => {
  for (const name of touched) delete process.env[name];
  touched.clear();
});

describe('env.str / env.int / env.list', () => {
  test('str reads the variable, else the default, else names the variable', () => {
    setEnv('NUAGES_T_STR', 'hello');
    assert.equal(env.str('NUAGES_T_STR'), 'hello');
    assert.equal(env.str('NUAGES_T_UNSET', 'fallback'), 'fallback');
    assert.throws(() => env.str('NUAGES_T_UNSET'), (err: Error & { code?: string }) => {
      assert.ok(err instanceof ImproperlyConfigured);
      assert.equal(err.code, 'NUAGES_ENV_MISSING');
      assert.match(err.message, /NUAGES_T_UNSET is not set/);
      return true;
    });
  });

  test('an empty variable is a value, not a missing one', () => {
    setEnv('NUAGES_T_EMPTY', '');
    assert.equal(env.str('NUAGES_T_EMPTY', 'fallback'), '');
  });

  test('int parses whole numbers and refuses the rest', () => {
    setEnv('NUAGES_T_INT', ' 8000 ');
    assert.equal(env.int('NUAGES_T_INT'), 8000);
    setEnv('NUAGES_T_INT', '-3');
    assert.equal(env.int('NUAGES_T_INT'), -3);
    assert.equal(env.int('NUAGES_T_UNSET', 5), 5);
    for (const bad of ['8000.5', '12abc', '', '1e3', '99999999999999999999']) {
      setEnv('NUAGES_T_INT', bad);
      assert.throws(() => env.int('NUAGES_T_INT'), { code: 'NUAGES_ENV_INVALID' }, bad);
    }
  });

  test('list splits on commas, trims and drops empty items', () => {
    setEnv('NUAGES_T_LIST', 'example.com, .example.org ,,localhost');
    assert.deepEqual(env.list('NUAGES_T_LIST'), ['example.com', '.example.org', 'localhost']);
    setEnv('NUAGES_T_LIST', '');
    assert.deepEqual(env.list('NUAGES_T_LIST'), []);
    assert.deepEqual(env.list('NUAGES_T_UNSET', ['a']), ['a']);
    assert.throws(() => env.list('NUAGES_T_UNSET'), { code: 'NUAGES_ENV_MISSING' });
  });
});

describe('env.bool', () => {
  test('accepts true/false, 1/0, yes/no, on/off in any case', () => {
    const cases: Array<[string, boolean]> = [
      ['true', true], ['TRUE', true], ['1', true], ['yes', true], ['On', true],
      ['false', false], ['0', false], ['no', false], ['OFF', false], [' False ', false],
    ];
    for (const [raw, expected] of cases) {
      setEnv('NUAGES_T_BOOL', raw);
      assert.equal(env.bool('NUAGES_T_BOOL'), expected, raw);
    }
  });

  test('anything else names the variable and the accepted values', () => {
    for (const bad of ['', 'y', 'enabled', '2']) {
      setEnv('NUAGES_T_BOOL', bad);
      assert.throws(() => env.bool('NUAGES_T_BOOL'), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'NUAGES_ENV_INVALID');
        assert.match(err.message, /NUAGES_T_BOOL is ".*", but a boolean must be one of true\/false, 1\/0, yes\/no, on\/off/);
        return true;
      });
    }
  });

  test('missing uses the default, or throws', () => {
    assert.equal(env.bool('NUAGES_T_UNSET', false), false);
    assert.throws(() => env.bool('NUAGES_T_UNSET'), { code: 'NUAGES_ENV_MISSING' });
  });
});

describe('database URLs', () => {
  test('sqlite with three slashes is a relative path', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:///relative.db'), { ENGINE: 'sqlite', NAME: 'relative.db' });
    assert.deepEqual(parseDatabaseUrl('sqlite:///data/app.sqlite3'), { ENGINE: 'sqlite', NAME: 'data/app.sqlite3' });
  });

  test('sqlite with four slashes is an absolute path', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:////abs/path.db'), { ENGINE: 'sqlite', NAME: '/abs/path.db' });
  });

  test('sqlite in memory', () => {
    for (const url of ['sqlite://:memory:', 'sqlite://', 'sqlite:///:memory:']) {
      assert.deepEqual(parseDatabaseUrl(url), { ENGINE: 'sqlite', NAME: ':memory:' }, url);
    }
  });

  test('sqlite percent-decodes the path and keeps query parameters as OPTIONS', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:///my%20db.sqlite3?timeout=20'), {
      ENGINE: 'sqlite',
      NAME: 'my db.sqlite3',
      OPTIONS: { timeout: '20' },
    });
  });

  test('sqlite with a host is refused with the two right spellings', () => {
    assert.throws(() => parseDatabaseUrl('sqlite://relative.db'), /three slashes.*four slashes/);
  });

  test('postgres: user, password, host, port, name and OPTIONS', () => {
    assert.deepEqual(parseDatabaseUrl('postgres://user:pass@db.example.com:5432/shop?sslmode=require'), {
      ENGINE: 'postgres',
      NAME: 'shop',
      USER: 'user',
      PASSWORD: 'pass',
      HOST: 'db.example.com',
      PORT: 5432,
      OPTIONS: { sslmode: 'require' },
    });
  });

  test('postgresql:// is the same engine; user and password are percent-decoded', () => {
    const entry = parseDatabaseUrl('postgresql://b%C3%A9a:p%40ss%3Aw%2Frd@localhost/app%20db');
    assert.equal(entry.ENGINE, 'postgres');
    assert.equal(entry.USER, 'béa');
    assert.equal(entry.PASSWORD, 'p@ss:w/rd');
    assert.equal(entry.NAME, 'app db');
    assert.equal(entry.PORT, undefined);
  });

  test('postgres over a unix socket and IPv6', () => {
    assert.equal(parseDatabaseUrl('postgres://%2Fvar%2Frun%2Fpostgresql/app').HOST, '/var/run/postgresql');
    assert.equal(parseDatabaseUrl('postgres://u@[::1]:5433/app').HOST, '::1');
  });

  test('conn_max_age in the URL or the options sets CONN_MAX_AGE', () => {
    assert.equal(parseDatabaseUrl('postgres://h/app?conn_max_age=600').CONN_MAX_AGE, 600);
    assert.equal(parseDatabaseUrl('postgres://h/app?conn_max_age=600').OPTIONS, undefined);
    assert.equal(parseDatabaseUrl('postgres://h/app', { connMaxAge: 60 }).CONN_MAX_AGE, 60);
    assert.throws(() => parseDatabaseUrl('postgres://h/app?conn_max_age=soon'), /conn_max_age=soon/);
  });

  test('disable_server_side_cursors in the URL sets DISABLE_SERVER_SIDE_CURSORS (PgBouncer in transaction mode)', () => {
    const entry = parseDatabaseUrl('postgres://h:6432/app?disable_server_side_cursors=true');
    assert.equal(entry.DISABLE_SERVER_SIDE_CURSORS, true);
    assert.equal(entry.OPTIONS, undefined);
    assert.equal(parseDatabaseUrl('postgres://h/app?disable_server_side_cursors=false').DISABLE_SERVER_SIDE_CURSORS, false);
    assert.throws(() => parseDatabaseUrl('postgres://h/app?disable_server_side_cursors=yes'), /disable_server_side_cursors=yes.*true or false/);
  });

  test('bad URLs say what is wrong and never print the password', () => {
    const bad: Array<[string, RegExp]> = [
      ['mysql://u:secret@h/db', /scheme 'mysql:\/\/'.*sqlite:\/\/ or postgres:\/\//],
      ['postgres://u:secret@h', /names no database/],
      ['postgres://u:secret@h:99999/db', /cannot be parsed/],
      ['not a url', /is not a URL/],
      ['postgres://u:secret@h/db%ZZ', /malformed percent-escape in its database name/],
    ];
    for (const [url, message] of bad) {
      assert.throws(() => parseDatabaseUrl(url, { variable: 'DATABASE_URL' }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'NUAGES_INVALID_DATABASE_URL');
        assert.match(err.message, /^DATABASE_URL /);
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /secret/);
        return true;
      }, url);
    }
  });

  test('maskPassword hides only the password', () => {
    assert.equal(maskPassword('postgres://u:secret@h:5432/db'), 'postgres://u:***@h:5432/db');
    assert.equal(maskPassword('postgres://u@h/db'), 'postgres://u@h/db');
  });

  test('env.db reads DATABASE_URL by default, else the default URL, else names the variable', () => {
    setEnv('DATABASE_URL', 'postgres://app@localhost:5432/test');
    assert.deepEqual(env.db(), { ENGINE: 'postgres', NAME: 'test', USER: 'app', HOST: 'localhost', PORT: 5432 });
    assert.deepEqual(env.db('NUAGES_T_UNSET', 'sqlite:///db.sqlite3'), { ENGINE: 'sqlite', NAME: 'db.sqlite3' });
    assert.throws(() => env.db('NUAGES_T_UNSET'), /NUAGES_T_UNSET is not set/);
    setEnv('NUAGES_T_DB', 'oracle://x/y');
    assert.throws(() => env.db('NUAGES_T_DB'), /^InvalidDatabaseUrlError|NUAGES_T_DB \(oracle/);
  });
});
