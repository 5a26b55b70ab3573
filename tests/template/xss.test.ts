import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, Library, markSafe } from '../../src/template/index.ts';
import { builtinFilters } from '../../src/template/builtins/filters.ts';
import { HOSTILE, assertNoInjectedMarkup } from '../security/hostile-strings.ts';

// Filters that exist to mark text safe: skipping them is the point of the test.
const MARKS_SAFE = new Set(['safe', 'safeseq']);
const ARGS: Record<string, string> = {
  add: '"<b>"',
  center: '40',
  cut: '"x"',
  date: '"Y"',
  default: '"<i>"',
  default_if_none: '"<i>"',
  dictsort: '"a"',
  dictsortreversed: '"a"',
  divisibleby: '2',
  get_digit: '1',
  join: '"<br>"',
  json_script: '"id"',
  ljust: '40',
  rjust: '40',
  slice: '":5"',
  stringformat: '"s"',
  time: '"H"',
  timesince: 'v',
  timeuntil: 'v',
  truncatechars: '10',
  truncatechars_html: '10',
  truncatewords: '3',
  truncatewords_html: '3',
  urlizetrunc: '15',
  wordwrap: '5',
  yesno: '"a,b"',
  pluralize: '"<s>"',
};

const engine = new Engine();

describe('hostile strings stay escaped', () => {
  for (const name of Object.keys(builtinFilters).sort()) {
    if (MARKS_SAFE.has(name)) continue;
    test(`|${name} escapes hostile input under autoescape`, async () => {
      const spec = builtinFilters[name]!;
      const arg = ARGS[name] ?? (spec.arg === 'required' ? '"x"' : null);
      const expr = arg === null ? `v|${name}` : `v|${name}:${arg}`;
      const t = engine.fromString(`{{ ${expr} }}|{{ l|${arg === null ? name : `${name}:${arg}`} }}`);
      for (const v of HOSTILE) {
        let out: string;
        try {
          out = await t.render({ v, l: [v, v] });
        } catch {
          continue; // a filter may reject the value; it must not print it raw
        }
        // json_script's own wrapper is markup by design; what is inside must not be.
        const inner = name === 'json_script' ? out.replaceAll(/<script id="id" type="application\/json">|<\/script>/g, '') : out;
        assertNoInjectedMarkup(inner, `${expr} with ${JSON.stringify(v)} -> ${out}`);
      }
    });
  }

  test('values in every tag that prints are escaped', async () => {
    const t = engine.fromString(
      '{{ v }}{% firstof v %}{% cycle v v %}{% with x=v %}{{ x }}{% endwith %}{% for i in l %}{{ i }}{% endfor %}' +
        '{% filter lower %}{{ v }}{% endfilter %}{% if v %}{{ v|default:"" }}{% endif %}{{ d }}{{ l }}',
    );
    for (const v of HOSTILE) {
      assertNoInjectedMarkup(await t.render({ v, l: [v], d: { k: v } }), v);
    }
  });

  test('only values marked safe go through raw', async () => {
    const t = engine.fromString('{{ s }}|{{ v|safe }}|{{ u }}');
    assert.equal(await t.render({ s: markSafe('<b>'), v: '<i>', u: '<u>' }), '<b>|<i>|&lt;u&gt;');
  });

  test('string literals in the template are safe (the author wrote them), variables are not', async () => {
    assert.equal(await engine.fromString('{{ "<b>" }}{{ v|default:"<i>" }}').render({ v: '<x>' }), '<b>&lt;x&gt;');
  });

  test('simple tags escape what they return unless it is safe', async () => {
    const lib = new Library().simpleTag('echo', (v: unknown) => v);
    const e = new Engine({ builtins: [lib] });
    assertNoInjectedMarkup(await e.fromString('{% echo v %}').render({ v: HOSTILE[0] }), 'simple tag');
  });
});

describe('a template is data, never code', () => {
  const PAYLOADS = [
    '"); globalThis.pwned = 1; ("',
    "'); globalThis.pwned = 1; ('",
    '`${globalThis.pwned = 1}`',
    '\\"); globalThis.pwned = 1; //',
    '</script><script>globalThis.pwned=1</script>',
    '\u2028globalThis.pwned = 1\u2029',
  ];

  test('hostile text, literals, names and filter arguments compile without running', async () => {
    for (const p of PAYLOADS) {
      const sources = [
        p,
        `{{ ${JSON.stringify(p)} }}`,
        `{{ x|default:${JSON.stringify(p)} }}`,
        `{% if x == ${JSON.stringify(p)} %}a{% endif %}`,
        `{% for a in ${JSON.stringify(p)} %}{{ a }}{% endfor %}`,
        `{% with v=${JSON.stringify(p)} %}{{ v }}{% endwith %}`,
        `{% verbatim %}${p}{% endverbatim %}`,
        `{% cycle ${JSON.stringify(p)} 'b' as c %}`,
        `{% now ${JSON.stringify(p)} %}`,
      ];
      for (const source of sources) {
        try {
          await engine.fromString(source, p).render({ x: p });
        } catch {
          // a syntax error is fine; running the payload is not
        }
        assert.equal((globalThis as { pwned?: number }).pwned, undefined, source);
      }
    }
  });
});
