/**
 * The fast paths of the built-in filters against the exact paths they stand in
 * for, on many random inputs: every fast answer must be byte-identical.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { floatformatFast } from '../../src/template/builtins/filters/fast-number.ts';
import { builtinFilters, floatformatExact } from '../../src/template/builtins/filters.ts';
import { floatRepr, floatReprExponent } from '../../src/template/python.ts';
import { PY_WHITESPACE, pySplit, truncateChars, truncateCharsExact, truncateCharsSimple, truncateWords } from '../../src/template/text/text.ts';
import { SafeString } from '../../src/utils/safestring.ts';
import type { FilterCall } from '../../src/template/types.ts';

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = random(20260501);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

/** Numbers a template meets: prices, ties at every place, integers, tiny and huge values, raw bit patterns. */
function randomNumber(): number {
  switch (int(8)) {
    case 0:
      return Math.round(rand() * 100000) / 100;
    case 1: {
      // A tie: the digit after the kept places is a 5.
      const places = int(6);
      return Number(`${int(1000)}.${String(int(10 ** places)).padStart(places, '0')}5`) * (rand() < 0.3 ? -1 : 1);
    }
    case 2:
      return int(2_000_000) - 1_000_000;
    case 3:
      return (rand() - 0.5) * 10 ** (int(40) - 20);
    case 4:
      return pick([0, -0, 0.5, -0.5, 0.05, 0.005, 0.0001, 0.00009999, 9.995, 99.995, 1e15 + 0.5, 2 ** 53, 1e16, 1e21, NaN, Infinity, -Infinity]);
    case 5: {
      const view = new DataView(new ArrayBuffer(8));
      view.setUint32(0, int(2 ** 32));
      view.setUint32(4, int(2 ** 32));
      return view.getFloat64(0);
    }
    case 6:
      return int(1000) / pick([3, 7, 8, 16, 1000, 1024]);
    default:
      return 9.99 + int(100) * 1.25;
  }
}

function randomPrecision(): unknown {
  switch (int(5)) {
    case 0:
      return undefined;
    case 1:
      return String(int(41) - 20);
    case 2:
      return pick(['2g', '-3u', '1gu', '+2', ' 2', '2.5', 'x', 2.5, true]);
    default:
      return int(21) - 10;
  }
}

/** A filter result as text plus its safe mark, to compare two results exactly. */
function shown(value: unknown): string {
  return value instanceof SafeString ? `safe:${value.value}` : `plain:${String(value)}`;
}

describe('floatformat fast path', () => {
  test('gives the exact path its answer byte for byte on random numbers and precisions', () => {
    let fast = 0;
    for (let i = 0; i < 30000; i++) {
      const value = randomNumber();
      const arg = randomPrecision();
      const got = floatformatFast(value, arg);
      if (got === undefined) continue;
      fast++;
      assert.equal(shown(got), shown(floatformatExact(value, arg)), `floatformat(${value}, ${String(arg)})`);
    }
    // The fast path must carry the common cases, not decline everything.
    assert.ok(fast > 15000, `only ${fast} of 30000 inputs took the fast path`);
  });

  test('declines what only the exact path handles', () => {
    for (const [value, arg] of [[1e-7, 2], [1e20, 2], [NaN, 2], [1.5, '2g'], ['1.5', 2], [1.5, 2.5]] as const) {
      assert.equal(floatformatFast(value, arg), undefined, `${value} ${arg}`);
    }
  });
});

describe('floatRepr', () => {
  test('the plain-notation shortcut matches the digit-by-digit form on random doubles', () => {
    for (let i = 0; i < 50000; i++) {
      const value = randomNumber();
      if (!Number.isFinite(value) || value === 0) continue;
      assert.equal(floatRepr(value), floatReprExponent(value), String(value));
    }
  });
});

const TEXT_PIECES = [
  'a', 'Z', '9', ' ', '  ', '\t', '\n', '\x1c', '\x85', '\xa0', '\u2003', '\u3000', '\ufeff', '&', '<', 'é', 'ñ', 'ß',
  'e\u0301', '\u0301', '\u20dd', '…', '😀', '\ud83d', 'Ω', 'ǅ', '\u0300', 'x\u0308y', 'word', 'hand-made',
];

function randomText(): string {
  let s = '';
  const n = int(40);
  // Mostly ASCII, as real data is, with the occasional hard character.
  for (let i = 0; i < n; i++) s += rand() < 0.8 ? pick(['a', 'b', ' ', 'word', 'Q', '.', '&']) : pick(TEXT_PIECES);
  return s;
}

describe('truncatechars fast path', () => {
  test('matches the NFC, code-point algorithm on random text', () => {
    let fast = 0;
    for (let i = 0; i < 30000; i++) {
      const s = randomText();
      const n = int(45) - 2;
      const simple = truncateCharsSimple(s, n);
      const exact = truncateCharsExact(s, n);
      if (simple !== undefined) {
        fast++;
        assert.equal(simple, exact, `${JSON.stringify(s)} ${n}`);
      }
      assert.equal(truncateChars(s, n), exact, `${JSON.stringify(s)} ${n}`);
    }
    assert.ok(fast > 5000, `only ${fast} inputs took the fast path`);
  });
});

// The reference implementations the hand-written scanners replaced.
const PY_WS_RUN = new RegExp(`[${PY_WHITESPACE}]+`, 'u');
const splitReference = (s: string) => s.split(PY_WS_RUN).filter((w) => w !== '');
function truncateWordsReference(value: string, num: number): string {
  if (num <= 0) return '';
  const words = splitReference(value);
  if (words.length > num) {
    const out = words.slice(0, num).join(' ');
    return out.endsWith(' …') ? out : `${out} …`;
  }
  return words.join(' ');
}

describe('word splitting', () => {
  test("pySplit splits on exactly Python's whitespace", () => {
    for (let code = 0; code < 0x10000; code++) {
      const s = `a${String.fromCharCode(code)}b`;
      assert.deepEqual(pySplit(s), splitReference(s), `U+${code.toString(16)}`);
    }
  });

  test('pySplit and truncatewords match the regex reference on random text', () => {
    for (let i = 0; i < 30000; i++) {
      const s = randomText();
      const n = int(12) - 1;
      assert.deepEqual(pySplit(s), splitReference(s), JSON.stringify(s));
      assert.equal(truncateWords(s, n), truncateWordsReference(s, n), `${JSON.stringify(s)} ${n}`);
    }
  });
});

describe('number fast paths of other filters', () => {
  const call: FilterCall = { autoescape: true, timeZone: 'UTC' };
  const run = (name: string, value: unknown, arg?: unknown) => {
    try {
      return shown(builtinFilters[name]!.fn(value, arg, call));
    } catch (error) {
      return `error:${(error as Error).message}`;
    }
  };

  test('divisibleby on numbers answers as int() of their text does', () => {
    for (let i = 0; i < 20000; i++) {
      const value = int(2001) - 1000;
      const arg = int(41) - 20;
      assert.equal(run('divisibleby', value, arg), run('divisibleby', String(value), String(arg)), `${value} ${arg}`);
    }
  });

  test('pluralize of a number with no argument is pluralize with "s"', () => {
    for (const value of [0, 1, -1, 1.0, 1.5, 2, NaN, Infinity, -0, 0.999999]) {
      assert.equal(run('pluralize', value), run('pluralize', value, 's'), String(value));
    }
  });

  test('truncation filters read a number argument as int() of its text', () => {
    for (let i = 0; i < 5000; i++) {
      const s = randomText();
      const n = int(30) - 2;
      for (const name of ['truncatechars', 'truncatewords']) {
        assert.equal(run(name, s, n), run(name, s, String(n)), `${name} ${JSON.stringify(s)} ${n}`);
      }
    }
  });
});
