// JsonResponse serializes plain data on JSON.stringify's native path and anything
// the built-in conversions touch through the replacer; both must give the same text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { JsonResponse, HttpResponse, ResponseHeaders } from '../../src/http/index.ts';
import { DateOnly } from '../../src/utils/dates.ts';

// An identity replacer forces the replacer path: the reference text for the same data.
function viaReplacer(data: unknown): string {
  return new JsonResponse(data, { safe: false, replacer: (_key, value) => value }).text;
}

function plain(data: unknown): string {
  return new JsonResponse(data, { safe: false }).text;
}

describe('JsonResponse serialization', () => {
  test('plain data gives the same text with and without the replacer', () => {
    const cases: unknown[] = [
      { message: 'Hello, World!' },
      { n: 1, f: 1.5, t: true, z: null, u: undefined, fn: () => 1, s: 'é"\\\n' },
      [1, 'two', [3, { four: 4 }], null],
      { when: new Date('2024-05-06T07:08:09.010Z') },
      'text',
      42,
      null,
    ];
    for (const data of cases) assert.equal(plain(data), viaReplacer(data));
  });

  test('bigint, DateOnly, Set and Map deep inside are converted as Django would', () => {
    const data = {
      id: 12n,
      huge: 2n ** 70n,
      nested: [{ day: DateOnly.of(2024, 2, 29) }],
      tags: new Set(['a', 'b']),
      counts: new Map([['x', 1]]),
    };
    assert.equal(
      plain(data),
      '{"id":12,"huge":"1180591620717411303424","nested":[{"day":"2024-02-29"}],"tags":["a","b"],"counts":{"x":1}}',
    );
    assert.equal(plain(data), viaReplacer(data));
  });

  test('a value with its own toJSON (Decimal) serializes as its toJSON says', () => {
    const data = { price: new Decimal('12.50'), rows: [{ total: new Decimal('0.1') }] };
    assert.equal(plain(data), '{"price":"12.5","rows":[{"total":"0.1"}]}');
    assert.equal(plain(data), viaReplacer(data));
  });

  test('a special value past a long run of plain ones is still converted', () => {
    const data = { rows: [...Array.from({ length: 2000 }, (_, i) => i), 7n] };
    const text = plain(data);
    assert.ok(text.endsWith(',1999,7]}'));
    assert.equal(text, viaReplacer(data));
  });

  test('space indents on both paths', () => {
    assert.equal(new JsonResponse({ a: [1] }, { space: 2 }).text, '{\n  "a": [\n    1\n  ]\n}');
    assert.equal(new JsonResponse({ a: 1n }, { space: 2 }).text, '{\n  "a": 1\n}');
  });

  test('options other than the JSON ones reach the response; the content type can be replaced', () => {
    const response = new JsonResponse({ a: 1 }, { status: 201, headers: { 'X-Id': '7' }, contentType: 'application/vnd.api+json' });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('x-id'), '7');
    assert.equal(response.headers.get('content-type'), 'application/vnd.api+json');
    assert.equal(new JsonResponse({ a: 1 }).headers.get('Content-Type'), 'application/json');
  });
});

describe('response closing', () => {
  test('closers run once, in order, sync and async alike', async () => {
    const log: string[] = [];
    const response = new HttpResponse('x');
    response.onClose(() => void log.push('sync 1'));
    response.onClose(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push('async');
    });
    response.onClose(() => void log.push('sync 2'));
    await response.close();
    await response.close();
    assert.deepEqual(log, ['sync 1', 'async', 'sync 2']);
  });

  test('a closer that throws rejects close() and the closers after it do not run', async () => {
    const log: string[] = [];
    const response = new HttpResponse('x');
    response.onClose(() => {
      throw new Error('cannot release');
    });
    response.onClose(() => void log.push('after'));
    await assert.rejects(response.close(), /cannot release/);
    assert.deepEqual(log, []);
  });

  test('a response without cookies has no Set-Cookie values; cookies are kept by name', () => {
    const response = new HttpResponse('x');
    assert.deepEqual(response.cookieHeaders(), []);
    response.setCookie('a', '1');
    response.setCookie('a', '2');
    assert.deepEqual(response.cookieHeaders(), ['a=2; Path=/']);
    assert.equal(response.cookies.size, 1);
  });
});

describe('ResponseHeaders', () => {
  test('flat() lists names as set and values, for writeHead', () => {
    const headers = new ResponseHeaders({ 'Content-Type': 'text/plain' });
    headers.set('X-Count', 3);
    headers.set('content-type', 'text/html');
    assert.deepEqual(headers.flat(), ['content-type', 'text/html', 'X-Count', '3']);
  });

  test('a name is validated every time it is not a known valid one', () => {
    const headers = new ResponseHeaders();
    headers.set('X-Ok', '1');
    assert.throws(() => headers.set('X Bad', '1'), /not a valid HTTP token/);
    assert.throws(() => headers.set('X Bad', '1'), /not a valid HTTP token/);
    assert.throws(() => headers.set('X-Ok', 'a\r\nb'), /newline/);
    assert.equal(headers.get('x-ok'), '1');
  });
});
