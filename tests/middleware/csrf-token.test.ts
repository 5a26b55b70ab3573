// The CSRF secret and its masked tokens, against tokens Django 5.2 made
// (tests/middleware/django/csrf_oracle.py → csrf.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpRequest } from '../../src/http/index.ts';
import {
  CSRF_ALLOWED_CHARS,
  CSRF_COOKIE_META_KEY,
  doesTokenMatch,
  getToken,
  maskCipherSecret,
  newCsrfSecret,
  rotateToken,
  tokenFormatProblem,
  unmaskCipherToken,
} from '../../src/middleware/csrf-token.ts';

interface Oracle {
  allowedChars: string;
  secret: string;
  masks: { token: string; secret: string }[];
  fixedMasks: { secret: string; mask: string; token: string }[];
}

const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'csrf.json'), 'utf8')) as Oracle;
const TOKEN_SHAPE = /^[a-zA-Z0-9]{64}$/;

test('the alphabet is Django’s, in Django’s order (the masking arithmetic depends on it)', () => {
  assert.equal(CSRF_ALLOWED_CHARS, oracle.allowedChars);
});

test('tokens Django masked unmask to their secret', () => {
  for (const { token, secret } of oracle.masks) assert.equal(unmaskCipherToken(token), secret);
});

test('masking a secret under a given mask gives Django’s token', () => {
  for (const { secret, mask, token } of oracle.fixedMasks) assert.equal(maskCipherSecret(secret, mask), token);
});

test('a masked token is 64 allowed characters, new on every call, and unmasks to the secret', () => {
  const tokens = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const token = maskCipherSecret(oracle.secret);
    assert.match(token, TOKEN_SHAPE);
    assert.equal(unmaskCipherToken(token), oracle.secret);
    tokens.add(token);
  }
  assert.equal(tokens.size, 20);
});

test('new secrets are 32 allowed characters and differ', () => {
  const a = newCsrfSecret();
  assert.match(a, /^[a-zA-Z0-9]{32}$/);
  assert.notEqual(a, newCsrfSecret());
});

test('tokenFormatProblem() accepts 32 and 64 characters of [a-zA-Z0-9] only, with Django’s wording', () => {
  assert.equal(tokenFormatProblem(oracle.secret), undefined);
  assert.equal(tokenFormatProblem(oracle.masks[0]!.token), undefined);
  assert.equal(tokenFormatProblem(''), 'has incorrect length');
  assert.equal(tokenFormatProblem('a'.repeat(63)), 'has incorrect length');
  assert.equal(tokenFormatProblem(`${'a'.repeat(31)}-`), 'has invalid characters');
  assert.equal(tokenFormatProblem(`${'a'.repeat(63)}é`), 'has invalid characters');
  // One character to Python, two UTF-16 units to JavaScript: still Python's count.
  assert.equal(tokenFormatProblem(`${'a'.repeat(31)}😀`), 'has invalid characters');
});

test('doesTokenMatch() takes a masked token or the secret itself, and nothing else', () => {
  const [first, , , , other] = oracle.masks;
  assert.equal(doesTokenMatch(first!.token, oracle.secret), true);
  assert.equal(doesTokenMatch(oracle.secret, oracle.secret), true);
  assert.equal(doesTokenMatch(other!.token, oracle.secret), false);
  assert.equal(doesTokenMatch(other!.secret, oracle.secret), false);
});

test('getToken() makes a secret once per request, marks it for sending and masks it anew each call', () => {
  const request = HttpRequest.create();
  assert.equal(request.csrfCookieNeedsReset, undefined);
  const first = getToken(request);
  const secret = request.META[CSRF_COOKIE_META_KEY]!;
  assert.match(secret, /^[a-zA-Z0-9]{32}$/);
  assert.equal(request.csrfCookieNeedsReset, true);
  const second = getToken(request);
  assert.notEqual(first, second);
  assert.equal(unmaskCipherToken(first), secret);
  assert.equal(unmaskCipherToken(second), secret);
  assert.equal(request.META[CSRF_COOKIE_META_KEY], secret);
});

test('getToken() uses the secret the middleware found, and marks it to renew the cookie', () => {
  const request = HttpRequest.create();
  request.META[CSRF_COOKIE_META_KEY] = oracle.secret;
  assert.equal(unmaskCipherToken(getToken(request)), oracle.secret);
  assert.equal(request.csrfCookieNeedsReset, true);
});

test('rotateToken() replaces the secret: tokens made before no longer match', () => {
  const request = HttpRequest.create();
  const before = getToken(request);
  request.csrfCookieNeedsReset = false;
  rotateToken(request);
  const secret = request.META[CSRF_COOKIE_META_KEY]!;
  assert.equal(request.csrfCookieNeedsReset, true);
  assert.equal(doesTokenMatch(before, secret), false);
  assert.equal(doesTokenMatch(getToken(request), secret), true);
});
