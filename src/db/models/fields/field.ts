/**
 * The base of every model field.
 *
 * A field knows how a value moves between three worlds: what a user assigns
 * (`toPython` cleans it), what the database stores (`toDb`), and what comes back
 * (`fromDb`, resolved once per query shape by `dbConverter`). Options keep
 * Django's names in camelCase.
 */
import { FieldError, ValidationError } from '../../../core/exceptions.ts';
import type { Validator } from '../../../core/validators.ts';
import type { DatabaseFeatures, SqlParam } from '../../backends/base/types.ts';
import type { ExprNode, WhereChild } from '../sql/nodes.ts';

export type Choices = readonly (readonly [unknown, string])[] | Readonly<Record<string, string>>;

export interface FieldOptions<T = unknown> {
  null?: boolean;
  blank?: boolean;
  /** A value, or a function called for each new instance (use a function for mutable values). */
  default?: T | (() => T);
  /** A default computed by the database (an SQL literal value), as Django's db_default. */
  dbDefault?: T;
  unique?: boolean;
  dbIndex?: boolean;
  dbColumn?: string;
  dbComment?: string;
  choices?: Choices;
  validators?: readonly Validator[];
  primaryKey?: boolean;
  editable?: boolean;
  verboseName?: string;
  helpText?: string;
  errorMessages?: Readonly<Record<string, string>>;
}

/** The attributes of a model class a field needs, without importing the Model module. */
export interface FieldOwner {
  readonly name: string;
  readonly _meta: { readonly label: string; readonly objectName: string };
}

/** Lookups added with Field.registerLookup(), by field class. */
const registeredLookups = new WeakMap<object, Map<string, FieldLookup>>();

const NOT_PROVIDED: unique symbol = Symbol('NOT_PROVIDED');

/** What a field's own lookup gets to build its condition with. */
export interface LookupContext {
  readonly features: DatabaseFeatures;
  /** The full filter path (`data__owner__hasKey`), for error messages. */
  readonly path: string;
  /** Inside exclude() or ~Q(): nullable left sides then also need IS NOT NULL. */
  readonly negated: boolean;
  /** A value as a parameter node, converted by `field` when given (by toDb), else as is. */
  param(value: unknown, field?: Field): ExprNode;
}

/** A transform a field type adds (a JSON key, an array index or slice): wraps the left side. */
export interface FieldTransform {
  /** The field the transformed value behaves as, for the lookups and transforms after it. */
  readonly output: Field;
  apply(lhs: ExprNode, features: DatabaseFeatures): ExprNode;
}

/** A lookup a field type adds or redefines (JSON `contains`, array `overlap`): the condition for `value`. */
export type FieldLookup = (lhs: ExprNode, value: unknown, context: LookupContext) => WhereChild;

/** Converts a database value into a JavaScript one. `null` converters mean "as is". */
export type DbConverter = ((raw: unknown) => unknown) | null;

function toSnakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/**
 * A field name in words, as Django's default verbose_name (`first_name` → `first name`). Nuages
 * names fields in camelCase, so a camel boundary is a word break too, with the same breaks as
 * the column name, and the words it makes are lower-cased except acronyms:
 * `publishedDate` → `published date`, `homeURL` → `home URL`, `URLField` → `URL field`. A name
 * without a camel boundary reads as Django reads it (`isbn13`, `ISBN`, `first_Name` keep their case).
 */
function verboseNameFromName(name: string): string {
  const split = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z])([A-Z][a-z])/g, '$1 $2');
  if (split === name) return name.replaceAll('_', ' ');
  return split
    .replaceAll('_', ' ')
    .split(' ')
    .map((word) => (/^[A-Z][A-Z0-9]+$/.test(word) ? word : word.toLowerCase()))
    .join(' ');
}

/**
 * `T` is the value type, `N` whether the field allows null: the instance type of
 * a model is inferred from them.
 */
export abstract class Field<T = unknown, N extends boolean = boolean> {
  /** Phantom members for type inference; never read at run time. */
  declare readonly __value: T;
  declare readonly __null: N;

  /** Django's internal type name, e.g. `CharField`; backends map it to a column type. */
  abstract readonly internalType: string;

  readonly options: FieldOptions<T>;
  readonly null: boolean;
  readonly blank: boolean;
  readonly unique: boolean;
  readonly dbIndex: boolean;
  readonly primaryKey: boolean;
  readonly editable: boolean;
  readonly choices: readonly (readonly [unknown, string])[] | null;
  readonly validators: readonly Validator[];
  #allValidators: readonly Validator[] | undefined;
  #default: unknown = NOT_PROVIDED;

  /** Set when the field is attached to a model. */
  name = '';
  attname = '';
  column = '';
  model: FieldOwner | undefined;
  /** True for relation fields (ForeignKey, OneToOneField). */
  readonly isRelation: boolean = false;
  /** Auto-incrementing primary keys are filled by the database. */
  readonly isAuto: boolean = false;
  /** Set for fields that never accept blank values from a form. */
  readonly emptyStringsAllowed: boolean = true;

  constructor(options: FieldOptions<T> & { null?: N } = {}) {
    this.options = options;
    this.primaryKey = options.primaryKey ?? false;
    this.null = options.null ?? false;
    this.blank = options.blank ?? false;
    this.unique = (options.unique ?? false) || this.primaryKey;
    this.dbIndex = options.dbIndex ?? false;
    this.editable = options.editable ?? true;
    this.choices = normaliseChoices(options.choices);
    this.validators = options.validators ?? [];
    if ('default' in options) this.#default = options.default;
  }

  /** A fresh copy with the same options, for models that inherit fields from an abstract base. */
  clone(): this {
    const Ctor = this.constructor as new (options: FieldOptions<T>) => this;
    return new Ctor(this.options);
  }

  /** Attaches the field to a model under `name`. */
  contributeToClass(model: FieldOwner, name: string): void {
    this.model = model;
    this.name = name;
    this.attname = this.attnameFor(name);
    this.column = this.options.dbColumn ?? toSnakeCase(this.attname);
  }

  /** The instance attribute holding the raw value; ForeignKey appends `Id`. */
  protected attnameFor(name: string): string {
    return name;
  }

  get concrete(): boolean {
    return true;
  }

  hasDefault(): boolean {
    return this.#default !== NOT_PROVIDED;
  }

  hasDbDefault(): boolean {
    return 'dbDefault' in this.options;
  }

  /** The value a new instance gets when none is given (Django's get_default). */
  getDefault(): T | null {
    if (this.#default !== NOT_PROVIDED) {
      return typeof this.#default === 'function' ? (this.#default as () => T)() : (this.#default as T);
    }
    if (!this.emptyStringsAllowed || this.null) return null;
    return this.emptyDefault();
  }

  /** What a field without a default holds: '' for strings, null for the rest. */
  protected emptyDefault(): T | null {
    return null;
  }

  /** Converts an assigned or submitted value to the field's type; throws ValidationError. */
  toPython(value: unknown): T | null {
    return value as T | null;
  }

  /** Normalises a value used in a lookup or saved (Django's get_prep_value). */
  getPrepValue(value: unknown): unknown {
    return value === null || value === undefined ? null : this.toPython(value);
  }

  /** The parameter bound for `value` (already prepared). */
  toDb(value: unknown, _features: DatabaseFeatures): SqlParam {
    return value as SqlParam;
  }

  /** How to read this field's column from a row; resolved once per compiled query. */
  dbConverter(_features: DatabaseFeatures): DbConverter {
    return null;
  }

  /**
   * A transform this field type defines beyond the date parts (JSON keys, array indexes),
   * or undefined when it has none called `name`.
   */
  getTransform(_name: string): FieldTransform | undefined {
    return undefined;
  }

  /**
   * A lookup this field type defines or redefines (`hasKey`, or `contains` meaning JSON
   * containment), or undefined to use the standard lookup of that name.
   */
  getLookup(name: string): FieldLookup | undefined {
    for (let ctor: unknown = this.constructor; ctor && ctor !== Object; ctor = Object.getPrototypeOf(ctor)) {
      const found = registeredLookups.get(ctor as object)?.get(name);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Adds a lookup to this field class and its subclasses, as Django's register_lookup
   * (contrib/postgres registers `search` on CharField and TextField this way).
   */
  static registerLookup(name: string, lookup: FieldLookup): void {
    const own = registeredLookups.get(this) ?? new Map<string, FieldLookup>();
    own.set(name, lookup);
    registeredLookups.set(this, own);
  }

  /**
   * The column type when the field computes it itself (ArrayField: its base's type plus
   * `[]`); undefined to use the backend's table by internal type. `columnType` gives the
   * backend's type of another field.
   */
  customColumnType(_columnType: (field: Field) => string | null, _ops?: { readonly hasArrayTypes: boolean }): string | null | undefined {
    return undefined;
  }

  /** Column parameters backends substitute into their type templates. */
  dbParameters(): Record<string, unknown> {
    return {};
  }

  /** Checks null, blank and choices (Django's Field.validate). */
  validate(value: unknown): void {
    if (!this.editable) return;
    if (this.choices && value !== null && value !== undefined && value !== '') {
      const allowed = this.choices.some(([key]) => sameChoice(key, value));
      if (!allowed) {
        throw new ValidationError(this.message('invalid_choice', `Value ${pyRepr(value)} is not a valid choice.`), {
          code: 'invalid_choice',
          params: { value },
        });
      }
    }
    if (value === null || value === undefined) {
      if (!this.null) throw new ValidationError(this.message('null', 'This field cannot be null.'), { code: 'null' });
      return;
    }
    if (!this.blank && this.isEmpty(value)) {
      throw new ValidationError(this.message('blank', 'This field cannot be blank.'), { code: 'blank' });
    }
  }

  /** Values Django treats as "empty" for blank=False checks. */
  isEmpty(value: unknown): boolean {
    if (value === null || value === undefined || value === '') return true;
    if (Array.isArray(value)) return value.length === 0;
    if (value && typeof value === 'object' && value.constructor === Object) return Object.keys(value).length === 0;
    return false;
  }

  runValidators(value: unknown): void {
    if (value === null || value === undefined || this.isEmpty(value)) return;
    const errors: ValidationError[] = [];
    // A field's options never change after construction, so its validators are built once.
    this.#allValidators ??= [...this.builtinValidators(), ...this.validators];
    for (const validator of this.#allValidators) {
      try {
        validator(value);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        errors.push(error);
      }
    }
    if (errors.length) throw new ValidationError(errors);
  }

  /** Validators implied by the field's own options (max length, digits…). */
  builtinValidators(): readonly Validator[] {
    return [];
  }

  /** Converts, validates and runs validators; returns the cleaned value. */
  clean(value: unknown): T | null {
    const cleaned = this.toPython(value);
    this.validate(cleaned);
    this.runValidators(cleaned);
    return cleaned;
  }

  /** Readable label of a choice, for `getFooDisplay()`. */
  displayFor(value: unknown): string {
    const match = this.choices?.find(([key]) => sameChoice(key, value));
    return match ? match[1] : value === null || value === undefined ? '' : String(value);
  }

  protected message(code: string, fallback: string): string {
    return this.options.errorMessages?.[code] ?? fallback;
  }

  protected invalid(value: unknown, message: string): ValidationError {
    return new ValidationError(this.message('invalid', message), { code: 'invalid', params: { value } });
  }

  /** Django's verbose_name: the `verboseName` option, else the name in words (`publishedDate` → `published date`). */
  get verboseName(): string {
    return this.options.verboseName ?? verboseNameFromName(this.name);
  }

  /** The user-facing name, e.g. `Book.price`, used in error messages. */
  get label(): string {
    return this.model ? `${this.model._meta.objectName}.${this.name}` : this.name || this.constructor.name;
  }

  /** Raises a clear error for options that make no sense together. */
  protected requireOption(condition: boolean, message: string): void {
    if (!condition) throw new FieldError(`${this.constructor.name}: ${message}`);
  }
}

function normaliseChoices(choices: Choices | undefined): (readonly [unknown, string])[] | null {
  if (!choices) return null;
  if (Array.isArray(choices)) return [...choices] as (readonly [unknown, string])[];
  return Object.entries(choices);
}

function sameChoice(key: unknown, value: unknown): boolean {
  if (key === value) return true;
  return key !== null && value !== null && typeof key === 'object' ? String(key) === String(value) : false;
}

function pyRepr(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

export { NOT_PROVIDED, toSnakeCase };
