import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeValue, encodeValue, UNREADABLE } from '../../src/cache/index.ts';
import { captureLogs } from '../../src/utils/log.ts';

test('integers are stored as their digits, so a server can increment them', () => {
  assert.equal(encodeValue(42), '42');
  assert.equal(encodeValue(-7), '-7');
  assert.equal(decodeValue('42', 'k'), 42);
  assert.equal(decodeValue(Buffer.from('-7'), 'k'), -7);
});

test('a string of digits stays a string', () => {
  const encoded = encodeValue('123');
  assert.ok(Buffer.isBuffer(encoded));
  assert.equal(decodeValue(encoded, 'k'), '123');
});

test('other values carry the 0xC1 header and the format version', () => {
  const encoded = encodeValue(1.5) as Buffer;
  assert.equal(encoded[0], 0xc1);
  assert.equal(encoded[1], 1);
  assert.equal(decodeValue(encoded, 'k'), 1.5);
});

test('bytes of another format or version are a miss, logged with the key', async () => {
  const { result, records } = await captureLogs('nuages.cache', () => [
    decodeValue(Buffer.from('not ours'), 'k1'),
    decodeValue(Buffer.from([0xc1, 0x02, 0x01]), 'k2'),
    decodeValue(Buffer.from([0xc1, 0x01, 0x92, 0x01]), 'k3'),
  ]);
  assert.deepEqual(result, [UNREADABLE, UNREADABLE, UNREADABLE]);
  assert.deepEqual(records.map((record) => record.details['key']), ['k1', 'k2', 'k3']);
});

test('shared references and cycles survive', () => {
  const shared = { n: 1 };
  const value: Record<string, unknown> = { a: shared, b: shared };
  value['self'] = value;
  const back = decodeValue(encodeValue(value), 'k') as Record<string, unknown>;
  assert.equal(back['a'], back['b']);
  assert.equal(back['self'], back);
});
