/** Model formsets and inline formsets on SQLite in memory (or Postgres with NUAGES_TEST_DB=postgres). */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { connections, createTables } from '../../src/db/index.ts';
import { captureQueries } from '../../src/db/query-log.ts';
import { InlineForeignKeyField } from '../../src/forms/inline-foreign-key-field.ts';
import { InlineFormSetForeignKeyError, ModelFormSetNotPreparedError, inlineFormsetFactory, modelFormsetFactory } from '../../src/forms/model-formsets.ts';
import type { ModelCtor } from '../../src/forms/models.ts';
import { testDatabaseSettings } from '../db/test-database.ts';
import { Author, Book, Publisher, Review } from './model-fixture.ts';

connections.configure({ default: testDatabaseSettings() });

let acme: Publisher;

before(async () => {
  await createTables([Publisher, Author, Book, Review]);
  acme = await Publisher.objects.create({ name: 'Acme' });
  await Author.objects.create({ name: 'Ann' });
});

const AuthorFormSet = modelFormsetFactory(Author, { fields: ['name', 'email'], extra: 1, canDelete: true });

function mgmt(prefix: string, total: number, initial: number): Record<string, string> {
  return { [`${prefix}-TOTAL_FORMS`]: String(total), [`${prefix}-INITIAL_FORMS`]: String(initial), [`${prefix}-MIN_NUM_FORMS`]: '0', [`${prefix}-MAX_NUM_FORMS`]: '1000' };
}

describe('modelFormsetFactory', () => {
  test('initial forms come from the queryset, plus the extra forms', async () => {
    const formset = new AuthorFormSet({ queryset: Author.objects.filter({ name: 'Ann' }) });
    assert.throws(() => formset.forms, ModelFormSetNotPreparedError);
    await formset.prepare();
    assert.equal(formset.initialFormCount(), 1);
    assert.equal(formset.totalFormCount(), 2);
    assert.equal(formset.forms[0]!.initial['name'], 'Ann');
  });

  test('adds, edits and deletes rows; reports new/changed/deleted objects', async () => {
    const ann = (await Author.objects.get({ name: 'Ann' }))!;
    const zed = await Author.objects.create({ name: 'Zed' });
    const qs = Author.objects.filter({ name__in: ['Ann', 'Zed'] });
    const formset = new AuthorFormSet({
      queryset: qs,
      data: {
        ...mgmt('form', 3, 2),
        'form-0-id': String(ann.pk), 'form-0-name': 'Annie', 'form-0-email': '',
        'form-1-id': String(zed.pk), 'form-1-name': 'Zed', 'form-1-email': '', 'form-1-DELETE': 'on',
        'form-2-id': '', 'form-2-name': 'Cleo', 'form-2-email': '',
      },
    });
    assert.equal(await formset.isValid(), true, JSON.stringify(formset.errors));
    const saved = await formset.save();
    assert.deepEqual(saved.map(String), ['Annie', 'Cleo']);
    assert.deepEqual(formset.newObjects.map(String), ['Cleo']);
    assert.deepEqual(formset.changedObjects.map(([o, f]) => [String(o), f]), [['Annie', ['name']]]);
    assert.deepEqual(formset.deletedObjects.map(String), ['Zed']);
    assert.equal(await Author.objects.filter({ name: 'Zed' }).count(), 0);
    assert.equal(await Author.objects.filter({ name: 'Cleo' }).count(), 1);
    ann.name = 'Ann';
    await ann.save();
  });

  test('duplicate unique values across forms give Django\'s non-form error', async () => {
    const PubFormSet = modelFormsetFactory(Publisher, { fields: ['name'], extra: 2 });
    const formset = new PubFormSet({
      queryset: Publisher.objects.filter({ name: 'none' }),
      data: { ...mgmt('form', 2, 0), 'form-0-name': 'Zeta', 'form-1-name': 'Zeta' },
    });
    assert.equal(await formset.isValid(), false);
    assert.deepEqual([...formset.nonFormErrors()].map(String), ['Please correct the duplicate data for name.']);
    assert.deepEqual([...formset.forms[1]!.nonFieldErrors()], ['Please correct the duplicate values below.']);
  });

  test('a forged TOTAL_FORMS builds at most absoluteMax forms', async () => {
    const Small = modelFormsetFactory(Author, { fields: ['name'], extra: 0, maxNum: 2, absoluteMax: 3 });
    const formset = new Small({ queryset: Author.objects.filter({ name: 'none' }), data: mgmt('form', 100000, 0) });
    assert.equal(await formset.isValid(), false);
    assert.equal(formset.forms.length, 3);
  });
});

describe('inlineFormsetFactory', () => {
  test('rows of the parent, fk hidden from the forms, set on save, prefix from the related name', async () => {
    const BookFormSet = inlineFormsetFactory(Publisher, Book, { fields: ['title', 'isbn'], extra: 1 });
    const formset = new BookFormSet({
      instance: acme,
      data: { ...mgmt('books', 1, 0), 'books-0-title': 'Dune', 'books-0-isbn': '123' },
    });
    assert.equal(formset.prefix, 'books');
    await formset.prepare();
    const keyField = formset.forms[0]!.fields['publisher']!;
    assert.ok(keyField instanceof InlineForeignKeyField);
    assert.equal(keyField.widget.isHidden, true);
    assert.equal((formset.forms[0]!.instance as Book).publisherId, acme.pk, 'the parent is set before validation');
    assert.equal(await formset.isValid(), true, JSON.stringify(formset.errors));
    const [book] = await formset.save();
    assert.equal((await Book.objects.get({ pk: book!.pk }))!.publisherId, acme.pk);
    const unbound = new BookFormSet({ instance: acme });
    await unbound.prepare();
    assert.equal(unbound.initialFormCount(), 1);
    assert.equal(unbound.forms[0]!.initial['title'], 'Dune');
  });
});

describe('model formset queries and saving', () => {
  test('the hidden primary-key field loads no choices: rendering costs the rows and nothing per form', async () => {
    const formset = new AuthorFormSet({ queryset: Author.objects.all() });
    const { queries } = await captureQueries(() => formset.render());
    assert.equal(queries.length, 1, queries.map((q) => q.sql).join('\n'));
  });

  test('a bound formset posting no existing rows never reads its queryset', async () => {
    const formset = new AuthorFormSet({ data: { ...mgmt('form', 1, 0), 'form-0-name': 'Dora', 'form-0-email': '' } });
    const { result, queries } = await captureQueries(() => formset.isValid());
    assert.equal(result, true);
    assert.deepEqual(queries.map((q) => q.sql), []);
  });

  test('save({ commit: false }) writes nothing; saveM2m() after saving the instances writes the links', async () => {
    const ann = await Author.objects.get({ name: 'Ann' });
    const BookFormSet = modelFormsetFactory(Book, { fields: ['title', 'isbn', 'publisher', 'authors'], extra: 1 });
    const formset = new BookFormSet({
      queryset: Book.objects.none(),
      data: { ...mgmt('form', 1, 0), 'form-0-title': 'Ubik', 'form-0-isbn': '9780547572291', 'form-0-publisher': String(acme.pk), 'form-0-authors': String(ann.pk) },
    });
    const [book] = (await formset.save({ commit: false })) as Book[];
    assert.equal(book!.pk, null);
    assert.equal(await Book.objects.filter({ title: 'Ubik' }).count(), 0);
    await book!.save();
    await formset.saveM2m();
    assert.deepEqual((await book!.authors.all()).map(String), ['Ann']);
    await book!.delete();
  });
});

describe('inlineFormsetFactory errors and defaults', () => {
  test('no key, a named field that is not a key to the parent, or two keys without fk are refused', () => {
    assert.throws(() => inlineFormsetFactory(Publisher as unknown as ModelCtor, Author as unknown as ModelCtor, { fields: ['name'] }), (e: Error) =>
      e instanceof InlineFormSetForeignKeyError && /has no ForeignKey to 'Publisher'/.test(e.message));
    assert.throws(() => inlineFormsetFactory(Publisher as unknown as ModelCtor, Book as unknown as ModelCtor, { fields: ['title'], fk: 'editor' }), (e: Error) =>
      e instanceof InlineFormSetForeignKeyError && /'Book.editor' is not a ForeignKey to 'Publisher'/.test(e.message));
    assert.equal(inlineFormsetFactory(Author as unknown as ModelCtor, Book as unknown as ModelCtor, { fields: ['title'], fk: 'editor' }).fk!.name, 'editor');
  });
});

