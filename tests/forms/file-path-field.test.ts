/**
 * FilePathField (form and model) against real Django 5.2: django/filepath_oracle.py lists a
 * temporary directory tree; this file builds the same tree in its own temporary directory
 * and compares the choices, clean() and the rendered HTML ("{root}" stands for the tree).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FieldError, ValidationError } from '../../src/core/exceptions.ts';
import { FilePathField as ModelFilePathField, Model } from '../../src/db/index.ts';
import { FilePathField, FilePathFieldPathError } from '../../src/forms/fields/file-path.ts';
import { defineForm } from '../../src/forms/forms.ts';
import { modelForm } from '../../src/forms/models.ts';

interface Case { name: string; match?: string; recursive?: boolean; allow_files?: boolean; allow_folders?: boolean; required?: boolean; sub?: string; slash?: boolean }
interface Result { name: string; choices: [string, string][]; clean: { value: string; ok?: string; errors?: { message: string; code: string }[] }[]; html: string }

const file = JSON.parse(readFileSync(new URL('./django/filepath.json', import.meta.url), 'utf8')) as {
  tree: string[];
  cases: Case[];
  results: Result[];
  model_form: { html: string; max_length: number };
};
let root = '';

before(() => {
  root = mkdtempSync(join(tmpdir(), 'nuages-filepath-'));
  for (const entry of file.tree) {
    if (entry.includes(' -> ')) {
      const [name, target] = entry.split(' -> ') as [string, string];
      symlinkSync(target, join(root, name));
    } else if (entry.endsWith('/')) {
      mkdirSync(join(root, entry), { recursive: true });
    } else {
      writeFileSync(join(root, entry), entry);
    }
  }
});

after(() => rmSync(root, { recursive: true, force: true }));

const at = (text: string) => text.replaceAll('{root}', root);

function fieldFor(c: Case): FilePathField<boolean> {
  let path = c.sub ? `${root}/${c.sub}` : root;
  if (c.slash) path += '/';
  return new FilePathField({
    path, match: c.match, recursive: c.recursive, allowFiles: c.allow_files, allowFolders: c.allow_folders, required: c.required,
  });
}

test('the corpus covers every oracle case', () => {
  assert.equal(file.results.length, file.cases.length);
  assert.ok(file.results.length >= 10);
});

for (const [index, c] of file.cases.entries()) {
  const expected = file.results[index]!;
  test(`differential: FilePathField, ${c.name}`, async () => {
    const field = fieldFor(c);
    assert.deepEqual(field.choices, expected.choices.map(([v, l]) => [at(v), at(l)]));
    for (const { value, ok, errors } of expected.clean) {
      let got: { ok?: unknown; errors?: unknown };
      try {
        got = { ok: field.clean(at(value)) };
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        got = { errors: error.errorList.map((m) => ({ message: m.message, code: m.code })) };
      }
      assert.deepEqual(got, ok !== undefined ? { ok: at(ok) } : { errors: errors!.map((e) => ({ ...e, message: at(e.message) })) }, value);
    }
    const Form = defineForm({ doc: field });
    assert.equal((await new Form().render()).value, at(expected.html));
  });
}

test('differential: a model FilePathField gives a ModelForm its FilePathField (path from a function, blank, help text)', async () => {
  class Document extends Model<Document>()({
    page: new ModelFilePathField({ path: () => root, match: '\\.(txt|html)$', recursive: true, blank: true, helpText: 'A page.' }),
    folder: new ModelFilePathField({ path: root, allowFiles: false, allowFolders: true }),
  }, { appLabel: 'mf' }) {}
  assert.equal((Document._meta.getField('page') as ModelFilePathField).maxLength, file.model_form.max_length);
  const Form = modelForm(Document, { fields: '__all__' });
  assert.equal((await new Form().render()).value, at(file.model_form.html));
});

test('a FilePathField over a directory that cannot be listed says which, unless recursive', () => {
  assert.throws(() => new FilePathField({ path: join(root, 'missing') }), (e: Error) =>
    e instanceof FilePathFieldPathError && e.message.includes(join(root, 'missing')) && e.code === 'NUAGES_FORMS_FILE_PATH_UNREADABLE');
  assert.deepEqual(new FilePathField({ path: join(root, 'missing'), recursive: true, required: false }).choices, [['', '---------']]);
});

test('a model FilePathField offering neither files nor folders is refused, as Django\'s fields.E140', () => {
  assert.throws(() => new ModelFilePathField({ path: '/tmp', allowFiles: false }), FieldError);
});
