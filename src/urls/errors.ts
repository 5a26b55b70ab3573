/**
 * Errors of the URL dispatcher. `Resolver404` is an `Http404`, so an
 * unmatched path becomes a 404 (with the patterns tried in DEBUG).
 */
import { ImproperlyConfigured, NuagesError } from '../core/errors.ts';
import { Http404 } from '../http/index.ts';
import type { UrlEntry } from './patterns.ts';

/**
 * No pattern matched the path (Django's Resolver404). `tried` lists, for each
 * pattern tried, the chain of patterns from the root down to it — what the
 * technical 404 page shows; `path` is the part of the path left to match.
 */
export class Resolver404 extends Http404 {
  override readonly code = 'NUAGES_URL_RESOLVER_404';
  readonly path: string;
  readonly tried: readonly (readonly UrlEntry[])[];
  /** False when the resolver's own prefix did not match, so none of its patterns were tried. */
  readonly prefixMatched: boolean;
  constructor(path: string, tried?: readonly (readonly UrlEntry[])[]) {
    super(`No URL pattern matches '${path}'` + (tried ? ` (${tried.length} pattern(s) tried).` : '.'));
    this.path = path;
    this.tried = tried ?? [];
    this.prefixMatched = tried !== undefined;
  }
}

/** `reverse()` found no pattern for the name and arguments given (Django's NoReverseMatch). */
export class NoReverseMatch extends NuagesError {
  readonly code = 'NUAGES_NO_REVERSE_MATCH';
}

/**
 * A route, regex, view or `include()` that cannot be used: a bad converter
 * name, a parameter that is not an identifier, a View class passed without
 * `.asView()`, a namespace without an app name.
 */
export class InvalidUrlPatternError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_URL_INVALID_PATTERN';
}

/** ROOT_URLCONF or an `include('module')` names a module that cannot be loaded or has no `urlpatterns`. */
export class UrlconfError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_URLCONF';
}
