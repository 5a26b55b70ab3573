import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize, smartSplit } from '../../src/template/lexer.ts';
import { Engine, Library, registerBuiltins } from '../../src/template/index.ts';

describe('lexer', () => {
  test('splits text, variables, blocks and comments, counting lines', () => {
    const tokens = tokenize('a\n{{ x }}\n{% if y %}{# c #}b');
    assert.deepEqual(
      tokens.map((t) => [t.type, t.contents, t.line]),
      [
        ['text', 'a\n', 1],
        ['var', 'x', 2],
        ['text', '\n', 2],
        ['block', 'if y', 3],
        ['comment', 'c', 3],
        ['text', 'b', 3],
      ],
    );
  });

  test('a tag never spans lines: an unclosed {{ on one line is text', () => {
    assert.deepEqual(tokenize('{{ a\n}}').map((t) => t.type), ['text']);
  });

  test('verbatim sections stay text up to the matching end tag', () => {
    const tokens = tokenize('{% verbatim v %}{{ x }}{% endverbatim %}{% endverbatim v %}{{ y }}');
    assert.deepEqual(
      tokens.map((t) => [t.type, t.contents]),
      [
        ['block', 'verbatim v'],
        ['text', '{{ x }}'],
        ['text', '{% endverbatim %}'],
        ['block', 'endverbatim v'],
        ['var', 'y'],
      ],
    );
  });

  test('splitContents keeps quoted strings and _("…") together', () => {
    const [token] = tokenize('{% tag "a b" c|f:\'x y\' _("t r") %}');
    assert.deepEqual(token!.splitContents(), ['tag', '"a b"', "c|f:'x y'", '_("t r")']);
    assert.deepEqual(smartSplit('a "b \\" c" d'), ['a', '"b \\" c"', 'd']);
  });
});

describe('registerBuiltins', () => {
  test('a library registered as a builtin needs no {% load %} in later engines', async () => {
    registerBuiltins(new Library().simpleTag('site_name', () => 'Nuages', { name: 'site_name' }));
    assert.equal(await new Engine().fromString('{% site_name %}').render({}), 'Nuages');
  });
});
