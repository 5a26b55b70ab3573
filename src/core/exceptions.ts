/**
 * Django's core exceptions, with permanent codes.
 *
 * `ValidationError` carries one message, a list, or a map of field → messages,
 * as Django's does, so model validation and forms share one error shape.
 */
import { NuagesError } from './errors.ts';

export { ImproperlyConfigured, NuagesError } from './errors.ts';

/** A field name the model does not have. */
export class FieldDoesNotExist extends NuagesError {
  readonly code = 'NUAGES_FIELD_DOES_NOT_EXIST';
}

/** A query names fields or lookups wrongly (Django's FieldError). */
export class FieldError extends NuagesError {
  readonly code = 'NUAGES_FIELD_ERROR';
}

/** Base of every model's `DoesNotExist`. */
export class ObjectDoesNotExist extends NuagesError {
  readonly code: string = 'NUAGES_OBJECT_DOES_NOT_EXIST';
}

/** Base of every model's `MultipleObjectsReturned`. */
export class MultipleObjectsReturned extends NuagesError {
  readonly code: string = 'NUAGES_MULTIPLE_OBJECTS_RETURNED';
}

/** Deleting an object that a PROTECT relation still references. */
export class ProtectedError extends NuagesError {
  readonly code: string = 'NUAGES_PROTECTED';
  readonly protectedObjects: readonly unknown[];
  constructor(message: string, protectedObjects: readonly unknown[]) {
    super(message);
    this.protectedObjects = protectedObjects;
  }
}

/** Deleting an object that a RESTRICT relation references from outside the deletion. */
export class RestrictedError extends ProtectedError {
  override readonly code = 'NUAGES_RESTRICTED';
}

/** Data that a caller supplied is not valid for the operation. */
export class SuspiciousOperation extends NuagesError {
  readonly code: string = 'NUAGES_SUSPICIOUS_OPERATION';
}

export type ValidationParams = Record<string, unknown>;

/** One validation message with its machine-readable code. */
export interface ValidationMessage {
  readonly message: string;
  readonly code: string | undefined;
  readonly params: ValidationParams | undefined;
}

type ValidationInput =
  | string
  | ValidationError
  | readonly (string | ValidationError)[]
  | Readonly<Record<string, string | ValidationError | readonly (string | ValidationError)[]>>;

/**
 * Invalid data. `errorDict` maps field names (or `__all__` for errors not tied to
 * one field) to messages; `messages` lists every message flat.
 *
 * ```ts
 * throw new ValidationError('Enter a valid ISBN.', { code: 'invalid' });
 * throw new ValidationError({ price: 'Must be positive.' });
 * ```
 */
export class ValidationError extends NuagesError {
  readonly code = 'NUAGES_VALIDATION_ERROR';
  readonly errorList: readonly ValidationMessage[];
  readonly errorDict: Readonly<Record<string, readonly ValidationMessage[]>> | undefined;
  /** The validation code of a single-message error (Django's `error.code`). */
  readonly validationCode: string | undefined;
  readonly params: ValidationParams | undefined;

  constructor(input: ValidationInput, options: { code?: string; params?: ValidationParams } = {}) {
    const { list, dict } = normalise(input, options);
    super(dict ? describeDict(dict) : list.map((m) => m.message).join(' '));
    this.errorList = list;
    this.errorDict = dict;
    this.validationCode = list.length === 1 ? list[0]!.code : undefined;
    this.params = options.params;
  }

  /** All messages, flattened, with their params interpolated. */
  get messages(): string[] {
    return this.errorList.map((m) => m.message);
  }

  /** `{ field: [messages] }`; errors without a field go under `__all__`. */
  get messageDict(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    const dict = this.errorDict ?? { __all__: this.errorList };
    for (const [field, messages] of Object.entries(dict)) out[field] = messages.map((m) => m.message);
    return out;
  }
}

export const NON_FIELD_ERRORS = '__all__';

function interpolate(message: string, params: ValidationParams | undefined): string {
  if (!params) return message;
  return message.replace(/%\((\w+)\)[sd]/g, (whole, key: string) =>
    key in params ? String(params[key]) : whole,
  );
}

function toMessages(
  item: string | ValidationError | readonly (string | ValidationError)[],
  options: { code?: string; params?: ValidationParams },
): ValidationMessage[] {
  if (typeof item === 'string') {
    return [{ message: interpolate(item, options.params), code: options.code, params: options.params }];
  }
  if (item instanceof ValidationError) return [...item.errorList];
  return item.flatMap((entry) => toMessages(entry, {}));
}

function normalise(
  input: ValidationInput,
  options: { code?: string; params?: ValidationParams },
): { list: ValidationMessage[]; dict: Record<string, ValidationMessage[]> | undefined } {
  if (input instanceof ValidationError && input.errorDict) {
    const dict = Object.fromEntries(Object.entries(input.errorDict).map(([k, v]) => [k, [...v]]));
    return { list: Object.values(dict).flat(), dict };
  }
  if (typeof input === 'string' || input instanceof ValidationError || Array.isArray(input)) {
    return { list: toMessages(input as string, options), dict: undefined };
  }
  const dict: Record<string, ValidationMessage[]> = {};
  for (const [field, value] of Object.entries(input as Record<string, string>)) {
    dict[field] = toMessages(value, {});
  }
  return { list: Object.values(dict).flat(), dict };
}

function describeDict(dict: Record<string, ValidationMessage[]>): string {
  return Object.entries(dict)
    .map(([field, messages]) => `${field}: ${messages.map((m) => m.message).join(' ')}`)
    .join('; ');
}

/** The Host header is not in ALLOWED_HOSTS or is malformed (a SuspiciousOperation → 400). */
export class DisallowedHost extends SuspiciousOperation {
  override readonly code = 'NUAGES_DISALLOWED_HOST';
}

/** A redirect to a URL whose scheme is not allowed, such as `javascript:` (→ 400). */
export class DisallowedRedirect extends SuspiciousOperation {
  override readonly code = 'NUAGES_DISALLOWED_REDIRECT';
}

/**
 * The request body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE. Django answers
 * 400 (it is a SuspiciousOperation); the Nuages handler answers 413.
 */
export class RequestDataTooBig extends SuspiciousOperation {
  override readonly code = 'NUAGES_REQUEST_DATA_TOO_BIG';
}

/** More form fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (→ 400). */
export class TooManyFieldsSent extends SuspiciousOperation {
  override readonly code = 'NUAGES_TOO_MANY_FIELDS_SENT';
}

/** More uploaded files than DATA_UPLOAD_MAX_NUMBER_FILES (→ 400). */
export class TooManyFilesSent extends SuspiciousOperation {
  override readonly code = 'NUAGES_TOO_MANY_FILES_SENT';
}

/** The request is malformed and cannot be processed (Django's BadRequest → 400). */
export class BadRequest extends NuagesError {
  readonly code: string = 'NUAGES_BAD_REQUEST';
}

/** The user may not perform this action (Django's PermissionDenied → 403). */
export class PermissionDenied extends NuagesError {
  readonly code: string = 'NUAGES_PERMISSION_DENIED';
}

/** The client went away before the request body was read in full. */
export class RequestAborted extends NuagesError {
  readonly code: string = 'NUAGES_REQUEST_ABORTED';
}
