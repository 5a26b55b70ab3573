// Expected messages and results come from Django 5.2's forms.FileField on the same inputs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../src/core/exceptions.ts';
import { FileSystemStorage, UploadedFile } from '../../src/core/files/index.ts';
import { FieldFile, FileField as ModelFileField } from '../../src/db/models/fields/files.ts';
import { FileField, ImageField } from '../../src/forms/file-fields.ts';
import { ClearableFileInput, FileInput, FILE_INPUT_CONTRADICTION } from '../../src/forms/widgets.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

function errors(fn: () => unknown): Array<[string, string | undefined]> {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error.errorList.map((m) => [m.message, m.code]);
  }
  assert.fail('expected a ValidationError');
}

describe('FileField', () => {
  test('missing, non-file and empty uploads get Django messages', () => {
    const f = new FileField();
    assert.deepEqual(errors(() => f.clean(null)), [['This field is required.', 'required']]);
    assert.deepEqual(errors(() => f.clean('')), [['This field is required.', 'required']]);
    assert.deepEqual(errors(() => f.clean('some string')), [['No file was submitted. Check the encoding type on the form.', 'invalid']]);
    assert.deepEqual(errors(() => f.clean(UploadedFile.fromContent('a.txt', ''))), [['The submitted file is empty.', 'empty']]);
    assert.deepEqual(errors(() => f.clean(UploadedFile.fromContent('', 'x'))), [['No file was submitted.', 'missing']]);
  });

  test('maxLength counts the file name, singular and plural', () => {
    assert.deepEqual(errors(() => new FileField({ maxLength: 5 }).clean(UploadedFile.fromContent('abcdef.txt', 'x'))), [
      ['Ensure this filename has at most 5 characters (it has 10).', 'max_length'],
    ]);
    assert.deepEqual(errors(() => new FileField({ maxLength: 1 }).clean(UploadedFile.fromContent('ab', 'x'))), [
      ['Ensure this filename has at most 1 character (it has 2).', 'max_length'],
    ]);
    const unicode = UploadedFile.fromContent('日本 語.png', 'x');
    assert.equal(new FileField({ maxLength: 8 }).clean(unicode), unicode);
  });

  test('allowEmptyFile accepts a zero-byte upload', () => {
    const empty = UploadedFile.fromContent('a.txt', '');
    assert.equal(new FileField({ allowEmptyFile: true }).clean(empty), empty);
  });

  test('clear checkbox: false on optional fields, contradiction with an upload, initial kept otherwise', () => {
    assert.equal(new FileField({ required: false }).clean(false, 'initial.txt'), false);
    assert.equal(new FileField({ required: false }).clean(null, 'initial.txt'), 'initial.txt');
    assert.equal(new FileField().clean(null, 'initial.txt'), 'initial.txt');
    assert.equal(new FileField({ required: false }).clean(false), false);
    assert.deepEqual(errors(() => new FileField().clean(false)), [['This field is required.', 'required']]);
    assert.equal(new FileField({ required: false }).clean(null), null);
    assert.deepEqual(errors(() => new FileField({ required: false }).clean(FILE_INPUT_CONTRADICTION)), [
      ['Please either submit a file or check the clear checkbox, not both.', 'contradiction'],
    ]);
  });

  test('boundData is the initial file; hasChanged means something was sent', () => {
    const f = new FileField();
    assert.equal(f.boundData(null, 'init'), 'init');
    assert.equal(f.boundData(false, 'init'), 'init');
    assert.equal(f.hasChanged('x', null), false);
    assert.equal(f.hasChanged('x', false), true);
    assert.equal(f.hasChanged(null, 'y'), true);
    assert.equal(new FileField({ disabled: true }).hasChanged(null, 'y'), false);
    assert.ok(f.widget instanceof ClearableFileInput);
  });
});

describe('ImageField', () => {
  test('accepts a real image, setting its type and dimensions from the bytes', () => {
    const upload = UploadedFile.fromContent('cover.png', PNG, 'application/octet-stream');
    const clean = new ImageField().clean(upload);
    assert.equal(clean, upload);
    assert.equal(upload.contentType, 'image/png');
    assert.deepEqual(upload.image, { width: 1, height: 1, format: 'png' });
  });

  test('refuses bytes that are not an image, whatever the name and claimed type', () => {
    const message = 'Upload a valid image. The file you uploaded was either not an image or a corrupted image.';
    for (const content of ['<script>alert(1)</script>', PNG.subarray(0, 12), '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>']) {
      assert.deepEqual(errors(() => new ImageField().clean(UploadedFile.fromContent('cat.png', content, 'image/png'))), [[message, 'invalid_image']]);
    }
  });

  test('a real image with a non-image extension fails the extension check', () => {
    const [[message, code]] = errors(() => new ImageField().clean(UploadedFile.fromContent('cat.html', PNG, 'image/png'))) as [[string, string]];
    assert.equal(code, 'invalid_extension');
    assert.match(message, /^File extension “html” is not allowed\. Allowed extensions are: .*\bpng\b.*\bjpeg\b/);
  });

  test('adds accept="image/*" unless the widget sets its own accept', () => {
    assert.deepEqual(new ImageField().widget.attrs, { accept: 'image/*' });
    assert.deepEqual(new ImageField({ widget: new FileInput({ accept: 'image/png' }) }).widget.attrs, { accept: 'image/png' });
  });
});

// A ModelForm's initial value for a file is the instance's FieldFile, an object even when the
// row has no file; Django tests it for truth (bool(fieldfile) is bool(name)), so must Nuages.
describe('a model FieldFile as the initial value', () => {
  const modelField = new ModelFileField({ uploadTo: 'covers/' });
  const storage = new FileSystemStorage({ location: '/srv/media', baseUrl: '/media/' });
  const withoutFile = new FieldFile({}, modelField, null);
  const withFile = new FieldFile({}, modelField, 'covers/dune.png');
  Object.defineProperty(withFile, 'storage', { value: storage });

  test('without a file, ClearableFileInput shows a plain input, required when the field is', async () => {
    const widget = new ClearableFileInput();
    assert.equal(widget.isInitial(withoutFile), false);
    assert.equal(String(await widget.render('cover', withoutFile)), '<input type="file" name="cover">');
    widget.isRequired = true;
    assert.equal(widget.useRequiredAttribute(withoutFile), true);
  });

  test('with a file, ClearableFileInput shows it with a Clear box, and drops required', async () => {
    const widget = new ClearableFileInput();
    assert.equal(widget.isInitial(withFile), true);
    assert.equal(
      String(await widget.render('cover', withFile)),
      'Currently: <a href="/media/covers/dune.png">covers/dune.png</a>\n' +
        '<input type="checkbox" name="cover-clear" id="cover-clear_id">\n' +
        '<label for="cover-clear_id">Clear</label><br>\nChange:\n<input type="file" name="cover">',
    );
    widget.isRequired = true;
    assert.equal(widget.useRequiredAttribute(withFile), false);
  });

  test('a required field with no upload and no stored file is required; a stored file is kept', () => {
    assert.deepEqual(errors(() => new FileField().clean(null, withoutFile)), [['This field is required.', 'required']]);
    assert.equal(new FileField({ required: false }).clean(null, withoutFile), null);
    assert.equal(new FileField().clean(null, withFile), withFile);
  });
});
