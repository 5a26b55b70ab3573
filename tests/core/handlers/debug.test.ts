// Masking rules checked against Django 5.2's SafeExceptionReporterFilter.cleanse_setting.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, resetSettings } from '../../../src/conf/index.ts';
import { CLEANSED_SUBSTITUTE, cleanseSetting, safeSettings } from '../../../src/core/handlers/index.ts';
import { errorChain, stackFrames } from '../../../src/core/handlers/debug.ts';

before(() => configure({ SECRET_KEY: 'very-secret', DEBUG: true, STRIPE_API_KEY: 'sk_live', SHOP_NAME: 'Nuages Books' }));
after(() => resetSettings());

const STARS = '********************';

test('names containing API, AUTH, TOKEN, KEY, SECRET, PASS, SIGNATURE are masked, case-insensitively (as Django)', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['SECRET_KEY', 's', STARS],
    ['MY_API_URL', 'x', STARS],
    ['AUTH_USER_MODEL', 'a.U', STARS],
    ['GITHUB_TOKEN', 't', STARS],
    ['DB_PASSWORD', 'p', STARS],
    ['PASSWORD_HASHERS', ['h'], STARS],
    ['SIGNATURE_ALGO', 'x', STARS],
    ['KEYBOARD', 'q', STARS],
    ['monkey', 'm', STARS],
    ['HTTP_COOKIE', 'c=1', STARS],
    ['HTTP_AUTHORIZATION', 'Bearer x', STARS],
    ['sessionid', 'abc', STARS],
    ['DEBUG', true, true],
    ['ALLOWED_HOSTS', ['a'], ['a']],
  ];
  assert.equal(CLEANSED_SUBSTITUTE, STARS);
  for (const [key, value, expected] of cases) assert.deepEqual(cleanseSetting(key, value), expected, key);
});

test('nested objects and lists are cleansed by their own keys', () => {
  assert.deepEqual(
    cleanseSetting('DATABASES', { default: { NAME: 'db', PASSWORD: 'pw', OPTIONS: { api_key: 'k', timeout: 5 } } }),
    { default: { NAME: 'db', PASSWORD: STARS, OPTIONS: { api_key: STARS, timeout: 5 } } },
  );
  assert.deepEqual(cleanseSetting('LIST', [{ token: 't', x: 1 }]), [{ token: STARS, x: 1 }]);
});

test('safeSettings() lists every setting, project ones included, with secrets masked', () => {
  const safe = safeSettings();
  assert.equal(safe['SECRET_KEY'], STARS);
  assert.equal(safe['STRIPE_API_KEY'], STARS);
  assert.equal(safe['SHOP_NAME'], 'Nuages Books');
  assert.equal(safe['DEBUG'], true);
  assert.deepEqual(Object.keys(safe), Object.keys(safe).sort());
});

test('stack frames carry the source line that threw and the lines around it', async () => {
  const error = new Error('here'); // the context line
  const frames = await stackFrames(error);
  const own = frames.find((f) => f.file === import.meta.filename);
  assert.ok(own, 'this test file is a frame');
  assert.equal(own.library, false);
  assert.match(own.contextLine ?? '', /new Error\('here'\); \/\/ the context line/);
  assert.ok(own.preContext.length > 0);
  assert.ok(frames.some((f) => f.file.startsWith('node:') && f.library));
});

test('errorChain follows cause and stops at a cycle', () => {
  const root = new Error('root');
  const top = new Error('top', { cause: root });
  assert.deepEqual(errorChain(top), [top, root]);
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  (a as { cause?: unknown }).cause = b;
  assert.deepEqual(errorChain(a), [a, b]);
});
