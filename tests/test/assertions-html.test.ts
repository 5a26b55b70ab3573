// assertHTMLEqual, assertInHTML and the parser under them, and assertJSONEqual: what
// compares equal and what does not, as Django 5.2's django.test.html decides.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import {
  assertHTMLEqual,
  assertHTMLNotEqual,
  assertInHTML,
  assertJSONEqual,
  assertJSONNotEqual,
  HTMLParseError,
  parseHtml,
} from '../../src/test/index.ts';

describe('parseHtml', () => {
  test('prints the normalised tree Django prints', () => {
    // Each pair was printed by str(django.test.html.parse_html(...)).
    const cases: Array<[string, string]> = [
      ['<p class="b a" id=x>hi <b>there</b></p>', '<p class="a b" id="x">\nhi<b>\nthere\n</b>\n</p>'],
      ['<input checked><br>', '<input checked><br>'],
      ['text <p>x</p>', 'text<p>\nx\n</p>'],
      ['<div><p>a</p><p>b</p></div>', '<div>\n<p>\na\n</p><p>\nb\n</p>\n</div>'],
      ['<p>a &amp; &lt;</p>', '<p>\na &amp; &lt;\n</p>'],
      ['<img src=x/>', '<img src="x/">'],
      ['<p>\n  a\n  <b> b </b>\n c </p>', '<p>\na<b>\nb\n</b>c\n</p>'],
    ];
    for (const [html, printed] of cases) assert.equal(String(parseHtml(html)), printed, html);
  });

  test('an end tag that closes nothing is an HTMLParseError with its position', () => {
    assert.throws(() => parseHtml('<p>\n  </div>'), (error: unknown) => {
      assert.ok(error instanceof HTMLParseError);
      assert.equal(error.code, 'NUAGES_TEST_HTML_PARSE');
      assert.equal(error.message, 'Unexpected end tag `div` (line 2, column 2)');
      return true;
    });
  });

  test('an end tag closes the elements left open inside it', () => {
    assert.ok(parseHtml('<div><p>a</div>').equals(parseHtml('<div><p>a</p></div>')));
  });
});

describe('assertHTMLEqual / assertHTMLNotEqual', () => {
  test('attribute order, class order, whitespace and boolean spellings do not matter', () => {
    assertHTMLEqual('<p class="a  b" id=x>hi  there</p>', '<p id="x" class="b a">hi there</p>');
    assertHTMLEqual('<input checked>', '<input checked="checked">');
    assertHTMLEqual('<input checked="">', '<input checked>');
    assertHTMLEqual('<div>\n  <p>a</p>\n</div>', '<div><p>a</p></div>');
    assertHTMLEqual('<p>&lt;b&gt;</p>', '<p>&#60;b&#62;</p>');
  });

  test('text, attribute values and structure do matter', () => {
    assertHTMLNotEqual('<p>a</p>', '<p>b</p>');
    assertHTMLNotEqual('<a href="/x">a</a>', '<a href="/y">a</a>');
    assertHTMLNotEqual('<input value="">', '<input value="v">');
    assertHTMLNotEqual('<p><b>a</b></p>', '<p>a</p>');
  });

  test('fails with both normalised trees, as actual and expected', () => {
    assert.throws(() => assertHTMLEqual('<p>a</p><div><input checked></div>', '<p>b</p><div><input checked="checked"></div>'), (error: unknown) => {
      assert.ok(error instanceof AssertionError);
      assert.equal(error.message, '<p>\na\n</p><div>\n<input checked>\n</div> != <p>\nb\n</p><div>\n<input checked>\n</div>');
      assert.equal(error.actual, '<p>\na\n</p><div>\n<input checked>\n</div>');
      assert.equal(error.expected, '<p>\nb\n</p><div>\n<input checked>\n</div>');
      return true;
    });
    assert.throws(() => assertHTMLNotEqual('<p>a</p>', '<p>a </p>'), { name: 'AssertionError', message: '<p>\na\n</p> == <p>\na\n</p>' });
  });

  test('invalid HTML fails naming the argument', () => {
    assert.throws(() => assertHTMLEqual('<p></div>', '<p></p>'), {
      name: 'AssertionError',
      message: 'First argument is not valid HTML:\nUnexpected end tag `div` (line 1, column 3)',
    });
    assert.throws(() => assertHTMLEqual('<p></p>', '</p>'), { message: 'Second argument is not valid HTML:\nUnexpected end tag `p` (line 1, column 0)' });
  });
});

describe('assertInHTML', () => {
  test('finds an element anywhere, and counts exactly with count', () => {
    assertInHTML('<b>x</b>', '<p><b>x</b> and <b>x</b></p>', { count: 2 });
    assertInHTML('<b class="b a">x</b>', '<div><p><b class="a b">x</b></p></div>');
    assertInHTML('<b>y</b>', '<p><b>x</b></p>', { count: 0 });
  });

  test('a needle of several siblings matches a run of children', () => {
    assertInHTML('<a></a><b></b>', '<div><a></a><b></b><c></c></div>');
    assert.throws(() => assertInHTML('<a></a><c></c>', '<div><a></a><b></b><c></c></div>'), AssertionError);
  });

  test('plain text is not counted across an element (as Django)', () => {
    assert.throws(() => assertInHTML('foo', '<p>foo bar foo</p>', { count: 2 }), {
      message: "Found 0 instances of 'foo' (expected 2) in the following HTML\n<p>foo bar foo</p>",
    });
  });

  test('fails naming the needle and the count found', () => {
    assert.throws(() => assertInHTML('<b>y</b>', '<p><b>x</b></p>'), { message: "Couldn't find '<b>y</b>' in the following HTML\n<p><b>x</b></p>" });
    assert.throws(() => assertInHTML('<b>x</b>', '<p><b>x</b></p>', { count: 2 }), (error: unknown) => {
      assert.ok(error instanceof AssertionError);
      assert.equal(error.message, "Found 1 instances of '<b>x</b>' (expected 2) in the following HTML\n<p><b>x</b></p>");
      assert.equal(error.actual, 1);
      return true;
    });
  });
});

describe('assertJSONEqual / assertJSONNotEqual', () => {
  test('key order and formatting do not matter; array order does', () => {
    assertJSONEqual('{"a": 1, "b": [1, 2]}', { b: [1, 2], a: 1 });
    assertJSONEqual('{"a":1}', '{ "a" : 1 }');
    assertJSONNotEqual('[1, 2]', [2, 1]);
  });

  test('fails with the parsed values for the diff', () => {
    assert.throws(() => assertJSONEqual('{"a": 1}', { a: 2 }), (error: unknown) => {
      assert.ok(error instanceof AssertionError);
      assert.equal(error.message, '{"a":1} != {"a":2}');
      assert.deepEqual(error.expected, { a: 2 });
      return true;
    });
    assert.throws(() => assertJSONNotEqual('{"a": 1}', { a: 1 }), { message: '{"a":1} == {"a":1}' });
  });

  test('invalid JSON fails naming the argument', () => {
    assert.throws(() => assertJSONEqual('{a', { a: 2 }), { name: 'AssertionError', message: /^First argument is not valid JSON: "\{a"/ });
    assert.throws(() => assertJSONEqual('{"a":1}', '{a'), { message: /^Second argument is not valid JSON: "\{a"/ });
  });
});
