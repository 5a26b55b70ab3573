/**
 * ModelChoiceField, ModelMultipleChoiceField and ModelForm on SQLite in memory
 * (or Postgres with NUAGES_TEST_DB=postgres). Django-parity of generated fields,
 * errors and HTML is in models-differential.test.ts.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ImproperlyConfigured } from '../../src/core/errors.ts';
import { FieldError, ValidationError } from '../../src/core/exceptions.ts';
import { CASCADE, captureQueries, CharField, connections, createTables, Decimal, ForeignKey, Model } from '../../src/db/index.ts';
import { CharField as FormCharField, defineForm } from '../../src/forms/index.ts';
import { ModelChoiceField, ModelChoicesNotLoadedError, ModelMultipleChoiceField } from '../../src/forms/model-choice-fields.ts';
import { ModelForm, ModelFormNoModelError, ModelFormSaveInvalidError, modelForm, modelToDict } from '../../src/forms/models.ts';
import { RadioSelect } from '../../src/forms/widgets.ts';
import { testDatabaseSettings } from '../db/test-database.ts';
import { Author, Book, Publisher } from './model-fixture.ts';

connections.configure({ default: testDatabaseSettings() });

let acme: Publisher;
let bold: Publisher;
let ann: Author;
let bob: Author;

before(async () => {
  await createTables([Publisher, Author, Book]);
  acme = await Publisher.objects.create({ name: 'Acme' });
  bold = await Publisher.objects.create({ name: 'Bold' });
  ann = await Author.objects.create({ name: 'Ann' });
  bob = await Author.objects.create({ name: 'Bob' });
});

async function codes(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error.errorList.map((m) => m.code ?? '');
  }
  return assert.fail('expected a ValidationError');
}

describe('ModelChoiceField', () => {
  test('choices load from the queryset on prepare(), with the empty label first', async () => {
    const field = new ModelChoiceField({ queryset: Publisher.objects.all() });
    assert.throws(() => field.choices, ModelChoicesNotLoadedError);
    await field.prepare();
    assert.deepEqual(field.choices, [['', '---------'], [acme.pk, 'Acme'], [bold.pk, 'Bold']]);
  });

  test('cleanAsync returns the instance, refuses unknown and malformed keys with Django\'s message', async () => {
    const field = new ModelChoiceField<Publisher>({ queryset: Publisher.objects.filter({ name: 'Acme' }) });
    assert.ok((await field.cleanAsync(String(acme.pk)))!.equals(acme));
    assert.deepEqual(await codes(field.cleanAsync(String(bold.pk))), ['invalid_choice']);
    assert.deepEqual(await codes(field.cleanAsync('abc')), ['invalid_choice']);
    assert.deepEqual(await codes(field.cleanAsync('')), ['required']);
    assert.deepEqual(await codes(field.cleanAsync('1\x00')), ['null_characters_not_allowed']);
    try {
      await field.cleanAsync('999');
    } catch (error) {
      assert.deepEqual((error as ValidationError).messages, ['Select a valid choice. That choice is not one of the available choices.']);
    }
  });

  test('an optional field cleans empty to null; toFieldName identifies rows by another field', async () => {
    const byName = new ModelChoiceField({ queryset: Publisher.objects.all(), toFieldName: 'name', required: false });
    assert.equal(await byName.cleanAsync(''), null);
    assert.ok(((await byName.cleanAsync('Bold')) as Publisher).equals(bold));
    await byName.prepare();
    assert.deepEqual(byName.choices.slice(1).map(([v]) => v), ['Acme', 'Bold']);
  });

  test('no empty choice when required with an initial value, or for a RadioSelect of a non-blank field', async () => {
    const withInitial = new ModelChoiceField({ queryset: Publisher.objects.all(), initial: 1 });
    const radio = new ModelChoiceField({ queryset: Publisher.objects.all(), widget: RadioSelect });
    await withInitial.prepare();
    await radio.prepare();
    assert.equal(withInitial.choices.length, 2);
    assert.equal(radio.choices.length, 2);
  });

  test('labelFromInstance can be overridden, and the labels are escaped when rendered', async () => {
    class Upper extends ModelChoiceField<Publisher> {
      override labelFromInstance(obj: Publisher): string {
        return `<${obj.name.toUpperCase()}>`;
      }
    }
    const Form = defineForm({ publisher: new Upper({ queryset: Publisher.objects.all() }) });
    const html = (await new Form().getItem('publisher').asWidget()).value;
    assert.match(html, /<option value="1">&lt;ACME&gt;<\/option>/);
  });

  test('a form validates a model choice without loading the choices, and renders them when shown', async () => {
    const Form = defineForm({ publisher: new ModelChoiceField<Publisher>({ queryset: Publisher.objects.all() }) });
    const form = new Form({ data: { publisher: String(bold.pk) } });
    assert.equal(await form.isValid(), true);
    assert.ok((form.cleanedData.publisher as Publisher).equals(bold));
    assert.match((await form.render()).value, /<option value="2" selected>Bold<\/option>/);
  });

  test('sync clean() works once the choices are loaded', async () => {
    const field = new ModelChoiceField<Publisher>({ queryset: Publisher.objects.all() });
    assert.throws(() => field.clean('1'), ModelChoicesNotLoadedError);
    await field.prepare();
    assert.ok((field.clean('1') as Publisher).equals(acme));
    assert.throws(() => field.clean('77'), ValidationError);
  });
});

describe('ModelMultipleChoiceField', () => {
  test('cleans to the selected rows and reports Django\'s per-value errors', async () => {
    const field = new ModelMultipleChoiceField<Author>({ queryset: Author.objects.all() });
    const rows = (await field.cleanAsync([String(ann.pk), String(bob.pk), String(ann.pk)]))!;
    assert.deepEqual(rows.map((r) => r.name).sort(), ['Ann', 'Bob']);
    assert.deepEqual(await codes(field.cleanAsync('1')), ['invalid_list']);
    assert.deepEqual(await codes(field.cleanAsync([])), ['required']);
    assert.deepEqual(await codes(field.cleanAsync(['x'])), ['invalid_pk_value']);
    try {
      await field.cleanAsync(['1', '42']);
      assert.fail('should fail');
    } catch (error) {
      assert.deepEqual((error as ValidationError).messages, ['Select a valid choice. 42 is not one of the available choices.']);
    }
  });

  test('cleans to an array of the rows in the queryset\'s order (not the submitted order), fetched by the one validating query', async () => {
    const field = new ModelMultipleChoiceField<Author>({ queryset: Author.objects.orderBy('-name') });
    const { result, queries } = await captureQueries(() => field.cleanAsync([String(ann.pk), String(bob.pk)]));
    assert.ok(Array.isArray(result));
    assert.deepEqual(result!.map((r) => r.name), ['Bob', 'Ann']);
    assert.equal(queries.length, 1);
  });

  test('an optional field cleans nothing to an empty list; no empty label is offered', async () => {
    const field = new ModelMultipleChoiceField({ queryset: Author.objects.all(), required: false });
    assert.deepEqual(await field.cleanAsync(undefined), []);
    await field.prepare();
    assert.deepEqual(field.choices.map(([, label]) => label), ['Ann', 'Bob']);
  });
});

describe('limitChoicesTo', () => {
  test('a function is called for each form, and a condition across a to-many relation lists each row once', async () => {
    let letter = 'A';
    class Loan extends Model<Loan>()({
      author: new ForeignKey(() => Author, { onDelete: CASCADE, limitChoicesTo: () => ({ name__startswith: letter }) }),
      publisher: new ForeignKey(() => Publisher, { onDelete: CASCADE, limitChoicesTo: { books__title__startswith: 'D' } }),
    }, { appLabel: 'mf' }) {}
    const dune = await Book.objects.create({ title: 'Dune', isbn: '801', price: new Decimal('1'), publisher: acme });
    const drift = await Book.objects.create({ title: 'Drift', isbn: '802', price: new Decimal('1'), publisher: acme });
    try {
      const LoanForm = modelForm(Loan, { fields: ['author', 'publisher'] });
      const first = new LoanForm();
      await first.prepareFields();
      letter = 'B';
      const second = new LoanForm();
      await second.prepareFields();
      const labels = (form: InstanceType<typeof LoanForm>, name: string) => (form.fields[name] as ModelChoiceField).choices.map(([, l]) => l);
      assert.deepEqual(labels(first, 'author'), ['---------', 'Ann']);
      assert.deepEqual(labels(second, 'author'), ['---------', 'Bob']);
      assert.deepEqual(labels(first, 'publisher'), ['---------', 'Acme']);
    } finally {
      await dune.delete();
      await drift.delete();
    }
  });
});

describe('labels from field names', () => {
  test('a model field\'s label is its name in words: camelCase splits and lowers, acronyms and snake_case keep their case', () => {
    class Profile extends Model<Profile>()({
      firstName: new CharField({ maxLength: 10 }),
      isbn13: new CharField({ maxLength: 13 }),
      homeURL: new CharField({ maxLength: 10 }),
      URLField: new CharField({ maxLength: 10 }),
      ISBN_code: new CharField({ maxLength: 10 }),
      nickname: new CharField({ maxLength: 10, verboseName: 'alias' }),
    }, { appLabel: 'mf' }) {}
    const Form = modelForm(Profile, { fields: '__all__' });
    assert.deepEqual(Object.values(new Form().fields).map((f) => f.label), ['First name', 'Isbn13', 'Home URL', 'URL field', 'ISBN code', 'Alias']);
    assert.equal(Profile._meta.getField('homeURL').verboseName, 'home URL');
  });

  test('a plain form field without a label reads its camelCase name as words', async () => {
    const Form = defineForm({ firstName: new FormCharField() });
    assert.equal(new Form().getItem('firstName').label, 'First name');
  });
});

describe('ModelForm configuration', () => {
  test('neither fields nor exclude is ImproperlyConfigured with Django\'s message', () => {
    assert.throws(() => modelForm(Book, {}), (error: unknown) =>
      error instanceof ImproperlyConfigured &&
      error.message === "Creating a ModelForm without either the 'fields' attribute or the 'exclude' attribute is prohibited; form BookForm needs updating.");
  });

  test('a class without a model, a non-editable field and an unknown field are refused', () => {
    class NoModel extends ModelForm {}
    assert.throws(() => new NoModel(), ModelFormNoModelError);
    assert.throws(() => modelForm(Book, { fields: ['created' as never] }), /'created' cannot be specified for Book model form as it is a non-editable field/);
    assert.throws(() => modelForm(Book, { fields: ['title', 'nope' as never] }), (e: unknown) => e instanceof FieldError && /Unknown field\(s\) \(nope\) specified for Book/.test((e as Error).message));
  });

  test('class style: statics, declared extra fields, labels and fieldClasses', () => {
    class BookForm extends ModelForm<Book> {
      static override model = Book;
      static override fields = ['title', 'rating'];
      static override labels = { title: 'Name' };
      static override declaredFields = { note: new FormCharField({ required: false }) };
    }
    const form = new BookForm();
    assert.deepEqual(Object.keys(form.fields), ['title', 'rating', 'note']);
    assert.equal(form.fields.title!.label, 'Name');
    assert.equal(form.fields.title!.required, true);
  });
});

describe('ModelForm validation and saving', () => {
  const BookForm = modelForm(Book, { fields: ['title', 'isbn', 'price', 'rating', 'publisher', 'editor', 'authors'] });

  test('save() creates the row and its many-to-many links; cleanedData has model types', async () => {
    const form = new BookForm({ data: { title: 'Emma', isbn: '111', price: '7.50', rating: '1', publisher: String(acme.pk), authors: [String(ann.pk), String(bob.pk)] } });
    assert.equal(await form.isValid(), true, form.errors.asJson());
    assert.ok(form.cleanedData.price instanceof Decimal);
    assert.equal(form.cleanedData.rating, 1);
    const book = await form.save();
    const saved = await Book.objects.get({ pk: book.pk });
    assert.equal(saved.title, 'Emma');
    assert.equal(saved.publisherId, acme.pk);
    assert.equal(await saved.authors.count(), 2);
  });

  test('save({ commit: false }) writes nothing until the instance is saved and saveM2m() runs', async () => {
    const form = new BookForm({ data: { title: 'Later', isbn: '222', price: '1', rating: '3', publisher: String(acme.pk), authors: [String(bob.pk)] } });
    const book = await form.save({ commit: false });
    assert.equal(book.pk, null);
    assert.equal(await Book.objects.filter({ isbn: '222' }).exists(), false);
    await book.save();
    await form.saveM2m();
    assert.deepEqual((await book.authors.all()).map((a: Author) => a.name), ['Bob']);
  });

  test('save() on invalid data throws, naming created or changed', async () => {
    const form = new BookForm({ data: { title: '' } });
    await assert.rejects(form.save(), (e: unknown) => e instanceof ModelFormSaveInvalidError && /The Book could not be created because the data didn't validate/.test((e as Error).message));
  });

  test('editing: initial comes from the instance (many-to-many included) and save() updates it', async () => {
    const book = await Book.objects.create({ title: 'Old', isbn: '333', price: new Decimal('2'), rating: 3, publisher: acme });
    await book.authors.set([ann]);
    assert.deepEqual(Object.keys(await modelToDict(book, ['title', 'authors'])), ['title', 'authors']);
    const unbound = new BookForm({ instance: book });
    assert.match((await unbound.getItem('authors').asWidget()).value, /<option value="1" selected>Ann<\/option>/);
    assert.equal(unbound.initial['publisher'], acme.pk);
    const form = new BookForm({ instance: book, data: { title: 'New', isbn: '333', price: '2', 'initial-price': '2', rating: '3', publisher: String(bold.pk) } });
    assert.equal(await form.isValid(), true, form.errors.asJson());
    assert.equal(form.hasChanged(), true);
    assert.deepEqual(form.changedData.sort(), ['authors', 'publisher', 'title']);
    await form.save();
    const reloaded = await Book.objects.get({ pk: book.pk });
    assert.equal(reloaded.title, 'New');
    assert.equal(reloaded.publisherId, bold.pk);
    assert.equal(await reloaded.authors.count(), 0);
  });

  test('model clean() errors and model field validation land on the form', async () => {
    class Strict extends ModelForm<Book> {
      static override model = Book;
      static override fields = ['title', 'isbn', 'publisher'];
    }
    const original = Book.prototype.clean;
    Book.prototype.clean = function (this: Book) {
      if (this.title === 'Forbidden') throw new ValidationError('No such titles.', { code: 'forbidden' });
    };
    try {
      const form = new Strict({ data: { title: 'Forbidden', isbn: '444', publisher: '1' } });
      assert.equal(await form.isValid(), false);
      assert.deepEqual(form.nonFieldErrors().asData().map((e) => e.code), ['forbidden']);
    } finally {
      Book.prototype.clean = original;
    }
  });

  test('a model default is kept when the field was not posted (construct_instance)', async () => {
    const Partial = modelForm(Book, { fields: ['title', 'isbn', 'publisher', 'rating'] });
    const form = new Partial({ data: { title: 'Defaults', isbn: '555', publisher: '1', rating: '5' } });
    assert.equal(await form.isValid(), true, form.errors.asJson());
    const book = await form.save();
    assert.equal(book.inStock, true);
    assert.equal(book.price.toString(), '0');
  });

  test('overriding clean() without super.clean() skips the unique checks, as in Django', async () => {
    class NoUnique extends ModelForm<Book> {
      static override model = Book;
      static override fields = ['title', 'isbn', 'publisher'];
      override clean(): unknown {
        return this.cleanedData;
      }
    }
    const form = new NoUnique({ data: { title: 'Emma', isbn: '111', publisher: String(acme.pk) } });
    assert.equal(await form.isValid(), true);
    const checked = new BookForm({ data: { title: 'Emma', isbn: '111', price: '1', rating: '1', publisher: String(acme.pk) } });
    assert.equal(await checked.isValid(), false);
    assert.equal(checked.hasError('isbn', 'unique'), true);
    assert.equal(checked.hasError('__all__', 'unique_together'), true);
  });
});
