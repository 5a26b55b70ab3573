import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorDict, ErrorList, flatatt, prettyName, toQueryDict } from '../../src/forms/index.ts';
import { ValidationError } from '../../src/core/exceptions.ts';
import { QueryDict } from '../../src/http/query-dict.ts';

test('prettyName turns a field name into a label', () => {
  assert.equal(prettyName('first_name'), 'First name');
  assert.equal(prettyName('URL_path'), 'Url path');
  assert.equal(prettyName(''), '');
});

test('prettyName reads a camelCase name as its snake_case equivalent (the column name)', () => {
  assert.equal(prettyName('firstName'), 'First name');
  assert.equal(prettyName('isbn13'), 'Isbn13');
  assert.equal(prettyName('URLField'), 'Url field');
  assert.equal(prettyName('homeURL'), 'Home url');
  assert.equal(prettyName('newPassword2'), 'New password2');
  assert.equal(prettyName('TOTAL_FORMS'), 'Total forms');
});

test('flatatt sorts pairs, then true booleans, and escapes values', () => {
  assert.equal(flatatt({ id: 'x', required: true, class: 'a"b', off: false, none: null }).value, ' class="a&quot;b" id="x" required');
});

test('toQueryDict reads a QueryDict and a plain object alike; arrays are repeated keys', () => {
  const plain = toQueryDict({ tag: ['a', 'b'], name: 'Ann' });
  assert.equal(plain.get('tag'), 'b');
  assert.deepEqual(plain.getlist('tag'), ['a', 'b']);
  assert.equal(plain.has('missing'), false);
  const post = toQueryDict(QueryDict.parse('tag=a&tag=b'));
  assert.deepEqual(post.getList('tag'), ['a', 'b']);
});

test('ErrorList keeps codes; asJson matches Python json.dumps (ASCII escapes, spaced separators)', async () => {
  const errors = new ErrorList(new ValidationError([new ValidationError('Trop <court>…', { code: 'min_length' })]).errorList);
  errors.push('plain');
  assert.deepEqual([...errors], ['Trop <court>…', 'plain']);
  assert.equal(errors.asJson(), '[{"message": "Trop <court>\\u2026", "code": "min_length"}, {"message": "plain", "code": ""}]');
  assert.equal(errors.getJsonData(true)[0]!.message, 'Trop &lt;court&gt;…');
  assert.equal((await errors.asUl()).value, '<ul class="errorlist"><li>Trop &lt;court&gt;…</li><li>plain</li></ul>');
  assert.equal((await errors.asText()).value, '* Trop &lt;court&gt;…\n* plain');
  assert.equal((await new ErrorList().asUl()).value, '');
});

test('ErrorList with a field id renders the id aria-describedby points at; copy keeps class and id', async () => {
  const errors = new ErrorList(['Bad.'], { fieldId: 'id_name', errorClass: 'nonfield' });
  assert.equal((await errors.render()).value, '<ul class="errorlist nonfield" id="id_name_error"><li>Bad.</li></ul>');
  const copy = errors.copy();
  assert.equal(copy.errorClass, 'errorlist nonfield');
  assert.equal(copy.fieldId, 'id_name');
});

test('ErrorDict renders fields with their lists and gives data and JSON', async () => {
  const dict = new ErrorDict([['name', new ErrorList(['Required.'])]]);
  assert.equal((await dict.asUl()).value, '<ul class="errorlist"><li>name<ul class="errorlist"><li>Required.</li></ul></li></ul>');
  assert.equal(dict.asJson(), '{"name": [{"message": "Required.", "code": ""}]}');
  assert.equal(dict.asData()['name']![0]!.message, 'Required.');
});
