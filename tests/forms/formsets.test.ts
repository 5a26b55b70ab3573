/**
 * Formsets: the cases of tests/forms/django/formsets.json (written by
 * formsets_oracle.py running Django 5.2) rebuilt in Nuages and compared — errors,
 * counts, deleted/ordered forms and the rendered HTML byte for byte — plus the
 * hostile inputs Django's oracle cannot show (a TOTAL_FORMS too large for a number).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MultiValueDict } from '../../src/http/query-dict.ts';
import {
  BaseFormSet,
  CharField,
  FormNotValidatedError,
  FormSetAbsoluteMaxError,
  FormSetInvalidError,
  FormSetNotOrderableError,
  IntegerField,
  ValidationError,
  allValid,
  defineForm,
  formsetFactory,
} from '../../src/forms/index.ts';
import type { BaseForm, FormSetFactoryOptions, FormSetFormClass, FormSetOptions } from '../../src/forms/index.ts';
import { Engine } from '../../src/template/engine.ts';

const ItemForm = defineForm({ title: new CharField({ maxLength: 10 }), qty: new IntegerField({ minValue: 1, required: false }) });
Object.defineProperty(ItemForm, 'name', { value: 'ItemForm' });
const NoteForm = defineForm({ note: new CharField({ required: false, label: 'Note <b>' }) });
const FORMS = { ItemForm, NoteForm } as const;

class DuplicatesFormSet extends BaseFormSet {
  override clean(): void {
    if (this.errors.some((e) => e.size > 0)) return;
    const seen = new Set<unknown>();
    for (const form of this.forms) {
      const title = (form.cleanedData as Record<string, unknown>)['title'];
      if (seen.has(title)) throw new ValidationError('Titles must differ: %(title)s.', { code: 'duplicate', params: { title: String(title) } });
      seen.add(title);
    }
  }
}

interface Spec {
  name: string;
  form: keyof typeof FORMS;
  factory: Record<string, unknown>;
  formset: Record<string, unknown>;
  data: [string, string][] | null;
  clean: string | null;
}
const corpus = JSON.parse(readFileSync(new URL('./django/formsets.json', import.meta.url), 'utf8')) as {
  cases: { spec: Spec; expected: Record<string, unknown> }[];
};
const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function build(spec: Spec): BaseFormSet<BaseForm> {
  const factory: FormSetFactoryOptions = Object.fromEntries(Object.entries(spec.factory).map(([k, v]) => [camel(k), v]));
  if (spec.clean === 'duplicates') factory.formset = DuplicatesFormSet;
  const FormSet = formsetFactory(FORMS[spec.form] as FormSetFormClass, factory);
  const options = Object.fromEntries(Object.entries(spec.formset).map(([k, v]) => [camel(k), v])) as FormSetOptions;
  if (spec.data !== null) {
    const data = new MultiValueDict<string>();
    for (const [key, value] of spec.data) data.appendList(key, value);
    options.data = data;
  }
  return new FormSet(options);
}

function mgmt(total: string | number, initial: string | number = 0, prefix = 'form'): Record<string, string> {
  return { [`${prefix}-TOTAL_FORMS`]: String(total), [`${prefix}-INITIAL_FORMS`]: String(initial) };
}

test('the formset corpus is Django 5.2 output with at least 50 cases', () => {
  assert.ok(corpus.cases.length >= 50, `only ${corpus.cases.length} cases`);
});

for (const { spec, expected } of corpus.cases) {
  test(`django: ${spec.name}`, async () => {
    const fs = build(spec);
    const got: Record<string, unknown> = { name: spec.name };
    if (fs.isBound) {
      got['valid'] = await fs.isValid();
      got['errors'] = fs.errors.map((e) => e.getJsonData());
      got['non_form_errors'] = fs.nonFormErrors().getJsonData();
      got['total_error_count'] = fs.totalErrorCount();
      got['deleted'] = fs.deletedForms.map((f) => fs.forms.indexOf(f));
      if (got['valid']) {
        got['cleaned_data'] = fs.cleanedData;
        if (fs.canOrder) got['ordered'] = fs.orderedForms.map((f) => fs.forms.indexOf(f));
      }
      got['non_form_errors_html'] = await fs.nonFormErrors().__html__();
    }
    got['total_form_count'] = fs.totalFormCount();
    got['initial_form_count'] = fs.initialFormCount();
    got['html'] = await fs.__html__();
    got['as_p'] = (await fs.asP()).value;
    got['as_ul'] = (await fs.asUl()).value;
    got['as_table'] = (await fs.asTable()).value;
    got['empty_form'] = await fs.emptyForm.__html__();
    got['repr'] = String(fs).replace(fs.constructor.name, 'FormSet');
    assert.deepEqual(got, expected);
  });
}

test('a TOTAL_FORMS beyond any number builds at most absoluteMax forms and is a validation error', async () => {
  const FormSet = formsetFactory(ItemForm, { maxNum: 5, absoluteMax: 10 });
  for (const total of ['9'.repeat(400), '1e308', String(Number.MAX_SAFE_INTEGER) + '0']) {
    const fs = new FormSet({ data: { ...mgmt(total), 'form-0-title': 'a' } });
    assert.ok(fs.forms.length <= 10, `${fs.forms.length} forms built for TOTAL_FORMS=${total.slice(0, 20)}`);
    assert.equal(await fs.isValid(), false);
    assert.ok(fs.nonFormErrors().length === 1, total.slice(0, 20));
  }
});

test('a tampered management form (repeated keys, arrays, objects) never throws', async () => {
  const FormSet = formsetFactory(ItemForm);
  const hostile: Record<string, unknown>[] = [
    { 'form-TOTAL_FORMS': ['1', '999999999'], 'form-INITIAL_FORMS': '0' },
    { 'form-TOTAL_FORMS': '1.5', 'form-INITIAL_FORMS': '-1' },
    { 'form-TOTAL_FORMS': '<script>', 'form-INITIAL_FORMS': '' },
    { 'form-TOTAL_FORMS': '2', 'form-INITIAL_FORMS': '9'.repeat(50) },
  ];
  for (const data of hostile) {
    const fs = new FormSet({ data });
    await fs.isValid();
    assert.ok(fs.forms.length <= 2000);
    await fs.render();
  }
  const repeated = new FormSet({ data: { 'form-TOTAL_FORMS': ['1', '999999999'], 'form-INITIAL_FORMS': '0' } });
  assert.equal(await repeated.isValid(), false); // the last value wins, as request.POST.get: too many forms
  assert.equal(repeated.nonFormErrors()[0], 'Please submit at most 1000 forms.');
});

test('errors, cleanedData and deletedForms wait for isValid(); invalid formsets refuse cleanedData', async () => {
  const FormSet = formsetFactory(ItemForm, { canOrder: false });
  const fs = new FormSet({ data: { ...mgmt(1), 'form-0-title': '' , 'form-0-qty': '4' } });
  assert.throws(() => fs.errors, FormNotValidatedError);
  assert.throws(() => fs.cleanedData, FormNotValidatedError);
  assert.throws(() => fs.nonFormErrors(), FormNotValidatedError);
  assert.equal(await fs.isValid(), false);
  assert.throws(() => fs.cleanedData, FormSetInvalidError);
  assert.throws(() => fs.orderedForms, FormSetNotOrderableError);
  assert.deepEqual(fs.deletedForms, []);
  assert.equal(fs.totalErrorCount(), 1);
  const unbound = new FormSet();
  assert.equal(await unbound.isValid(), false);
  assert.deepEqual(unbound.errors, []);
  assert.throws(() => unbound.cleanedData, FormSetInvalidError);
});

test('formsetFactory refuses maxNum above absoluteMax and names the class after the form', () => {
  assert.throws(() => formsetFactory(ItemForm, { maxNum: 30, absoluteMax: 20 }), FormSetAbsoluteMaxError);
  assert.equal(formsetFactory(ItemForm).name, 'ItemFormSet');
  assert.equal(new (formsetFactory(ItemForm, { extra: 2 }))().forms.length, 2);
});

test('typed cleanedData, an async clean() hook, formKwargs, getFormKwargs and addFields overrides', async () => {
  class Checked extends BaseFormSet {
    seen: number[] = [];
    override getFormKwargs(index: number | null): Record<string, unknown> {
      return { ...super.getFormKwargs(index), labelSuffix: index === null ? '?' : ` #${index}` };
    }
    override addFields(form: BaseForm, index: number | null): void {
      super.addFields(form, index);
      form.fields['note'] = new CharField({ required: false });
    }
    override async clean(): Promise<void> {
      await Promise.resolve();
      const total = this.forms.reduce((sum, f) => sum + Number((f.cleanedData as { qty: number | null }).qty ?? 0), 0);
      if (total > 5) throw new ValidationError('Too many items in total.', { code: 'total' });
    }
  }
  const FormSet = formsetFactory(ItemForm, { formset: Checked, extra: 0 });
  const ok = new FormSet({ data: { ...mgmt(2), 'form-0-title': 'a', 'form-0-qty': '2', 'form-1-title': 'b', 'form-1-note': 'n' } });
  assert.equal(await ok.isValid(), true);
  const rows = ok.cleanedData;
  assert.equal(rows[0]!.title, 'a');
  assert.equal(rows[1]!.qty, null);
  assert.deepEqual((rows[1] as Record<string, unknown>)['note'], 'n');
  assert.match((await ok.forms[0]!.getItem('title').labelTag()).value, /Title #0/);
  const tooMany = new FormSet({ data: { ...mgmt(2), 'form-0-title': 'a', 'form-0-qty': '4', 'form-1-title': 'b', 'form-1-qty': '4' } });
  assert.equal(await tooMany.isValid(), false);
  assert.deepEqual(tooMany.nonFormErrors().asData().map((e) => e.code), ['total']);
  assert.equal(await (await tooMany.nonFormErrors().asUl()).value, '<ul class="errorlist nonform"><li>Too many items in total.</li></ul>');
});

test('custom error messages and allValid() over several formsets', async () => {
  const FormSet = formsetFactory(ItemForm, { maxNum: 1, validateMax: true });
  const fs = new FormSet({
    data: { ...mgmt(2), 'form-0-title': 'a', 'form-1-title': 'b' },
    errorMessages: { too_many_forms: 'No more than %(num)d, please.' },
  });
  const other = new FormSet({ data: { ...mgmt(1, 0, 'x'), 'x-0-title': 'a' }, prefix: 'x' });
  assert.equal(await allValid([fs, other]), false);
  assert.deepEqual(fs.nonFormErrors().asData().map((e) => [e.message, e.code]), [['No more than 1, please.', 'too_many_forms']]);
  // allValid validated the second one too, even after the first failed.
  assert.deepEqual(other.errors.map((e) => e.size), [0]);
});

test('{{ formset }}, management_form, DELETE and empty_form in a project template', async () => {
  const FormSet = formsetFactory(ItemForm, { canDelete: true, extra: 1 });
  const fs = new FormSet({ initial: [{ title: 'Ann' }], prefix: 'items' });
  const engine = new Engine({});
  const template = engine.fromString(
    '{{ formset.management_form }}{% for f in formset %}[{{ f.title.value }}|{{ f.DELETE }}]{% endfor %}<template>{{ formset.empty_form.title }}</template>',
  );
  const html = await template.render({ formset: fs });
  assert.match(html, /name="items-TOTAL_FORMS" value="2"/);
  assert.match(html, /\[Ann\|<input type="checkbox" name="items-0-DELETE" id="id_items-0-DELETE">\]/);
  assert.match(html, /<template><input type="text" name="items-__prefix__-title" maxlength="10" id="id_items-__prefix__-title"><\/template>/);
  assert.equal(await engine.fromString('{{ formset }}').render({ formset: fs }), (await fs.render()).value);
});

test('hasChanged, initialForms/extraForms and isMultipart', async () => {
  const FormSet = formsetFactory(ItemForm, { extra: 2 });
  const unbound = new FormSet({ initial: [{ title: 'Ann' }] });
  assert.equal(unbound.initialForms.length, 1);
  assert.equal(unbound.extraForms.length, 2);
  assert.equal(unbound.isMultipart(), false);
  const same = new FormSet({ data: { ...mgmt(1, 1), 'form-0-title': 'Ann' }, initial: [{ title: 'Ann' }] });
  assert.equal(same.hasChanged(), false);
  const changed = new FormSet({ data: { ...mgmt(1, 1), 'form-0-title': 'Bob' }, initial: [{ title: 'Ann' }] });
  assert.equal(changed.hasChanged(), true);
});

test('{{ formset.non_form_errors }} in a template validates a bound formset first', async () => {
  const FormSet = formsetFactory(ItemForm);
  const fs = new FormSet({ data: { 'form-0-title': 'a' } });
  const html = await new Engine({}).fromString('{{ formset.non_form_errors }}|{{ formset.total_error_count }}').render({ formset: fs });
  assert.equal(
    html,
    '<ul class="errorlist nonform"><li>ManagementForm data is missing or has been tampered with. Missing fields: ' +
      'form-TOTAL_FORMS, form-INITIAL_FORMS. You may need to file a bug report if the issue persists.</li></ul>|1',
  );
});
