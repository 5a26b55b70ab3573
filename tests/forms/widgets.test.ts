// Widgets against real Django 5.2: tests/forms/django/widgets_oracle.py renders
// every case with Django and writes widgets.json; each case here must match it byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { QueryDict } from '../../src/http/query-dict.ts';
import { DateOnly } from '../../src/utils/dates.ts';
import * as W from '../../src/forms/widgets.ts';
import { normalizeChoices, type Choice } from '../../src/forms/widgets/choice.ts';
import { DjangoTemplates, getDefaultRenderer } from '../../src/forms/renderers.ts';

interface Spec {
  widget: string;
  kwargs: Record<string, unknown>;
  is_required?: boolean;
}
interface RenderCase extends Spec {
  name: string;
  value: unknown;
  attrs: Record<string, unknown> | null;
  html: string;
  id_for_label: string;
  use_required_attribute: boolean;
  is_hidden: boolean;
  use_fieldset: boolean;
  needs_multipart_form: boolean;
}
interface DataCase extends Spec {
  name: string;
  data: Record<string, string[]>;
  files: Record<string, string[]>;
  value: unknown;
  omitted: boolean;
}

const oracle = JSON.parse(readFileSync(new URL('./django/widgets.json', import.meta.url), 'utf8')) as {
  render: RenderCase[];
  data: DataCase[];
};

// Stands in for a stored file (FieldFile): printed as its name, linked by its url.
class FakeFile {
  name: string;
  url: string;
  constructor(name: string, url: string) {
    this.name = name;
    this.url = url;
  }
  toString(): string {
    return this.name;
  }
}

function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('$date' in o) return DateOnly.fromISO(o.$date as string);
    if ('$datetime' in o) return new Date(`${o.$datetime as string}Z`);
    if ('$time' in o) return new Date(`1970-01-01T${o.$time as string}Z`);
    if ('$file' in o) {
      const f = o.$file as { name: string; url: string };
      return new FakeFile(f.name, f.url);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
  }
  return v;
}

function build(spec: Spec): W.Widget {
  const k = spec.kwargs ?? {};
  const attrs = (k.attrs as W.WidgetAttrs | undefined) ?? null;
  let w: W.Widget;
  switch (spec.widget) {
    case 'PasswordInput':
      w = new W.PasswordInput(attrs, { renderValue: k.render_value as boolean | undefined });
      break;
    case 'DateInput':
    case 'DateTimeInput':
    case 'TimeInput':
      w = new W[spec.widget](attrs, { format: k.format as string | undefined });
      break;
    case 'Select':
    case 'SelectMultiple':
    case 'RadioSelect':
    case 'CheckboxSelectMultiple':
      w = new W[spec.widget](attrs, (k.choices as Choice[] | undefined) ?? []);
      break;
    case 'MultiWidget':
      w = new W.MultiWidget((k.widgets as Spec[]).map(build), attrs);
      break;
    case 'SplitDateTimeWidget':
    case 'SplitHiddenDateTimeWidget':
      w = new W[spec.widget](attrs, {
        dateFormat: k.date_format as string | undefined,
        timeFormat: k.time_format as string | undefined,
        dateAttrs: k.date_attrs as W.WidgetAttrs | undefined,
        timeAttrs: k.time_attrs as W.WidgetAttrs | undefined,
      });
      break;
    case 'SelectDateWidget':
      w = new W.SelectDateWidget(attrs, {
        years: k.years as number[] | undefined,
        months: k.months as Record<number, string> | undefined,
        emptyLabel: k.empty_label as string | string[] | undefined,
      });
      break;
    default: {
      const Ctor = (W as unknown as Record<string, new (a: W.WidgetAttrs | null) => W.Widget>)[spec.widget]!;
      w = new Ctor(attrs);
    }
  }
  if (spec.is_required) w.isRequired = true;
  return w;
}

function label(c: Spec & { name: string }, i: number): string {
  return `${c.widget} #${i} ${JSON.stringify(c.kwargs).slice(0, 60)} ${String(JSON.stringify('data' in c ? c.data : (c as RenderCase).value)).slice(0, 60)}`;
}

test('every widget renders as Django 5.2 does (oracle cases)', async (t) => {
  const widgets = new Set(oracle.render.map((c) => c.widget));
  assert.ok(widgets.size >= 26, `oracle covers ${widgets.size} widget classes`);
  for (const [i, c] of oracle.render.entries()) {
    await t.test(label(c, i), async () => {
      const w = build(c);
      const html = await w.render(c.name, decode(c.value), c.attrs);
      assert.equal(html.value, c.html);
      assert.equal(w.idForLabel('id_x'), c.id_for_label, 'idForLabel');
      assert.equal(w.useRequiredAttribute(null), c.use_required_attribute, 'useRequiredAttribute');
      assert.equal(w.isHidden, c.is_hidden, 'isHidden');
      assert.equal(w.useFieldset, c.use_fieldset, 'useFieldset');
      assert.equal(w.needsMultipartForm, c.needs_multipart_form, 'needsMultipartForm');
    });
  }
});

function qd(d: Record<string, string[]>): QueryDict {
  const q = new QueryDict(undefined, { mutable: true });
  for (const [k, v] of Object.entries(d)) q.setList(k, v);
  return q;
}

test('valueFromDatadict and valueOmittedFromData agree with Django (QueryDict and plain objects)', async (t) => {
  for (const [i, c] of oracle.data.entries()) {
    await t.test(label(c, i), () => {
      const expected = c.value && typeof c.value === 'object' && '$contradiction' in c.value ? W.FILE_INPUT_CONTRADICTION : c.value;
      for (const [data, files] of [
        [qd(c.data), qd(c.files)],
        [c.data, c.files],
      ] as const) {
        const w = build(c);
        const value = w.valueFromDatadict(data, files, c.name);
        assert.deepEqual(value, expected);
        assert.equal(w.valueOmittedFromData(data, files, c.name), c.omitted);
      }
    });
  }
});

test('hostile values and attributes are escaped, never executed', async () => {
  const html = (await new W.TextInput({ onmouseover: '"><script>x</script>' }).render('"><b>', '"><script>alert(1)</script>')).value;
  assert.ok(!html.includes('<script>') && !html.includes('"><b>'), html);
  assert.match(html, /name="&quot;&gt;&lt;b&gt;"/);
  const select = (await new W.Select(null, [['<i>', '</option><script>']]).render('s', '<i>')).value;
  assert.equal(select, '<select name="s">\n  <option value="&lt;i&gt;" selected>&lt;/option&gt;&lt;script&gt;</option>\n\n</select>');
});

test('a widget clone has its own attrs, as Django deep-copies widgets per form', () => {
  const w = new W.Select({ class: 'a' }, [['1', 'One']]);
  const copy = w.clone();
  copy.attrs.class = 'b';
  assert.equal(w.attrs.class, 'a');
  assert.deepEqual(copy.choices, [['1', 'One']]);
});

test('choices accept objects, maps and functions, with nested groups', () => {
  assert.deepEqual(normalizeChoices({ a: 'A', G: { b: 'B' } }), [['a', 'A'], ['G', [['b', 'B']]]]);
  assert.deepEqual(normalizeChoices(new Map([[1, 'One']])), [[1, 'One']]);
  assert.deepEqual(normalizeChoices(() => [['x', 'X']]), [['x', 'X']]);
});

test('FileInput refuses multiple, and SelectDateWidget a malformed emptyLabel', () => {
  assert.throws(() => new W.FileInput({ multiple: true }), { code: 'NUAGES_FORMS_WIDGET_MULTIPLE_FILES' });
  assert.throws(() => new W.SelectDateWidget(null, { emptyLabel: ['a', 'b'] }), { code: 'NUAGES_FORMS_WIDGET_EMPTY_LABEL' });
});

test('MultiWidget without decompress reports it for a non-list value', () => {
  const w = new W.MultiWidget([W.TextInput, W.TextInput]);
  assert.throws(() => w.getContext('x', 'a'), /decompress/);
});

test('the default renderer is DjangoTemplates and caches its engine', () => {
  const r = getDefaultRenderer();
  assert.ok(r instanceof DjangoTemplates);
  assert.equal(getDefaultRenderer(), r);
  assert.equal((r as DjangoTemplates).engine, (r as DjangoTemplates).engine);
  assert.equal(r.formTemplateName, 'django/forms/div.html');
  assert.equal(r.fieldTemplateName, 'django/forms/field.html');
});
