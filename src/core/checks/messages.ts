/**
 * Check messages: what a system check reports (Django's django.core.checks.messages).
 * A message has a level, a sentence, an optional hint, the object it is about and a
 * permanent ID (`security.W004`) that SILENCED_SYSTEM_CHECKS can name.
 */
import { settingOr } from '../../conf/lazy-settings.ts';

/** Check levels, Django's numbers. */
export const DEBUG = 10;
export const INFO = 20;
export const WARNING = 30;
export const ERROR = 40;
export const CRITICAL = 50;

/** Options of a check message. */
export interface CheckMessageOptions {
  /** How to fix it, printed on its own line. */
  hint?: string;
  /** What the message is about: a model class, a field, a setting name… */
  obj?: unknown;
  /** A permanent ID such as 'security.W018', used by SILENCED_SYSTEM_CHECKS. */
  id?: string;
}

/**
 * One finding of a check. Use the level subclasses (`CheckWarning`,
 * `CheckError`…); they are named with a `Check` prefix so they do not shadow
 * the global `Error`.
 *
 * ```ts
 * String(new CheckWarning('Too slow.', { id: 'shop.W001', hint: 'Add an index.' }));
 * // "?: (shop.W001) Too slow.\n\tHINT: Add an index."
 * ```
 */
export class CheckMessage {
  readonly level: number;
  readonly msg: string;
  readonly hint: string | undefined;
  readonly obj: unknown;
  readonly id: string | undefined;

  constructor(level: number, msg: string, options: CheckMessageOptions = {}) {
    if (!Number.isInteger(level)) throw new TypeError('The first argument of CheckMessage should be the level (DEBUG, INFO, WARNING, ERROR or CRITICAL).');
    this.level = level;
    this.msg = msg;
    this.hint = options.hint;
    this.obj = options.obj;
    this.id = options.id;
  }

  /** Whether the message is at or above `level` (ERROR by default): such messages fail `check`. */
  isSerious(level = ERROR): boolean {
    return this.level >= level;
  }

  /** Whether SILENCED_SYSTEM_CHECKS lists this message's ID. */
  isSilenced(): boolean {
    return this.id !== undefined && settingOr<readonly string[]>('SILENCED_SYSTEM_CHECKS', []).includes(this.id);
  }

  /** Same class, level, text, hint, object and ID (Django's `==` on messages). */
  equals(other: unknown): boolean {
    return (
      other instanceof CheckMessage &&
      other.constructor === this.constructor &&
      other.level === this.level &&
      other.msg === this.msg &&
      other.hint === this.hint &&
      other.obj === this.obj &&
      other.id === this.id
    );
  }

  /** `obj: (id) msg`, then a tab-indented HINT line when there is a hint, as Django prints it. */
  toString(): string {
    const id = this.id ? `(${this.id}) ` : '';
    const hint = this.hint ? `\n\tHINT: ${this.hint}` : '';
    return `${describeObject(this.obj)}: ${id}${this.msg}${hint}`;
  }
}

/** The base of the level classes: a CheckMessage whose level is fixed. */
function atLevel(level: number) {
  return class extends CheckMessage {
    constructor(msg: string, options?: CheckMessageOptions) {
      super(level, msg, options);
    }
  };
}

/** A DEBUG-level check message. */
export class CheckDebug extends atLevel(DEBUG) {}

/** An INFO-level check message. */
export class CheckInfo extends atLevel(INFO) {}

/** A WARNING-level check message: reported, does not fail `check`. */
export class CheckWarning extends atLevel(WARNING) {}

/** An ERROR-level check message: fails `check` and blocks commands that run checks. */
export class CheckError extends atLevel(ERROR) {}

/** A CRITICAL-level check message. */
export class CheckCritical extends atLevel(CRITICAL) {}

/** What a model class and a model field look like to `describeObject()`. */
interface Labelled {
  readonly _meta: { readonly label: string };
}
interface FieldLike {
  readonly name: string;
  readonly model: Labelled | undefined;
}

function isModelClass(obj: unknown): obj is Labelled {
  if (typeof obj !== 'function' || !('_meta' in obj)) return false;
  try {
    return typeof (obj as Labelled)._meta.label === 'string';
  } catch {
    // A model outside any installed app has no label: it is named like any function.
    return false;
  }
}

function isModelField(obj: unknown): obj is FieldLike & { model: Labelled } {
  return typeof obj === 'object' && obj !== null && 'model' in obj && 'attname' in obj && isModelClass((obj as unknown as FieldLike).model);
}

/**
 * How a message names its object: `?` for none, `app.Model` for a model class,
 * `app.Model.field` for a field (as Django's str() of a field), else its string form.
 */
export function describeObject(obj: unknown): string {
  if (obj === undefined || obj === null) return '?';
  if (isModelClass(obj)) return obj._meta.label;
  if (isModelField(obj)) return `${obj.model._meta.label}.${obj.name}`;
  if (typeof obj === 'function') return obj.name || '(anonymous function)';
  return String(obj);
}
