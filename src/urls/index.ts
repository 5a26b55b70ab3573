/**
 * `nuages/urls`: the URL dispatcher (Django's django.urls).
 *
 * path()/rePath()/include() → URLconf (a tree of URLPattern and URLResolver)
 * → resolve(path) → ResolverMatch (view + params) and reverse(name) → URL.
 *
 * ```ts
 * // urls.ts (settings: ROOT_URLCONF: 'urls')
 * import { path, include } from 'nuages/urls';
 * export const urlpatterns = [
 *   path('', home, { name: 'home' }),
 *   path('books/<int:id>/', bookDetail, { name: 'book-detail' }),
 *   path('shop/', include('shop/urls')),
 * ];
 * ```
 *
 * Importing this module also makes `{% url %}` a built-in template tag.
 */
import './url-tag.ts';

export { path, rePath, include, ResolverMatch, URLPattern, URLResolver, RoutePattern, RegexPattern } from './patterns.ts';
export type { Included, IncludeOptions, PathOptions, Urlconf, UrlconfModule, UrlEntry, UrlPatternMatcher } from './patterns.ts';
export {
  clearUrlCaches,
  getResolver,
  getScriptPrefix,
  isValidPath,
  LazyUrl,
  loadUrlconf,
  resolve,
  reverse,
  reverseLazy,
  runWithScriptPrefix,
  setScriptPrefix,
  type QueryInput,
  type ReverseOptions,
} from './base.ts';
export {
  registerConverter,
  getConverter,
  intConverter,
  stringConverter,
  slugConverter,
  uuidConverter,
  pathConverter,
  ConverterAlreadyRegisteredError,
  type PathConverter,
} from './converters.ts';
export { Resolver404, NoReverseMatch, InvalidUrlPatternError, UrlconfError } from './errors.ts';
export type { Params, ViewFunction } from './types.ts';
