import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BaseForm, CharField, defineForm, Form, IntegerField, ValidationError } from '../../src/forms/index.ts';
import type { FieldLike } from '../../src/forms/index.ts';

const contactFields = { subject: new CharField({ maxLength: 10 }), age: new IntegerField({ required: false }) };

test('defineForm types cleanedData and validates in Django order: field clean, clean<Name>(), clean()', async () => {
  const calls: string[] = [];
  class Contact extends defineForm(contactFields) {
    async cleanSubject(): Promise<string> {
      calls.push(`hook:${this.cleanedData.subject}`);
      return this.cleanedData.subject.toUpperCase();
    }
    override clean(): unknown {
      calls.push(`clean:${String(this.cleanedData.subject)}`);
      return this.cleanedData;
    }
  }
  const form = new Contact({ data: { subject: ' hi ', age: '4' } });
  assert.equal(await form.isValid(), true);
  const subject: string = form.cleanedData.subject;
  const age: number | null = form.cleanedData.age;
  assert.equal(subject, 'HI');
  assert.equal(age, 4);
  assert.deepEqual(calls, ['hook:hi', 'clean:HI']);
});

test('errors and cleanedData before validation throw a clear error; an unbound form has no errors', () => {
  const Contact = defineForm(contactFields);
  const bound = new Contact({ data: {} });
  assert.throws(() => bound.errors, { code: 'NUAGES_FORMS_NOT_VALIDATED' });
  assert.throws(() => bound.cleanedData, { code: 'NUAGES_FORMS_NOT_VALIDATED' });
  const unbound = new Contact();
  assert.equal(unbound.errors.size, 0);
});

test('addError removes the field from cleanedData; dict errors need a null field; unknown fields throw', async () => {
  class Contact extends defineForm(contactFields) {
    override clean(): unknown {
      if (this.cleanedData.age === 3) this.addError('subject', new ValidationError('Not with 3.', { code: 'three' }));
      throw new ValidationError('Form-wide.', { code: 'wide' });
    }
  }
  const form = new Contact({ data: { subject: 'ok', age: '3' } });
  assert.equal(await form.isValid(), false);
  assert.equal('subject' in form.cleanedData, false);
  assert.equal(form.hasError('subject', 'three'), true);
  assert.equal(form.hasError('subject', 'other'), false);
  assert.deepEqual([...form.nonFieldErrors()], ['Form-wide.']);
  assert.equal(form.nonFieldErrors().errorClass, 'errorlist nonfield');
  assert.throws(() => form.addError('subject', new ValidationError({ age: 'x' })), { code: 'NUAGES_FORMS_ADD_ERROR_FIELD' });
  assert.throws(() => form.addError('nope', 'x'), { code: 'NUAGES_FORMS_UNKNOWN_FIELD' });
  form.addError(null, new ValidationError({ age: 'Too young.' }));
  assert.deepEqual(form.errors.getJsonData().age, [{ message: 'Too young.', code: '' }]);
});

test('static fields are inherited in Django order, overridden in place, removed with null; fieldOrder reorders', () => {
  class Base extends Form {
    static override fields: Readonly<Record<string, FieldLike | null>> = { a: new CharField(), b: new CharField() };
  }
  class Child extends Base {
    static override fields = { c: new CharField(), a: new IntegerField(), b: null };
  }
  assert.deepEqual(Object.keys(new Child().fields), ['a', 'c']);
  assert.ok(new Child().fields['a'] instanceof IntegerField);
  assert.deepEqual(Object.keys(new Child({ fieldOrder: ['c', 'zzz'] }).fields), ['c', 'a']);
});

test('a disabled field takes its initial value whatever is posted', async () => {
  const F = defineForm({ name: new CharField({ disabled: true }) });
  const form = new F({ data: { name: 'hacked' }, initial: { name: 'Ann' } });
  assert.equal(await form.isValid(), true);
  assert.equal(form.cleanedData.name, 'Ann');
  assert.deepEqual(form.changedData, []);
});

test('emptyPermitted skips validation of an unchanged form and refuses useRequiredAttribute', async () => {
  const F = defineForm(contactFields);
  const empty = new F({ data: {}, emptyPermitted: true, useRequiredAttribute: false });
  assert.equal(await empty.isValid(), true);
  const changed = new F({ data: { age: '2' }, emptyPermitted: true, useRequiredAttribute: false });
  assert.equal(await changed.isValid(), false);
  assert.throws(() => new F({ emptyPermitted: true }), { code: 'NUAGES_FORMS_EMPTY_PERMITTED_REQUIRED_ATTRIBUTE' });
});

test('hasChanged and changedData compare data with initial after conversion', () => {
  const F = defineForm(contactFields);
  const form = new F({ data: { subject: 'same', age: '7' }, initial: { subject: 'same', age: 7 } });
  assert.equal(form.hasChanged(), false);
  const other = new F({ data: { subject: 'new', age: '7' }, initial: { subject: 'same', age: 7 } });
  assert.deepEqual(other.changedData, ['subject']);
});

test('prefix applies to names and data; repeated keys read the last value; form.<name> is the BoundField', async () => {
  const F = defineForm(contactFields);
  const form = new F({ data: { 'p-subject': ['first', 'last'], subject: 'ignored' }, prefix: 'p' });
  assert.equal(await form.isValid(), true);
  assert.equal(form.cleanedData.subject, 'last');
  assert.equal(form.subject.htmlName, 'p-subject');
  assert.equal(form.subject, form.getItem('subject'));
  assert.throws(() => form.getItem('missing'), { code: 'NUAGES_FORMS_UNKNOWN_FIELD' });
});

test('a non-ValidationError thrown by a hook propagates instead of becoming a form error', async () => {
  class F extends defineForm(contactFields) {
    cleanSubject(): never {
      throw new TypeError('bug');
    }
  }
  await assert.rejects(new F({ data: { subject: 'x' } }).isValid(), TypeError);
});

test('BaseForm accepts fields set on the instance and renders them', async () => {
  class Dynamic extends BaseForm {
    constructor() {
      super();
      this.fields = { code: new CharField() as FieldLike };
    }
  }
  const html = (await new Dynamic().render()).value;
  assert.match(html, /<input type="text" name="code" required id="id_code">/);
});

test('each form gets its own copy of the declared fields, widgets and choices (Django deep-copies them)', async () => {
  const { ChoiceField, RegexField } = await import('../../src/forms/index.ts');
  const Survey = defineForm({
    size: new ChoiceField({ choices: [['s', 'Small'], ['l', 'Large']] }),
    code: new RegexField(/^[A-Z]{3}$/),
    name: new CharField({ maxLength: 10 }),
  });
  const first = new Survey();
  const second = new Survey();
  (first.fields['name'] as unknown as { widget: { attrs: Record<string, string> } }).widget.attrs['class'] = 'wide';
  (first.fields['size'] as unknown as { choices: unknown }).choices = [['m', 'Medium']];
  assert.equal((second.fields['name'] as unknown as { widget: { attrs: Record<string, string> } }).widget.attrs['class'], undefined);
  assert.match(String(await second.getItem('size').render()), /Small/);
  assert.doesNotMatch(String(await second.getItem('size').render()), /Medium/);
  const bound = new Survey({ data: { size: 'l', code: 'ABC', name: 'x' } });
  assert.equal(await bound.isValid(), true, 'a copied RegexField still validates');
  const wrong = new Survey({ data: { size: 'l', code: 'abc', name: 'x' } });
  assert.equal(await wrong.isValid(), false);
});
