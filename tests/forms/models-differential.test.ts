/**
 * ModelForms against real Django 5.2: the cases of django/modelforms_oracle.py
 * (same models as model-fixture.ts, same data) compared on field names, errors
 * as JSON and the rendered HTML, byte for byte.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { connections, createTables, Decimal } from '../../src/db/index.ts';
import type { ValidationError } from '../../src/core/exceptions.ts';
import { modelForm, type ModelForm } from '../../src/forms/models.ts';
import * as widgets from '../../src/forms/widgets.ts';
import { MultiValueDict } from '../../src/http/query-dict.ts';
import { testDatabaseSettings } from '../db/test-database.ts';
import { Author, Book, Publisher, Review } from './model-fixture.ts';

connections.configure({ default: testDatabaseSettings() });

interface Spec {
  name: string;
  model?: 'Book' | 'Review';
  fields?: string[] | '__all__';
  exclude?: string[];
  labels?: Record<string, string>;
  help_texts?: Record<string, string>;
  error_messages?: Record<string, Record<string, string>>;
  widgets?: Record<string, string>;
  instance?: 'dune';
  data?: [string, string][];
}
interface Expected { name: string; fields: string[]; valid?: boolean; errors_json?: string; html: string }

interface ModelClean { name: string; values: Record<string, unknown>; }
const file = JSON.parse(readFileSync(new URL('./django/modelforms-expected.json', import.meta.url), 'utf8')) as {
  specs: Spec[];
  cases: Expected[];
  model_clean: { name: string; errors: Record<string, string[]> }[];
};
// The inputs of the oracle's MODEL_CLEAN (its output only names them).
const MODEL_CLEAN: ModelClean[] = [
  { name: 'allowed rows', values: { bookId: 1, reviewerId: 3, text: 'ok' } },
  { name: 'book out of stock', values: { bookId: 2, text: 'ok' } },
  { name: 'book that does not exist', values: { bookId: 99, text: 'ok' } },
  { name: 'reviewer without an email', values: { bookId: 1, reviewerId: 1, text: 'ok' } },
  { name: 'no book at all', values: { text: 'ok' } },
];
let dune: Book;

before(async () => {
  await createTables([Publisher, Author, Book, Review]);
  const acme = await Publisher.objects.create({ name: 'Acme' });
  await Publisher.objects.create({ name: '<Bold & Co>' });
  const ann = await Author.objects.create({ name: 'Ann' });
  await Author.objects.create({ name: 'Bob' });
  dune = await Book.objects.create({ title: 'Dune', isbn: '9780441013593', price: new Decimal('9.99'), rating: 5, publisher: acme });
  await dune.authors.set([ann]);
  await Book.objects.create({ title: 'Gone', isbn: '9780000000000', price: new Decimal('1'), publisher: acme, inStock: false });
  await Author.objects.create({ name: 'Cy', email: 'cy@example.com' });
});

function formFor(spec: Spec): ModelForm {
  const widgetMap = Object.fromEntries(Object.entries(spec.widgets ?? {}).map(([k, v]) => [k, (widgets as unknown as Record<string, new () => widgets.Widget>)[v]!]));
  const Form = modelForm((spec.model === 'Review' ? Review : Book) as typeof Book, {
    fields: spec.fields as never,
    exclude: spec.exclude,
    labels: spec.labels,
    helpTexts: spec.help_texts,
    errorMessages: spec.error_messages,
    widgets: widgetMap,
  });
  let data: MultiValueDict<string> | undefined;
  if (spec.data) {
    const lists: Record<string, string[]> = {};
    for (const [k, v] of spec.data) (lists[k] ??= []).push(v);
    data = new MultiValueDict(lists);
  }
  return new Form({ data, instance: spec.instance === 'dune' ? dune : undefined }) as ModelForm;
}

test('the corpus covers every oracle case', () => {
  assert.equal(file.cases.length, file.specs.length);
  assert.ok(file.cases.length >= 16);
  assert.deepEqual(file.model_clean.map((c) => c.name), MODEL_CLEAN.map((c) => c.name));
});

for (const [index, c] of MODEL_CLEAN.entries()) {
  test(`differential: Review.fullClean() with ${c.name} (ForeignKey validation with limitChoicesTo)`, async () => {
    const review = new Review(c.values as never);
    let errors: Record<string, string[]> = {};
    try {
      await review.fullClean();
    } catch (error) {
      errors = Object.fromEntries(Object.entries((error as ValidationError).errorDict!).map(([k, v]) => [k, v.map((m) => m.message)]));
    }
    assert.deepEqual(errors, file.model_clean[index]!.errors);
  });
}

for (const [index, spec] of file.specs.entries()) {
  const expected = file.cases[index]!;
  test(`differential: ${spec.name}`, async () => {
    const form = formFor(spec);
    assert.deepEqual(Object.keys(form.fields), expected.fields);
    if (expected.valid !== undefined) {
      assert.equal(await form.isValid(), expected.valid);
      assert.deepEqual(JSON.parse(form.errors.asJson()), JSON.parse(expected.errors_json!));
    }
    assert.equal((await form.render()).value, expected.html);
  });
}
