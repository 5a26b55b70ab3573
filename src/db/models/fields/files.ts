/**
 * FileField and ImageField for models (Django's models.FileField / ImageField), and
 * FilePathField (a path among a server directory's entries).
 *
 * The column holds the file's name in its storage (varchar(100) by default);
 * the instance attribute is always a `FieldFile` wrapping that name. Because
 * Nuages instances keep fields as own properties, the field installs a setter
 * on the model's prototype that turns each instance's attribute into an own
 * accessor on first assignment: reads wrap the stored value (a name, a File or
 * an upload) in a FieldFile, writes keep what was assigned, so `hasOwn` checks
 * of the ORM keep working.
 */
import { readFileSync } from 'node:fs';
import { ImproperlyConfigured, NuagesError } from '../../../core/errors.ts';
import { File, type Readable } from '../../../core/files/base.ts';
import { getImageDimensions } from '../../../core/files/images.ts';
import { joinPath, validateFileName } from '../../../core/files/names.ts';
import type { SaveContent, Storage } from '../../../core/files/storage.ts';
import { defaultStorage } from '../../../core/files/storages.ts';
import { getDefaultTimeZone, wallClock } from '../../../utils/timezone.ts';
import type { Deconstruction } from '../deconstruct.ts';
import { Field, type FieldOptions, type FieldOwner } from './field.ts';
import { CharField, type CharFieldOptions } from './text.ts';
import type { ModelState } from '../state.ts';

/** Builds the stored name from the instance and the file's name (Django's callable upload_to). */
export type UploadTo = (instance: any, filename: string) => string;

export interface FileFieldOptions extends Omit<FieldOptions<FieldFile>, 'default' | 'null'> {
  /**
   * The folder under the storage, with strftime parts expanded at save time
   * (`'covers/%Y/%m/'`), or a function `(instance, filename) => name`.
   */
  uploadTo?: string | UploadTo;
  /** The storage, or a function returning it (default: STORAGES.default). */
  storage?: Storage | (() => Storage);
  /** Longest stored name (default 100, as Django). */
  maxLength?: number;
  null?: boolean;
  default?: string | (() => string);
}

export interface ImageFieldOptions extends FileFieldOptions {
  /** A field of the model that receives the image's width on assignment and save. */
  widthField?: string;
  /** A field of the model that receives the image's height on assignment and save. */
  heightField?: string;
}

/**
 * A FieldFile with no name was asked for its content, URL, path or size
 * (Django's "The 'x' attribute has no file associated with it.").
 */
export class NoFileAssociatedError extends NuagesError {
  readonly code = 'NUAGES_DB_NO_FILE';
}

interface SaveFlag {
  /** Save the model instance afterwards (default true). */
  save?: boolean;
}

type Instance = Record<string, unknown> & { save?: (options?: object) => Promise<void> };
/** An instance as the accessor sees it: its `_state` holds the file values. */
type WithState = Instance & { _state: ModelState };

/** Whether `value` can be written to a storage (File, ContentFile, UploadedFile, …). */
function isReadable(value: unknown): value is Readable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Readable).name === 'string' &&
    typeof (value as Readable).chunks === 'function'
  );
}

/**
 * The value of a FileField on an instance (Django's FieldFile): the stored
 * name plus access to the file through the field's storage. A FieldFile with
 * no name (`''` or null) means "no file"; test `file.hasFile` (a JS object is
 * always truthy). Printing it gives the name.
 *
 * ```ts
 * const book = await Book.objects.get({ pk: 1 });
 * book.cover.url;                                   // '/media/covers/dune.png'
 * await book.cover.save('dune.png', upload);        // stores it and saves book
 * await book.cover.delete({ save: false });         // removes the file only
 * ```
 */
export class FieldFile {
  readonly instance: object;
  readonly field: FileField;
  /** The name in the storage, or null/'' when there is no file. */
  name: string | null;
  /** False while an assigned upload has not been written to the storage yet. */
  committed: boolean;
  #file: Readable | undefined;

  constructor(instance: object, field: FileField, name: string | null, file?: Readable) {
    this.instance = instance;
    this.field = field;
    this.name = name;
    this.#file = file;
    this.committed = file === undefined;
  }

  /** The storage this file lives in. */
  get storage(): Storage {
    return this.field.storage;
  }

  /** Whether a file is associated (Django's bool(fieldfile)). */
  get hasFile(): boolean {
    return Boolean(this.name);
  }

  /** The assigned content not yet saved to the storage, if any. */
  get file(): Readable | undefined {
    return this.#file;
  }

  /** @throws NoFileAssociatedError when there is no file. */
  protected requireFile(): string {
    if (!this.name) {
      throw new NoFileAssociatedError(
        `The '${this.field.name}' attribute has no file associated with it. Check file.hasFile first, or assign a file.`,
      );
    }
    return this.name;
  }

  /** The URL from the storage. @throws NoFileAssociatedError, StorageUnsupportedError without a base URL. */
  get url(): string {
    return this.storage.url(this.requireFile());
  }

  /** The absolute local path. @throws NoFileAssociatedError, StorageUnsupportedError off local disk. */
  get path(): string {
    return this.storage.path(this.requireFile());
  }

  /** Size in bytes: the pending upload's, else the storage's. @throws NoFileAssociatedError */
  async size(): Promise<number> {
    const name = this.requireFile();
    return !this.committed && this.#file ? this.#file.size : this.storage.size(name);
  }

  /** The file, from the pending upload or opened from the storage. @throws NoFileAssociatedError */
  async open(): Promise<File> {
    const name = this.requireFile();
    if (!this.committed && this.#file) return this.#file instanceof File ? this.#file : new File(await this.#file.read(), name);
    return this.storage.open(name);
  }

  /** The whole content. @throws NoFileAssociatedError */
  async read(): Promise<Buffer> {
    return (await this.open()).read();
  }

  /**
   * Store `content` under a name built from `name` by the field's uploadTo,
   * free in the storage, and point the attribute at it; saves the instance
   * unless `{ save: false }`.
   *
   * @throws SuspiciousFileOperation when the name leaves the storage folder.
   */
  async save(name: string, content: SaveContent, options: SaveFlag = {}): Promise<void> {
    const target = this.field.generateFilename(this.instance, name);
    // Dimensions come from the content before the storage may move a temporary file away.
    if (this.field instanceof ImageField) this.field.noteDimensions(this, content);
    this.name = await this.storage.save(target, content, this.field.maxLength);
    this.#file = undefined;
    this.committed = true;
    (this.instance as Instance)[this.field.attname] = this;
    if (options.save ?? true) await (this.instance as Instance).save?.();
  }

  /**
   * Remove the file from the storage and clear the attribute; saves the
   * instance unless `{ save: false }`. Does nothing when there is no file.
   */
  async delete(options: SaveFlag = {}): Promise<void> {
    if (!this.name) return;
    await this.storage.delete(this.name);
    this.name = null;
    this.#file = undefined;
    this.committed = false;
    (this.instance as Instance)[this.field.attname] = this;
    if (options.save ?? true) await (this.instance as Instance).save?.();
  }

  toString(): string {
    return this.name ?? '';
  }

  toJSON(): string | null {
    return this.name;
  }
}

/** An image's FieldFile: also knows its width and height (Django's ImageFieldFile). */
export class ImageFieldFile extends FieldFile {
  /** Set by save() or assignment while the content is at hand. */
  dimensions: [number | null, number | null] | undefined;

  /** Width in pixels, or null when the file is not an image readable here. */
  get width(): number | null {
    return this.readDimensions()[0];
  }

  /** Height in pixels, or null when the file is not an image readable here. */
  get height(): number | null {
    return this.readDimensions()[1];
  }

  /** From the pending upload, else from the local file; [null, null] when neither is at hand synchronously. */
  readDimensions(): [number | null, number | null] {
    if (this.dimensions) return this.dimensions;
    if (!this.name) return [null, null];
    if (!this.committed && this.file) return (this.dimensions = getImageDimensions(this.file));
    try {
      return (this.dimensions = getImageDimensions(readFileSync(this.path)));
    } catch {
      // Not on local disk or not there: preSave reads it through the storage.
      return [null, null];
    }
  }
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Python's strftime for the directives upload paths use, on the wall clock of TIME_ZONE (Django's datetime.now()). */
export function uploadDate(format: string, at: Date = new Date()): string {
  const w = wallClock(at, getDefaultTimeZone());
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const weekday = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
  return format.replace(/%([a-zA-Z%])/g, (all, d: string) => {
    switch (d) {
      case 'Y': return pad(w.year, 4);
      case 'y': return pad(w.year % 100);
      case 'm': return pad(w.month);
      case 'd': return pad(w.day);
      case 'H': return pad(w.hour);
      case 'M': return pad(w.minute);
      case 'S': return pad(w.second);
      case 'f': return pad(w.millisecond * 1000, 6);
      case 'b': return MONTHS[w.month - 1]!.slice(0, 3);
      case 'B': return MONTHS[w.month - 1]!;
      case 'a': return DAYS[weekday]!.slice(0, 3);
      case 'A': return DAYS[weekday]!;
      case '%': return '%';
      default: return all;
    }
  });
}

/**
 * A file stored in a storage, its name in a varchar column (Django's
 * models.FileField). Assign an UploadedFile or File to the attribute and save
 * the instance: the file is written under a free, safe name first. Deleting a
 * row leaves its file in place, as Django does.
 *
 * ```ts
 * class Book extends Model<Book>()({
 *   manuscript: new FileField({ uploadTo: 'manuscripts/%Y/', blank: true }),
 * }) {}
 * book.manuscript = request.FILES.get('manuscript') as never; // typed as FieldFile on read
 * await book.save();
 * book.manuscript.url; // '/media/manuscripts/2025/draft.pdf'
 * ```
 */
export class FileField extends Field<FieldFile, false> {
  readonly internalType: string = 'FileField';
  readonly maxLength: number;
  readonly uploadTo: string | UploadTo;
  readonly #storage: Storage | (() => Storage) | undefined;
  #resolved: Storage | undefined;

  constructor(options: FileFieldOptions = {}) {
    super({ maxLength: 100, ...options } as FieldOptions<FieldFile> & { null?: false });
    this.requireOption(!options.primaryKey, "'primaryKey' is not a valid argument for a FileField; use a separate key field.");
    this.maxLength = options.maxLength ?? 100;
    this.uploadTo = options.uploadTo ?? '';
    this.requireOption(
      typeof this.uploadTo !== 'string' || !this.uploadTo.startsWith('/'),
      `uploadTo '${String(this.uploadTo)}' is an absolute path; give a folder relative to the storage (MEDIA_ROOT).`,
    );
    this.#storage = options.storage;
  }

  /** The storage files are saved to: the given one (called once when a function), else STORAGES.default. */
  get storage(): Storage {
    if (this.#resolved) return this.#resolved;
    const given = this.#storage;
    if (given === undefined) return defaultStorage();
    const storage = typeof given === 'function' ? given() : given;
    if (!storage || typeof (storage as Storage).save !== 'function') {
      throw new ImproperlyConfigured(`${this.label}: storage must be a Storage instance or a function returning one.`);
    }
    return (this.#resolved = storage);
  }

  /** Written as `new FileField({ uploadTo, … })`; storage and a function uploadTo never reach a migration. */
  deconstruct(): Deconstruction {
    return { path: 'nuages/db', name: this.constructor.name, args: [this.migrationOptions()] };
  }

  /** Options as a migration keeps them (Django drops max_length 100 and always writes upload_to). */
  protected migrationOptions(): Record<string, unknown> {
    const { storage: _storage, uploadTo, maxLength, ...rest } = this.options as FileFieldOptions;
    const options: Record<string, unknown> = { ...rest };
    if (maxLength !== undefined && maxLength !== 100) options['maxLength'] = maxLength;
    // A function cannot be imported by path into a migration; it only shapes names, never the schema.
    options['uploadTo'] = typeof uploadTo === 'string' ? uploadTo : '';
    return options;
  }

  override contributeToClass(model: FieldOwner, name: string): void {
    super.contributeToClass(model, name);
    const proto = (model as { prototype?: unknown }).prototype;
    if (proto && typeof proto === 'object') installAccessor(proto, this);
  }

  /** The attribute's value as a FieldFile bound to `instance` (Django's FileDescriptor.__get__). */
  wrap(instance: object, value: unknown): FieldFile {
    const Ctor = this.attrClass();
    if (value instanceof FieldFile) {
      if (value.instance === instance && value.field === this) return value;
      const copy = new Ctor(instance, this, value.name, value.committed ? undefined : value.file);
      return copy;
    }
    if (value === null || value === undefined || typeof value === 'string') return new Ctor(instance, this, value ?? null);
    if (isReadable(value)) return new Ctor(instance, this, value.name, value);
    throw new TypeError(`${this.label} must be a file name, a File, an UploadedFile or a FieldFile; got ${typeof value}.`);
  }

  /** The FieldFile class instances get. */
  protected attrClass(): typeof FieldFile {
    return FieldFile;
  }

  /** Called after each assignment; `initial` for the first (construction, loading). */
  afterAssign(_instance: Instance, _initial: boolean): void {}

  /**
   * The name a file is stored under: uploadTo's folder (strftime parts filled)
   * or function, then cleaned by the storage (Django's generate_filename).
   *
   * @throws SuspiciousFileOperation for an absolute name or one with `..`.
   */
  generateFilename(instance: object, filename: string): string {
    const name = typeof this.uploadTo === 'function' ? this.uploadTo(instance, filename) : joinPath(uploadDate(this.uploadTo), filename);
    validateFileName(name, true);
    return this.storage.generateFilename(name);
  }

  /**
   * Writes a pending upload to the storage before the row is saved (Django's pre_save).
   * Returns a promise only when there is something to write, so saving rows whose file is
   * already stored (or empty) costs no await.
   */
  preSaveInstance(instance: Instance, _adding: boolean): Promise<void> | undefined {
    const file = instance[this.attname] as FieldFile;
    if (file.hasFile && !file.committed && file.file) return file.save(file.name!, file.file, { save: false }).then(() => undefined);
    return undefined;
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    // As Django's str(fieldfile): a cleared file is stored as '' rather than NULL.
    if (value instanceof FieldFile) return value.name ?? '';
    if (isReadable(value)) return value.name;
    return String(value);
  }

  protected override emptyDefault(): FieldFile | null {
    return '' as unknown as FieldFile;
  }

  override isEmpty(value: unknown): boolean {
    return value instanceof FieldFile ? !value.name : super.isEmpty(value);
  }

  /**
   * What a ModelForm stores from its cleaned value: an upload replaces the
   * file, `false` (the "Clear" box) empties it, null/undefined keeps it
   * (Django's save_form_data).
   */
  saveFormData(instance: object, data: unknown): void {
    if (data === null || data === undefined) return;
    (instance as Instance)[this.attname] = data === false || data === '' ? '' : data;
  }

  override dbParameters(): Record<string, unknown> {
    return { maxLength: this.maxLength };
  }
}

/**
 * A FileField for images that can keep the image's width and height in two
 * other fields of the model (Django's models.ImageField). The content is not
 * checked here: validate uploads with forms' ImageField.
 *
 * ```ts
 * class Book extends Model<Book>()({
 *   cover: new ImageField({ uploadTo: 'covers/', widthField: 'coverWidth', heightField: 'coverHeight', blank: true }),
 *   coverWidth: new IntegerField({ null: true, editable: false }),
 *   coverHeight: new IntegerField({ null: true, editable: false }),
 * }) {}
 * ```
 */
export class ImageField extends FileField {
  readonly widthField: string | undefined;
  readonly heightField: string | undefined;

  constructor(options: ImageFieldOptions = {}) {
    super(options);
    this.widthField = options.widthField;
    this.heightField = options.heightField;
  }

  protected override attrClass(): typeof FieldFile {
    return ImageFieldFile;
  }

  /** Remember the dimensions of content about to be saved into `file`. */
  noteDimensions(file: FieldFile, content: SaveContent): void {
    if (file instanceof ImageFieldFile) {
      const bytes = typeof content === 'string' ? Buffer.from(content) : content instanceof Uint8Array ? Buffer.from(content) : content;
      const found = getImageDimensions(bytes);
      // Content this cannot read synchronously is measured from the storage later.
      if (found[0] !== null) file.dimensions = found;
    }
  }

  override afterAssign(instance: Instance, initial: boolean): void {
    // Loading a row must not read every image; a later assignment does (Django's ImageFileDescriptor).
    if (!initial) this.updateDimensionFields(instance, true);
  }

  /**
   * Copy the image's width and height into widthField/heightField; without
   * `force`, only when one of them is empty (Django's update_dimension_fields).
   */
  updateDimensionFields(instance: Instance, force = false): void {
    if (!this.widthField && !this.heightField) return;
    if (!Object.hasOwn(instance, this.attname)) return;
    const filled = !((this.widthField && !instance[this.widthField]) || (this.heightField && !instance[this.heightField]));
    if (filled && !force) return;
    const file = instance[this.attname] as ImageFieldFile;
    const [width, height] = file.hasFile ? file.readDimensions() : [null, null];
    if (this.widthField) instance[this.widthField] = width;
    if (this.heightField) instance[this.heightField] = height;
  }

  override preSaveInstance(instance: Instance, adding: boolean): Promise<void> | undefined {
    if (!this.widthField && !this.heightField) return super.preSaveInstance(instance, adding);
    const pending = !(instance[this.attname] as ImageFieldFile).committed;
    return this.#recordDimensions(instance, pending, super.preSaveInstance(instance, adding));
  }

  async #recordDimensions(instance: Instance, pending: boolean, saving: Promise<void> | undefined): Promise<void> {
    const file = instance[this.attname] as ImageFieldFile;
    await saving;
    if (file.hasFile && !file.dimensions && (pending || this.dimensionsMissing(instance))) {
      // A storage off local disk: read the image through it.
      file.dimensions = getImageDimensions(await file.read().catch(() => Buffer.alloc(0)));
    }
    this.updateDimensionFields(instance, pending);
  }

  private dimensionsMissing(instance: Instance): boolean {
    return Boolean((this.widthField && !instance[this.widthField]) || (this.heightField && !instance[this.heightField]));
  }
}

/**
 * The prototype setter that gives each instance its own accessor for `field`
 * on first assignment (the constructor, fromDb and the row mapper all assign),
 * so `Object.hasOwn(instance, attname)` still tells a loaded field from a deferred one.
 * Every instance gets the same getter and setter, the value kept in `_state.files`:
 * instances then share V8's hidden classes, where a closure per instance would give
 * each one its own (slow, and a few hundred bytes per row read or written).
 */
function installAccessor(proto: object, field: FileField): void {
  const name = field.attname;
  const own: PropertyDescriptor = {
    configurable: true,
    enumerable: true,
    get(this: WithState): FieldFile {
      const files = this._state.files!;
      const wrapped = field.wrap(this, files[name]);
      files[name] = wrapped;
      return wrapped;
    },
    set(this: WithState, next: unknown) {
      this._state.files![name] = next;
      field.afterAssign(this, false);
    },
  };
  Object.defineProperty(proto, name, {
    configurable: true,
    enumerable: false,
    get() {
      return undefined;
    },
    set(this: WithState, value: unknown) {
      (this._state.files ??= {})[name] = value;
      Object.defineProperty(this, name, own);
      field.afterAssign(this, true);
    },
  });
}

export interface FilePathFieldOptions<N extends boolean> extends CharFieldOptions<N> {
  /** The directory whose entries a form offers, or a function returning it (called when a form field is built). */
  path?: string | (() => string);
  /** Only entries whose name this pattern finds (a regular expression's source). */
  match?: string;
  /** Include the entries of every subdirectory (default false). */
  recursive?: boolean;
  /** Offer files (default true). */
  allowFiles?: boolean;
  /** Offer folders (default false). */
  allowFolders?: boolean;
}

/**
 * A path chosen among the entries of a server directory (Django's models.FilePathField):
 * stored as text (varchar(100) by default); its form field is a FilePathField listing the
 * directory.
 *
 * ```ts
 * template: new FilePathField({ path: () => join(settings.BASE_DIR, 'templates', 'mail'), match: '\\.html$' }),
 * ```
 *
 * @throws FieldError when both allowFiles and allowFolders are false (Django's fields.E140).
 */
export class FilePathField<N extends boolean = false> extends CharField<N> {
  readonly path: string | (() => string);
  readonly match: string | null;
  readonly recursive: boolean;
  readonly allowFiles: boolean;
  readonly allowFolders: boolean;

  constructor(options: FilePathFieldOptions<N> = {}) {
    super(options);
    this.path = options.path ?? '';
    this.match = options.match ?? null;
    this.recursive = options.recursive ?? false;
    this.allowFiles = options.allowFiles ?? true;
    this.allowFolders = options.allowFolders ?? false;
    this.requireOption(this.allowFiles || this.allowFolders, "FilePathFields must have either 'allowFiles' or 'allowFolders' set to true.");
  }

  protected override defaultMaxLength(): number {
    return 100;
  }

  /** The directory now (a function path is called). */
  resolvePath(): string {
    return typeof this.path === 'function' ? this.path() : this.path;
  }
}
