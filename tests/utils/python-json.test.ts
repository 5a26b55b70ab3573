// pythonJsonStringify's options against what Python 3's json.dumps printed for the same
// values (Django's fixtures use indent, separators and ensure_ascii=False; floats keep
// Python's repr through PythonFloat).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PythonFloat, pythonJsonStringify } from '../../src/utils/python-json.ts';

describe('pythonJsonStringify', () => {
  test('with no options it is the compact, ASCII-only form Django signs', () => {
    assert.equal(pythonJsonStringify({ name: 'café', ratio: 0.00001 }), '{"name":"caf\\u00e9","ratio":1e-05}');
  });

  test('PythonFloat writes floats as Python repr() does', () => {
    const values = [1.0, -0.0, 0.1 + 0.2, 1e16, 1.5e16, 123456789012345.0, 1e-5, 0.0001, 1e22, -2.5e-7, 3.0e300, Infinity];
    assert.equal(
      pythonJsonStringify(values.map((v) => new PythonFloat(v)), { separators: [', ', ': '] }),
      '[1.0, -0.0, 0.30000000000000004, 1e+16, 1.5e+16, 123456789012345.0, 1e-05, 0.0001, 1e+22, -2.5e-07, 3e+300, Infinity]',
    );
  });

  test('indent with (",", ": ") and ensureAscii false: empty containers stay on their line, text is kept as is', () => {
    const value = { a: [1, {}, [], 'é\u2028\u007f'], b: { c: null } };
    assert.equal(
      pythonJsonStringify(value, { indent: 2, separators: [',', ': '], ensureAscii: false }),
      '{\n  "a": [\n    1,\n    {},\n    [],\n    "é\u2028\u007f"\n  ],\n  "b": {\n    "c": null\n  }\n}',
    );
  });

  test('indent 0 puts each item on its own line without indenting', () => {
    assert.equal(pythonJsonStringify({ a: [1, {}], b: 'x' }, { indent: 0, separators: [',', ': '] }), '{\n"a": [\n1,\n{}\n],\n"b": "x"\n}');
  });
});
