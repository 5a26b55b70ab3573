/**
 * How a field or index describes itself to the migration writer (Django's deconstruct()):
 * the module to import from, the exported class name, and the constructor arguments.
 * Classes outside nuages/db (contrib.postgres' ArrayField, GinIndex…) implement it so
 * makemigrations writes them as themselves instead of a plain Index or an error.
 */

/** `new <name>(...args)`, with `import { <name> } from '<path>'` at the top of the file. */
export interface Deconstruction {
  /** The module a migration file imports the class from, e.g. `'nuages/contrib/postgres'`. */
  readonly path: string;
  /** The exported class name. */
  readonly name: string;
  /** Constructor arguments; a trailing plain object is the options. */
  readonly args: readonly unknown[];
}

/** A class that can be written into a migration by its own description. */
export interface Deconstructible {
  deconstruct(): Deconstruction;
}

/** Whether `value` describes itself with a deconstruct() method. */
export function isDeconstructible(value: unknown): value is Deconstructible {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Deconstructible>).deconstruct === 'function';
}
