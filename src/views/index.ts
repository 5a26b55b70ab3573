/**
 * `nuages/views`: class-based views, generic views over the ORM, and view
 * decorators (Django's django.views).
 *
 * View.asView() → view function → setup() → dispatch() → get()/post()/… →
 * HttpResponse (or a TemplateResponse the handler renders).
 */
export { View, TemplateView, RedirectView, ViewConfigurationError, baseContextData, type ClassView, type ContextMixin, type HttpMethodName } from './base.ts';
export { ListView, DetailView, type ModelLike, type PaginatorClass } from './generic.ts';
export { TemplateResponse, ContentNotRenderedError } from './template-response.ts';
export { requireHttpMethods, requireMethods, requireGET, requirePOST, requireSafe } from './decorators.ts';
export { cachePage, cacheControl, neverCache, varyOnCookie, varyOnHeaders, type CachePageOptions } from './cache-decorators.ts';
export { methodDecorator } from './method-decorator.ts';
export { csrfExempt, csrfProtect, ensureCsrfCookie, requiresCsrfToken, csrfFailure, type CsrfExemptFlag } from './csrf.ts';
export { cspOverride, cspReport, cspReportOnlyOverride, cspReportView, type CspReportViewOptions, type CspViolation } from './csp.ts';
export { xframeOptionsDeny, xframeOptionsExempt, xframeOptionsSameorigin } from './clickjacking.ts';
export { serve, staticPatterns, type ServeParams } from './static.ts';
export {
  addNeverCacheHeaders, getCacheKey, getMaxAge, hasVaryHeader, learnCacheKey, patchCacheControl, patchResponseHeaders, patchVaryHeaders,
  type CacheControlOptions,
} from '../utils/cache.ts';
