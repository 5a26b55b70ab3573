/**
 * Errors of the HTTP layer. Django's core exceptions that the handler turns into
 * responses (BadRequest, PermissionDenied, SuspiciousOperation and its kin) live in
 * src/core/exceptions.ts, as in Django; they are re-exported from `nuages/http`.
 */
import { NuagesError } from '../core/errors.ts';
import { BadRequest } from '../core/exceptions.ts';

/**
 * Throw from a view to answer 404 (Django's Http404).
 *
 * ```ts
 * const book = await Book.objects.filter({ id }).first();
 * if (!book) throw new Http404(`No book with id ${id}.`);
 * ```
 */
export class Http404 extends NuagesError {
  readonly code: string = 'NUAGES_HTTP_NOT_FOUND';
  constructor(message = 'Not found.', options?: ErrorOptions) {
    super(message, options);
  }
}

/** `request.body`, `POST`, `FILES` or `json()` was read before `await request.readBody()`. */
export class BodyNotReadError extends NuagesError {
  readonly code = 'NUAGES_HTTP_BODY_NOT_READ';
  constructor(what: string) {
    super(
      `request.${what} was read before the body was. Call \`await request.readBody()\` first; ` +
        'the handler does it for every request, so this happens only with a hand-built request.',
    );
  }
}

/** `request.json()` met a body that is not valid JSON (a BadRequest → 400). */
export class InvalidJsonError extends BadRequest {
  override readonly code = 'NUAGES_HTTP_INVALID_JSON';
}

/** A multipart/form-data body could not be parsed (Django's MultiPartParserError → 400). */
export class MultiPartParserError extends BadRequest {
  override readonly code = 'NUAGES_HTTP_MULTIPART';
}

/** A header name or value contains a newline or other forbidden character (Django's BadHeaderError). */
export class BadHeaderError extends NuagesError {
  readonly code = 'NUAGES_HTTP_BAD_HEADER';
}

/** A response was given content it cannot hold (non-object JSON with `safe`, content of a streaming response). */
export class ResponseContentError extends NuagesError {
  readonly code = 'NUAGES_HTTP_RESPONSE_CONTENT';
}

/** A QueryDict was changed without `.copy()` first (request.GET and POST are immutable, as in Django). */
export class ImmutableQueryDictError extends NuagesError {
  readonly code = 'NUAGES_HTTP_QUERYDICT_IMMUTABLE';
  constructor() {
    super('This QueryDict is immutable. Change a copy instead: `const q = request.GET.copy(); q.set(...)`.');
  }
}

/** `multiValueDict.getItem(key)` found no value for `key` (Django's MultiValueDictKeyError). */
export class MultiValueDictKeyError extends NuagesError {
  readonly code = 'NUAGES_HTTP_MULTIVALUEDICT_KEY';
  readonly key: string;
  constructor(key: string) {
    super(`No value for key '${key}'. Use .get('${key}') to get undefined instead of an error, or check .has('${key}').`);
    this.key = key;
  }
}

/** `request.body` of a multipart request: the body was streamed into POST and FILES and not kept (Django's RawPostDataException). */
export class RawPostDataError extends NuagesError {
  readonly code = 'NUAGES_HTTP_RAW_POST_DATA';
  constructor() {
    super(
      'request.body is not available for a multipart/form-data request: the body was streamed into ' +
        'request.POST and request.FILES without being kept in memory. Read those instead.',
    );
  }
}
