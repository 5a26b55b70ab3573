// The CSP constants, buildPolicy and LazyNonce. Django 5.2 has no CSP, so the expected
// values are those Django 6.0 documents and its own tests assert for django.utils.csp
// (the same header text for the same policy); the refusals of malformed policies are
// Nuages's own.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPolicy, CSP, InvalidCspPolicyError, LazyNonce, type CspPolicy } from '../../src/utils/csp.ts';

describe('CSP constants', () => {
  test('the source keywords are quoted as the header needs them, as Django 6.0 spells them', () => {
    assert.deepEqual(
      { ...CSP },
      {
        HEADER_ENFORCE: 'Content-Security-Policy',
        HEADER_REPORT_ONLY: 'Content-Security-Policy-Report-Only',
        NONE: "'none'",
        REPORT_SAMPLE: "'report-sample'",
        SELF: "'self'",
        STRICT_DYNAMIC: "'strict-dynamic'",
        UNSAFE_EVAL: "'unsafe-eval'",
        UNSAFE_HASHES: "'unsafe-hashes'",
        UNSAFE_INLINE: "'unsafe-inline'",
        WASM_UNSAFE_EVAL: "'wasm-unsafe-eval'",
        NONCE: '<CSP_NONCE_SENTINEL>',
      },
    );
  });

  test('the constants cannot be changed by a careless assignment', () => {
    assert.throws(() => {
      (CSP as { SELF: string }).SELF = '*';
    }, TypeError);
    assert.equal(CSP.SELF, "'self'");
  });
});

describe('buildPolicy', () => {
  const cases: Array<[string, CspPolicy, string | null | undefined, string]> = [
    ['an empty policy is an empty header value', {}, undefined, ''],
    ['one directive, one source', { 'default-src': [CSP.SELF] }, undefined, "default-src 'self'"],
    ['directives are joined by "; " in the order written', { 'default-src': [CSP.SELF], 'script-src': [CSP.NONE] }, undefined, "default-src 'self'; script-src 'none'"],
    ['a single string is one source', { 'default-src': CSP.SELF }, undefined, "default-src 'self'"],
    ['sources are joined by spaces', { 'default-src': [CSP.SELF, 'foo.com'] }, undefined, "default-src 'self' foo.com"],
    ['a set is sorted, so the header is the same on every request', { 'default-src': new Set([CSP.SELF, 'foo.com', 'bar.com']) }, undefined, "default-src 'self' bar.com foo.com"],
    ['null leaves the directive out', { 'default-src': [CSP.SELF], 'script-src': null }, undefined, "default-src 'self'"],
    ['undefined leaves the directive out', { 'default-src': [CSP.SELF], 'script-src': undefined }, undefined, "default-src 'self'"],
    ['true is a directive without value', { 'default-src': [CSP.SELF], 'block-all-mixed-content': true }, undefined, "default-src 'self'; block-all-mixed-content"],
    ['false leaves the directive out', { 'default-src': [CSP.SELF], 'block-all-mixed-content': false }, undefined, "default-src 'self'"],
    [
      'several directives without value',
      { 'default-src': [CSP.SELF], 'block-all-mixed-content': true, 'upgrade-insecure-requests': true },
      undefined,
      "default-src 'self'; block-all-mixed-content; upgrade-insecure-requests",
    ],
    ['a nonce is ignored by a policy without CSP.NONCE', { 'default-src': [CSP.SELF] }, 'abc123', "default-src 'self'"],
    ['CSP.NONCE becomes the nonce source', { 'default-src': [CSP.SELF, CSP.NONCE] }, 'abc123', "default-src 'self' 'nonce-abc123'"],
    [
      'every directive with CSP.NONCE gets the same nonce',
      { 'script-src': [CSP.SELF, CSP.NONCE], 'style-src': [CSP.SELF, CSP.NONCE] },
      'abc123',
      "script-src 'self' 'nonce-abc123'; style-src 'self' 'nonce-abc123'",
    ],
    ['without a nonce CSP.NONCE is left out', { 'script-src': [CSP.SELF, CSP.NONCE] }, undefined, "script-src 'self'"],
    ['an empty nonce counts as none', { 'script-src': [CSP.SELF, CSP.NONCE] }, '', "script-src 'self'"],
    ['a directive left with no source is left out', { 'default-src': [CSP.SELF], 'script-src': [CSP.NONCE] }, null, "default-src 'self'"],
    ['an empty list leaves the directive out', { 'default-src': [] }, undefined, ''],
    ['an empty string leaves the bare directive, as in Django', { 'default-src': [CSP.SELF], 'frame-src': '' }, undefined, "default-src 'self'; frame-src"],
    ['a string may hold several sources', { 'img-src': "'self' data:" }, undefined, "img-src 'self' data:"],
  ];
  for (const [name, policy, nonce, expected] of cases) {
    test(name, () => {
      assert.equal(buildPolicy(policy, nonce), expected);
    });
  }

  test('a LazyNonce is put in only once something read it', () => {
    const policy = { 'script-src': [CSP.SELF, CSP.NONCE] };
    const nonce = new LazyNonce();
    assert.equal(buildPolicy(policy, nonce), "script-src 'self'");
    assert.equal(nonce.used, false, 'building the header must not make the nonce');
    const value = nonce.value;
    assert.equal(buildPolicy(policy, nonce), `script-src 'self' 'nonce-${value}'`);
  });

  test('the sentinel is replaced only as a whole source', () => {
    assert.equal(buildPolicy({ 'script-src': [`x${CSP.NONCE}`] }, 'n'), `script-src x${CSP.NONCE}`);
  });
});

describe('malformed policies are refused (attacks and slips)', () => {
  function refused(policy: CspPolicy, pattern: RegExp): void {
    assert.throws(
      () => buildPolicy(policy, undefined, 'SECURE_CSP'),
      (error: unknown) => {
        assert.ok(error instanceof InvalidCspPolicyError);
        assert.equal(error.code, 'NUAGES_CSP_INVALID_POLICY');
        assert.match(error.message, pattern);
        return true;
      },
    );
  }

  test("a ';' in a source would smuggle in a directive of its own", () => {
    refused({ 'img-src': ["https://cdn.example; script-src 'unsafe-inline'"] }, /SECURE_CSP\['img-src'\].*contains ';'.*own list item/);
  });

  test("a ',' in a source would start a second, weaker policy", () => {
    refused({ 'script-src': ["'self', script-src *"] }, /contains ','/);
  });

  test('a line break in a source would split the header', () => {
    refused({ 'report-uri': '/csp/\r\nSet-Cookie: session=attacker' }, /contains "\\r"/);
  });

  test('a non-ASCII host must be written in punycode', () => {
    refused({ 'img-src': ['https://café.example'] }, /punycode/);
  });

  test('a directive name with a space or separator is refused', () => {
    refused({ "script-src 'unsafe-inline'; img-src": [CSP.SELF] }, /not a directive name/);
  });

  test('a camelCase directive name, which browsers would ignore, names the spelling to use', () => {
    refused({ scriptSrc: [CSP.SELF] }, /use 'script-src'/);
    refused({ upgradeInsecureRequests: true }, /use 'upgrade-insecure-requests'/);
  });

  test('a value that is not a string, list, set or boolean is refused', () => {
    refused({ 'default-src': 42 as never }, /holds number/);
    refused({ 'default-src': [CSP.SELF, null] as never }, /holds null/);
  });

  test('upper-case directive names are valid (the grammar is case-insensitive)', () => {
    assert.equal(buildPolicy({ 'Default-Src': [CSP.SELF] }), "Default-Src 'self'");
  });
});

describe('LazyNonce', () => {
  test('is not made until read, then is 128 random bits in base64url (22 characters)', () => {
    const nonce = new LazyNonce();
    assert.equal(nonce.used, false);
    assert.equal(nonce.__len__(), 0, 'false in {% if %} until made');
    const value = nonce.value;
    assert.equal(nonce.used, true);
    assert.match(value, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(Buffer.from(value, 'base64url').length, 16);
    assert.equal(nonce.__len__(), 22);
  });

  test('keeps its value, and prints as it in strings and JSON', () => {
    const nonce = new LazyNonce();
    const value = String(nonce);
    assert.equal(nonce.value, value);
    assert.equal(`${nonce}`, value);
    assert.equal(JSON.stringify({ nonce }), JSON.stringify({ nonce: value }));
  });

  test('two nonces differ', () => {
    const seen = new Set(Array.from({ length: 50 }, () => new LazyNonce().value));
    assert.equal(seen.size, 50);
  });
});
