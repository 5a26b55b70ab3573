/**
 * FileField and ImageField for forms (Django 5.2's forms.FileField and
 * forms.ImageField): same messages and codes, the clear-checkbox rules of
 * ClearableFileInput, and an image check that reads the bytes (image-size)
 * rather than trusting the client's name or Content-Type.
 */
import { ValidationError } from '../core/exceptions.ts';
import { getImageInfo, imageMimeType } from '../core/files/images.ts';
import { validateImageFileExtension } from '../core/files/validators.ts';
import type { UploadedFile } from '../http/multipart.ts';
import { Field, type FieldOptions, type Validator } from './fields/base.ts';
import { ClearableFileInput, FILE_INPUT_CONTRADICTION, FileInput, fileIsSet, type Widget } from './widgets.ts';

/** Options of FileField and ImageField. */
export interface FileFieldOptions<R extends boolean = boolean> extends FieldOptions<R> {
  /** Longest file name accepted, in characters (Django's max_length). */
  maxLength?: number | null;
  /** Accept a file with no content (Django's allow_empty_file). */
  allowEmptyFile?: boolean;
}

const MAX_LENGTH_ONE = 'Ensure this filename has at most %(max)d character (it has %(length)d).';
const MAX_LENGTH_MANY = 'Ensure this filename has at most %(max)d characters (it has %(length)d).';

/**
 * An uploaded file (request.FILES), validated for presence, name length and
 * emptiness. `clean(data, initial)` returns the upload, the initial file when
 * none was sent, or `false` when an optional field's "Clear" box was ticked.
 *
 * ```ts
 * class CoverForm extends Form {
 *   static fields = { cover: new FileField({ maxLength: 100, validators: [fileExtensionValidator(['pdf'])] }) };
 * }
 * const form = new CoverForm({ data: request.POST, files: request.FILES });
 * ```
 */
export class FileField<R extends boolean = true> extends Field<UploadedFile, R> {
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid: 'No file was submitted. Check the encoding type on the form.',
    missing: 'No file was submitted.',
    empty: 'The submitted file is empty.',
    max_length: MAX_LENGTH_MANY,
    contradiction: 'Please either submit a file or check the clear checkbox, not both.',
  };
  static override widget: new () => Widget = ClearableFileInput;

  maxLength: number | null;
  allowEmptyFile: boolean;

  constructor(options: FileFieldOptions<R> = {}) {
    super(options);
    this.maxLength = options.maxLength ?? null;
    this.allowEmptyFile = options.allowEmptyFile ?? false;
    this.applyWidgetAttrs();
  }

  /** The upload itself, or null for nothing; refuses non-files, long names, nameless and empty files. */
  override toPython(data: unknown): unknown {
    if (this.isEmpty(data)) return null;
    const name = (data as { name?: unknown } | null)?.name;
    const size = (data as { size?: unknown } | null)?.size;
    if (typeof data !== 'object' || typeof name !== 'string' || typeof size !== 'number') {
      throw new ValidationError(this.errorMessages.invalid!, { code: 'invalid' });
    }
    const length = [...name].length;
    if (this.maxLength !== null && length > this.maxLength) {
      // Django picks the singular text through ngettext; a project's own message is used as given.
      const message =
        this.errorMessages.max_length === MAX_LENGTH_MANY && this.maxLength === 1 ? MAX_LENGTH_ONE : this.errorMessages.max_length!;
      throw new ValidationError(message, { code: 'max_length', params: { max: this.maxLength, length } });
    }
    if (!name) throw new ValidationError(this.errorMessages.missing!, { code: 'missing' });
    if (!this.allowEmptyFile && !size) throw new ValidationError(this.errorMessages.empty!, { code: 'empty' });
    return data;
  }

  /**
   * The clean file: a contradiction (upload plus "Clear") is an error; `false`
   * (cleared) is kept for an optional field; no upload falls back to `initial`.
   *
   * @throws ValidationError with Django's codes: contradiction, required, invalid, missing, empty, max_length.
   */
  override clean(data: unknown, initial: unknown = null): R extends true ? UploadedFile : UploadedFile | null {
    type Out = R extends true ? UploadedFile : UploadedFile | null;
    if (data === FILE_INPUT_CONTRADICTION) {
      throw new ValidationError(this.errorMessages.contradiction!, { code: 'contradiction' });
    }
    let value = data;
    if (value === false) {
      if (!this.required) return false as unknown as Out;
      // A required field cannot be cleared; treat it as nothing submitted.
      value = null;
    }
    if (!value && fileIsSet(initial)) return initial as Out;
    return super.clean(value);
  }

  /** A file input cannot show submitted data again, so it shows the initial file. */
  override boundData(_data: unknown, initial: unknown): unknown {
    return initial;
  }

  /** Changed whenever anything was submitted (a new upload, or the clear box). */
  override hasChanged(_initial: unknown, data: unknown): boolean {
    return !this.disabled && data !== null && data !== undefined;
  }
}

/**
 * A FileField whose bytes must be an image: sets the upload's `contentType`
 * from the bytes and `image` to `{ width, height, format }`. SVG is refused,
 * as Django's (Pillow cannot read it, and it can carry script).
 *
 * ```ts
 * const cover = new ImageField({ required: false }).clean(upload);
 * cover.image; // { width: 600, height: 900, format: 'jpg' }
 * ```
 */
export class ImageField<R extends boolean = true> extends FileField<R> {
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_image: 'Upload a valid image. The file you uploaded was either not an image or a corrupted image.',
  };

  protected override defaultValidators(): Validator[] {
    return [validateImageFileExtension];
  }

  override toPython(data: unknown): unknown {
    const file = super.toPython(data);
    if (file === null) return null;
    const info = getImageInfo(file);
    const mime = info === undefined ? undefined : imageMimeType(info.format);
    if (info === undefined || mime === undefined || info.format === 'svg') {
      throw new ValidationError(this.errorMessages.invalid_image!, { code: 'invalid_image' });
    }
    const upload = file as { contentType?: string; image?: unknown };
    upload.image = { width: info.width, height: info.height, format: info.format };
    upload.contentType = mime;
    return file;
  }

  /** `accept="image/*"` on a file input that sets no `accept` of its own. */
  override widgetAttrs(widget: Widget): Record<string, string | boolean> {
    const attrs = super.widgetAttrs(widget);
    if (widget instanceof FileInput && !('accept' in widget.attrs) && !('accept' in attrs)) attrs.accept = 'image/*';
    return attrs;
  }
}
