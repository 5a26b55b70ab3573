/**
 * Model formsets and inline formsets against real Django 5.2: the cases of
 * django/modelformsets_oracle.py (same models as model-fixture.ts, same seed rows, same
 * POST data) compared on validity, errors as JSON, non-form errors, counts, the rendered
 * formset byte for byte, and after save() the saved objects and the table's rows. Each
 * case runs in a transaction rolled back at its end, as the oracle does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { atomic, connections, createTables, setRollback } from '../../src/db/index.ts';
import type { ModelBase } from '../../src/db/models/base.ts';
import { inlineFormsetFactory, modelFormsetFactory, type BaseModelFormSet, type ModelFormSetQuerySet } from '../../src/forms/model-formsets.ts';
import type { ModelCtor } from '../../src/forms/models.ts';
import { MultiValueDict } from '../../src/http/query-dict.ts';
import { testDatabaseSettings } from '../db/test-database.ts';
import { Author, Book, Publisher, Review } from './model-fixture.ts';

connections.configure({ default: testDatabaseSettings() });

type ModelName = 'Author' | 'Publisher' | 'Book';
interface Spec {
  name: string;
  model: ModelName;
  factory: Record<string, unknown>;
  formset: { queryset?: { filter?: Record<string, unknown>; order_by?: string[] }; prefix?: string; initial?: Record<string, unknown>[] };
  parent: 'acme' | 'bold' | 'new' | null;
  data: [string, string][] | null;
  save: boolean;
}
interface Expected {
  name: string;
  prefix: string;
  fields: string[];
  valid?: boolean;
  errors?: unknown[];
  non_form_errors?: unknown[];
  total_error_count?: number;
  deleted?: number[];
  ordered?: number[];
  total_form_count: number;
  initial_form_count: number;
  html: string;
  saved?: string[];
  new_objects?: string[];
  changed_objects?: [string, string[]][];
  deleted_objects?: string[];
  rows: unknown[][];
}

const file = JSON.parse(readFileSync(new URL('./django/modelformsets.json', import.meta.url), 'utf8')) as { specs: Spec[]; cases: Expected[] };
const MODELS: Record<ModelName, ModelCtor> = { Author, Publisher, Book } as unknown as Record<ModelName, ModelCtor>;
const ROWS: Record<ModelName, string[]> = { Author: ['name', 'email'], Publisher: ['name'], Book: ['title', 'isbn', 'publisherId'] };
const FACTORY_OPTIONS: Record<string, string> = {
  fields: 'fields', exclude: 'exclude', extra: 'extra', can_delete: 'canDelete', can_order: 'canOrder', max_num: 'maxNum', min_num: 'minNum',
  validate_max: 'validateMax', validate_min: 'validateMin', absolute_max: 'absoluteMax', edit_only: 'editOnly',
};
const seeded: Record<ModelName, Set<unknown>> = { Author: new Set(), Publisher: new Set(), Book: new Set() };

before(async () => {
  await createTables([Publisher, Author, Book, Review]);
  const acme = await Publisher.objects.create({ name: 'Acme' });
  const bold = await Publisher.objects.create({ name: '<Bold & Co>' });
  await Author.objects.create({ name: 'Ann', email: 'ann@example.com' });
  await Author.objects.create({ name: 'Bob' });
  await Author.objects.create({ name: 'Cleo' });
  await Book.objects.create({ title: 'Dune', isbn: '111', publisher: acme });
  await Book.objects.create({ title: 'Emma', isbn: '222', publisher: acme });
  await Book.objects.create({ title: 'Xenia', isbn: '333', publisher: bold });
  for (const name of Object.keys(MODELS) as ModelName[]) {
    for (const row of (await (MODELS[name].objects.all() as unknown as PromiseLike<ModelBase[]>))) seeded[name].add(row.pk);
  }
});

async function rowsOf(name: ModelName): Promise<unknown[][]> {
  const rows = (await (MODELS[name].objects.all() as unknown as { orderBy(f: string): PromiseLike<ModelBase[]> }).orderBy('pk')) as ModelBase[];
  return rows.map((row) => {
    const seed = seeded[name].has(row.pk);
    return [seed ? 'seed' : 'new', seed ? row.pk : null, ...ROWS[name].map((f) => (row as unknown as Record<string, unknown>)[f])];
  });
}

function formsetFor(spec: Spec, parent: ModelBase | null): BaseModelFormSet {
  const factory = Object.fromEntries(Object.entries(spec.factory).map(([k, v]) => [FACTORY_OPTIONS[k] ?? assert.fail(`option ${k}`), v]));
  const model = MODELS[spec.model];
  const FormSet = spec.parent === null
    ? modelFormsetFactory(model, factory as never)
    : inlineFormsetFactory(Publisher as unknown as ModelCtor, model, factory as never);
  const options: Record<string, unknown> = {};
  const qs = spec.formset.queryset;
  if (qs) {
    let queryset = model.objects.all() as unknown as ModelFormSetQuerySet;
    if (qs.filter) queryset = queryset.filter(qs.filter as never);
    if (qs.order_by) queryset = queryset.orderBy(...qs.order_by);
    options['queryset'] = queryset;
  }
  if (spec.formset.prefix) options['prefix'] = spec.formset.prefix;
  if (spec.formset.initial) options['initial'] = spec.formset.initial;
  if (spec.parent !== null) options['instance'] = parent;
  if (spec.data) {
    const lists: Record<string, string[]> = {};
    for (const [k, v] of spec.data) (lists[k] ??= []).push(v);
    options['data'] = new MultiValueDict(lists);
  }
  return new FormSet(options) as BaseModelFormSet;
}

async function run(spec: Spec): Promise<Record<string, unknown>> {
  let parent: ModelBase | null = null;
  if (spec.parent === 'acme') parent = await Publisher.objects.get({ name: 'Acme' });
  if (spec.parent === 'bold') parent = await Publisher.objects.get({ name: '<Bold & Co>' });
  const fs = formsetFor(spec, parent);
  const got: Record<string, unknown> = { name: spec.name, prefix: fs.prefix };
  await fs.prepare();
  got['fields'] = Object.keys(fs.emptyForm.fields);
  if (fs.isBound) {
    got['valid'] = await fs.isValid();
    got['errors'] = fs.errors.map((e) => e.getJsonData());
    got['non_form_errors'] = fs.nonFormErrors().getJsonData();
    got['total_error_count'] = fs.totalErrorCount();
    got['deleted'] = fs.deletedForms.map((f) => fs.forms.indexOf(f));
    if (got['valid'] && fs.canOrder) got['ordered'] = fs.orderedForms.map((f) => fs.forms.indexOf(f));
  }
  got['total_form_count'] = fs.totalFormCount();
  got['initial_form_count'] = fs.initialFormCount();
  got['html'] = (await fs.render()).value;
  if (spec.save && got['valid']) {
    got['saved'] = (await fs.save()).map(String);
    got['new_objects'] = fs.newObjects.map(String);
    got['changed_objects'] = fs.changedObjects.map(([o, changed]) => [String(o), changed]);
    got['deleted_objects'] = fs.deletedObjects.map(String);
  }
  got['rows'] = await rowsOf(spec.model);
  return got;
}

test('the corpus covers every oracle case', () => {
  assert.equal(file.cases.length, file.specs.length);
  assert.ok(file.cases.length >= 30);
});

for (const [index, spec] of file.specs.entries()) {
  const expected = file.cases[index]!;
  test(`differential: ${spec.name}`, async () => {
    let got: Record<string, unknown> = {};
    await atomic(async () => {
      got = await run(spec);
      setRollback(true);
    });
    const { html, ...rest } = got;
    const { html: expectedHtml, ...expectedRest } = expected as unknown as Record<string, unknown>;
    assert.deepEqual(rest, expectedRest);
    assert.equal(html, expectedHtml);
  });
}
