// The examples of docs/forms.md, kept compiling and running (same code, asserts in place of the comments).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { contentTypeValidator, maxFileSizeValidator, UploadedFile } from '../../src/core/files/index.ts';
import { connections, createTables, Decimal } from '../../src/db/index.ts';
import {
  BaseFormSet, CharField, DecimalField, DjangoTemplates, EmailField, FilePathField, FileField, ImageField, IntegerField, ModelForm,
  Textarea, TextInput, ValidationError, defineForm, formsetFactory, inlineFormsetFactory, modelForm, modelFormsetFactory,
} from '../../src/forms/index.ts';
import { testDatabaseSettings } from '../db/test-database.ts';
import { Author, Book, Publisher, Review } from './model-fixture.ts';

connections.configure({ default: testDatabaseSettings() });

before(async () => {
  await createTables([Publisher, Author, Book, Review]);
});

describe('docs/forms.md', () => {
  test('the opening example: typed cleaned data, hooks, errors as JSON, HTML', async () => {
    class ContactForm extends defineForm({
      subject: new CharField({ maxLength: 100 }),
      email: new EmailField(),
      copies: new IntegerField({ required: false, minValue: 1 }),
    }) {
      cleanSubject(): string {
        return this.cleanedData.subject.trim();
      }
      override clean(): unknown {
        if (this.cleanedData.copies === 0) throw new ValidationError('No copies?', { code: 'none' });
        return this.cleanedData;
      }
    }

    const form = new ContactForm({ data: { subject: ' Hi ', email: 'not-an-email' } });
    assert.equal(await form.isValid(), false);
    assert.equal(form.errors.asJson(), '{"email": [{"message": "Enter a valid email address.", "code": "invalid"}]}');
    assert.match((await form.render()).value, /<ul class="errorlist" id="id_email_error"><li>Enter a valid email address.<\/li><\/ul>/);
  });

  test('Validation: the order of the hooks', async () => {
    const seen: string[] = [];
    class SignupForm extends defineForm({
      username: new CharField({ maxLength: 30 }),
      password: new CharField(),
      again: new CharField(),
    }) {
      async cleanUsername(): Promise<string> {
        seen.push('cleanUsername');
        const name = this.cleanedData.username.toLowerCase();
        if (name === 'admin') throw new ValidationError('“%(name)s” is reserved.', { code: 'reserved', params: { name } });
        return name;
      }
      override clean(): unknown {
        seen.push('clean');
        if (this.cleanedData.password !== this.cleanedData.again) this.addError('again', 'The two passwords differ.');
        return this.cleanedData;
      }
    }

    const form = new SignupForm({ data: { username: 'Admin', password: 'a', again: 'b' } });
    assert.equal(await form.isValid(), false);
    assert.deepEqual(seen, ['cleanUsername', 'clean']);
    assert.deepEqual(form.errors.getJsonData(), {
      username: [{ message: '“admin” is reserved.', code: 'reserved' }],
      again: [{ message: 'The two passwords differ.', code: '' }],
    });
    assert.equal('again' in form.cleanedData, false);
  });

  test('Errors: asData, asJson, hasError, nonFieldErrors', async () => {
    const form = new (defineForm({ age: new IntegerField({ minValue: 18 }) }))({ data: { age: '12' } });
    await form.isValid();
    assert.equal(form.hasError('age', 'min_value'), true);
    assert.deepEqual(form.errors.get('age')!.asData().map((e) => [e.code, e.params?.['limit_value']]), [['min_value', 18]]);
    assert.equal(form.errors.asJson(), '{"age": [{"message": "Ensure this value is greater than or equal to 18.", "code": "min_value"}]}');
    form.addError(null, 'Check the form.');
    assert.equal(String(await form.nonFieldErrors().asUl()), '<ul class="errorlist nonfield"><li>Check the form.</li></ul>');
    assert.equal(String(await form.errors.asText()), '* age\n  * Ensure this value is greater than or equal to 18.\n* __all__\n  * Check the form.');
  });

  test('Rendering: a field group, the layouts, and a renderer of your own', async () => {
    const NameForm = defineForm({ name: new CharField({ maxLength: 20, helpText: 'As on your card.' }) });
    const form = new NameForm({ data: { name: '' } });
    assert.equal(String(await form.getItem('name').labelTag()), '<label for="id_name">Name:</label>');
    assert.equal(
      String(await form.asP()),
      '<ul class="errorlist" id="id_name_error"><li>This field is required.</li></ul>\n  <p>\n    <label for="id_name">Name:</label>\n' +
        '    <input type="text" name="name" maxlength="20" required aria-invalid="true" aria-describedby="id_name_helptext id_name_error" id="id_name">\n' +
        '    \n      <span class="helptext" id="id_name_helptext">As on your card.</span>\n    \n    \n      \n    \n  </p>',
    );

    class ParagraphRenderer extends DjangoTemplates {
      override formTemplateName = 'django/forms/p.html';
    }
    const plain = new NameForm({ renderer: new ParagraphRenderer() });
    assert.equal(String(await plain.render()), String(await plain.asP()));
  });

  test('Fields: decimals, whole numbers past 2^53', () => {
    assert.equal(new DecimalField({ maxDigits: 5, decimalPlaces: 2 }).clean('12.50').toString(), '12.50');
    assert.equal(new DecimalField().clean('-0.00').toString(), '-0.00');
    try {
      new DecimalField({ maxDigits: 3 }).clean('1234');
      assert.fail('should fail');
    } catch (error) {
      assert.deepEqual((error as ValidationError).messages, ['Ensure that there are no more than 3 digits in total.']);
    }
    assert.equal(new IntegerField().clean('9007199254740991'), 9007199254740991);
    assert.throws(() => new IntegerField().clean('9007199254740993'), (e: ValidationError) =>
      e.messages[0] === 'Ensure this value is less than or equal to 9007199254740991.' && e.validationCode === 'max_value');
  });

  test('Fields: FilePathField lists a server directory', () => {
    const template = new FilePathField({ path: new URL('./django', import.meta.url).pathname, match: '_oracle\\.py$' });
    assert.ok(template.choices.some(([, label]) => label === 'forms_oracle.py'));
    assert.throws(() => template.clean('/etc/passwd'), ValidationError);
  });

  test('Widgets: a textarea with attrs, escaped', async () => {
    const body = new CharField({ widget: new Textarea({ rows: 4 }) });
    assert.equal(String(await body.widget.render('body', 'Hello <world>')), '<textarea name="body" cols="40" rows="4">\nHello &lt;world&gt;</textarea>');
  });

  test('ModelForms: the builder and the class style, limitChoicesTo', async () => {
    const acme = await Publisher.objects.create({ name: 'Acme' });
    const ann = await Author.objects.create({ name: 'Ann', email: 'ann@example.com' });

    const BookForm = modelForm(Book, { fields: ['title', 'isbn', 'price', 'publisher', 'authors'] });
    class StaffBookForm extends ModelForm<Book> {
      static override model = Book;
      static override fields = ['title', 'isbn', 'summary'];
      static override widgets = { title: new TextInput({ class: 'wide' }) };
      static override labels = { isbn: 'ISBN-13' };
      static override errorMessages = { isbn: { unique: 'That ISBN is taken.' } };
      static override declaredFields = { note: new CharField({ required: false }) };
    }

    const form = new BookForm({ data: { title: 'Dune', isbn: '9780441013593', price: '9.99', publisher: String(acme.pk), authors: [String(ann.pk)] } });
    assert.equal(await form.isValid(), true);
    assert.equal(form.cleanedData.publisher.name, 'Acme');
    const saved = await form.save();
    assert.deepEqual((await saved.authors.all()).map(String), ['Ann']);

    const taken = new StaffBookForm({ data: { title: 'Dune 2', isbn: '9780441013593' } });
    assert.equal(await taken.isValid(), false);
    assert.deepEqual([...taken.errors.get('isbn')!], ['That ISBN is taken.']);
    assert.deepEqual(Object.keys(taken.fields), ['title', 'isbn', 'summary', 'note']);

    const ReviewForm = modelForm(Review, { fields: ['book', 'text'] });
    const review = new ReviewForm({ data: { book: String(saved.pk), text: 'Great' } });
    assert.equal(await review.isValid(), true);
    saved.inStock = false;
    await saved.save();
    const late = new ReviewForm({ data: { book: String(saved.pk), text: 'Great' } });
    assert.equal(await late.isValid(), false);
    assert.deepEqual([...late.errors.get('book')!], ['Select a valid choice. That choice is not one of the available choices.']);
    const orphan = new Review({ bookId: saved.pk as number, text: 'x' });
    await assert.rejects(orphan.fullClean(), (e: ValidationError) => e.errorDict!['book']![0]!.message === `book instance with id ${saved.pk} is not a valid choice.`);
    await saved.delete();
    await ann.delete();
    await acme.delete();
  });

  test('Formsets: a clean() across forms', async () => {
    const ItemForm = defineForm({ title: new CharField({ maxLength: 50 }), qty: new IntegerField({ minValue: 1 }) });

    class OrderItems extends BaseFormSet {
      override clean(): void {
        const titles = this.forms.map((f) => (f.cleanedData as { title?: string }).title).filter(Boolean);
        if (new Set(titles).size !== titles.length) throw new ValidationError('Each book only once, please.');
      }
    }
    const ItemFormSet = formsetFactory(ItemForm, { formset: OrderItems, extra: 1, minNum: 1, validateMin: true, canDelete: true });

    const formset = new ItemFormSet({
      prefix: 'items',
      data: {
        'items-TOTAL_FORMS': '2', 'items-INITIAL_FORMS': '0',
        'items-0-title': 'Dune', 'items-0-qty': '2',
        'items-1-title': 'Dune', 'items-1-qty': '1',
      },
    });
    assert.equal(await formset.isValid(), false);
    assert.deepEqual(formset.nonFormErrors().asData().map((e) => e.message), ['Each book only once, please.']);
    assert.deepEqual(formset.errors.map((e) => e.size), [0, 0]);
    assert.match((await formset.render()).value, /^<input type="hidden" name="items-TOTAL_FORMS" value="2"/);
  });

  test('Model formsets: edit a queryset, add and delete rows', async () => {
    const ann = await Author.objects.create({ name: 'Ann' });
    const bob = await Author.objects.create({ name: 'Bob' });

    const AuthorFormSet = modelFormsetFactory(Author, { fields: ['name', 'email'], extra: 1, canDelete: true });

    const unbound = new AuthorFormSet({ queryset: Author.objects.filter({ name__in: ['Ann', 'Bob'] }) });
    const html = (await unbound.render()).value;
    assert.match(html, /<input type="hidden" name="form-INITIAL_FORMS" value="2" id="id_form-INITIAL_FORMS">/);
    assert.match(html, new RegExp(`<input type="hidden" name="form-0-id" value="${ann.pk}" id="id_form-0-id">`));

    const formset = new AuthorFormSet({
      queryset: Author.objects.filter({ name__in: ['Ann', 'Bob'] }),
      data: {
        'form-TOTAL_FORMS': '3', 'form-INITIAL_FORMS': '2',
        'form-0-id': String(ann.pk), 'form-0-name': 'Annie', 'form-0-email': '',
        'form-1-id': String(bob.pk), 'form-1-name': 'Bob', 'form-1-email': '', 'form-1-DELETE': 'on',
        'form-2-id': '', 'form-2-name': 'Cleo', 'form-2-email': 'cleo@example.com',
      },
    });
    assert.equal(await formset.isValid(), true);
    const saved = await formset.save();
    assert.deepEqual(saved.map(String), ['Annie', 'Cleo']);
    assert.deepEqual(formset.changedObjects.map(([o, names]) => [String(o), names]), [['Annie', ['name']]]);
    assert.deepEqual(formset.deletedObjects.map(String), ['Bob']);

    const forged = new AuthorFormSet({
      data: { 'form-TOTAL_FORMS': '1', 'form-INITIAL_FORMS': '1', 'form-0-id': '999', 'form-0-name': 'Ghost', 'form-0-email': '' },
    });
    assert.equal(await forged.isValid(), false);
    assert.deepEqual(forged.errors[0]!.getJsonData(), {
      id: [{ message: 'Select a valid choice. That choice is not one of the available choices.', code: 'invalid_choice' }],
    });
    await Author.objects.filter({ name__in: ['Annie', 'Cleo'] }).delete();
  });

  test('Inline formsets: the children of one parent', async () => {
    const acme = await Publisher.objects.create({ name: 'Acme' });
    await Book.objects.create({ title: 'Dune', isbn: '111', publisher: acme });

    const BookFormSet = inlineFormsetFactory(Publisher, Book, { fields: ['title', 'isbn'], extra: 1 });
    const formset = new BookFormSet({
      instance: acme,
      data: {
        'books-TOTAL_FORMS': '1', 'books-INITIAL_FORMS': '0',
        'books-0-title': 'Dune', 'books-0-isbn': '222',
      },
    });
    assert.equal(formset.prefix, 'books');
    assert.equal(await formset.isValid(), false);
    assert.deepEqual(formset.errors[0]!.getJsonData(), {
      __all__: [{ message: 'Book with this Publisher and Title already exists.', code: 'unique_together' }],
    });

    const hostile = new BookFormSet({
      instance: acme,
      data: { 'books-TOTAL_FORMS': '1', 'books-INITIAL_FORMS': '0', 'books-0-title': 'Emma', 'books-0-isbn': '333', 'books-0-publisher': '999' },
    });
    assert.equal(await hostile.isValid(), false);
    assert.deepEqual(hostile.errors[0]!.getJsonData(), {
      publisher: [{ message: 'The inline value did not match the parent instance.', code: 'invalid_choice' }],
    });
    await acme.delete();
  });

  test('Uploads: a file checked by its bytes, and its size', async () => {
    const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    const UploadForm = defineForm({
      cover: new ImageField({ validators: [maxFileSizeValidator(2 * 1024 * 1024)] }),
      manuscript: new FileField({ required: false, validators: [contentTypeValidator(['application/pdf'])] }),
    });

    const ok = new UploadForm({ files: { cover: UploadedFile.fromContent('cover.png', PNG, 'image/png') } });
    assert.equal(await ok.isValid(), true);
    assert.deepEqual(ok.cleanedData.cover.image, { width: 1, height: 1, format: 'png' });

    const lying = new UploadForm({
      files: {
        cover: UploadedFile.fromContent('cover.png', '<script>alert(1)</script>', 'image/png'),
        manuscript: UploadedFile.fromContent('book.pdf', '#!/bin/sh\nrm -rf /', 'application/pdf'),
      },
    });
    assert.equal(await lying.isValid(), false);
    assert.deepEqual(lying.errors.getJsonData(), {
      cover: [{ message: 'Upload a valid image. The file you uploaded was either not an image or a corrupted image.', code: 'invalid_image' }],
      manuscript: [{ message: 'File type “unknown” is not allowed. Allowed types are: application/pdf.', code: 'invalid_content_type' }],
    });
  });
});
