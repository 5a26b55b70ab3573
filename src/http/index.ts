/**
 * `nuages/http`: requests, responses, QueryDict, uploads and the HTTP errors.
 *
 * ```ts
 * import { HttpRequest, HttpResponse, JsonResponse, Http404 } from 'nuages/http';
 * ```
 */
export {
  HttpRequest,
  isSameDomain,
  parseHeaderParams,
  splitDomainPort,
  validateHost,
  type FromNodeOptions,
  type RequestAttachments,
  type RequestAttachmentTypes,
  type RequestBody,
  type RequestCreateOptions,
  type ResolverMatchLike,
  type SignedCookieOptions,
} from './request.ts';
export {
  ALLOWED_REDIRECT_SCHEMES,
  HttpResponse,
  HttpResponseBadRequest,
  HttpResponseBase,
  HttpResponseForbidden,
  HttpResponseGone,
  HttpResponseNotAllowed,
  HttpResponseNotFound,
  HttpResponseNotModified,
  HttpResponsePermanentRedirect,
  HttpResponseRedirect,
  HttpResponseServerError,
  JsonResponse,
  MAX_URL_REDIRECT_LENGTH,
  StreamingHttpResponse,
  urlScheme,
  type JsonResponseOptions,
  type ResponseContent,
  type ResponseOptions,
} from './response.ts';
export { MultiValueDict, QueryDict, quote, unquotePlus, type QueryDictParseOptions } from './query-dict.ts';
export { RequestHeaders, ResponseHeaders, type HeadersInit } from './headers.ts';
export { encodeCookieValue, type CookieOptions, type ResponseCookie, type SameSite } from './cookies.ts';
export {
  UploadedFile,
  encodeMultipart,
  parseMultipart,
  sanitizeFileName,
  type MultipartOptions,
  type MultipartValue,
} from './multipart.ts';
export { decodePath, escapeLeadingSlashes, escapeUriPath, iriToUri } from './uri.ts';
export {
  BadHeaderError,
  BodyNotReadError,
  Http404,
  ImmutableQueryDictError,
  InvalidJsonError,
  MultiPartParserError,
  MultiValueDictKeyError,
  RawPostDataError,
  ResponseContentError,
} from './errors.ts';
export {
  BadRequest,
  DisallowedHost,
  DisallowedRedirect,
  PermissionDenied,
  RequestAborted,
  RequestDataTooBig,
  SuspiciousOperation,
  TooManyFieldsSent,
  TooManyFilesSent,
} from '../core/exceptions.ts';
export {
  FileResponse,
  contentDispositionHeader,
  parseRange,
  type ByteRange,
  type FileResponseOptions,
} from './file-response.ts';
// getSignedCookie() throws these; the signers themselves live in src/core/signing.ts.
export { BadSignature, SignatureExpired } from '../core/signing.ts';
