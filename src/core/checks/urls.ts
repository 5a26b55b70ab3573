/**
 * URLconf checks (Django 5.2's django.core.checks.urls and the resolvers' own
 * `check()`), tag `urls`: entries that are not patterns (urls.E004), routes that
 * start with '/' (W002), includes ending in '$' (W001), names with ':' (W003),
 * unmatched '<' or '>' (W010), regex syntax in path() (2_0.W001), a namespace used
 * twice (W005), and STATIC_URL / MEDIA_URL without a trailing slash (E006).
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import { getResolver } from '../../urls/base.ts';
import { RoutePattern, URLPattern, URLResolver, type UrlconfModule, type UrlEntry, type UrlPatternMatcher } from '../../urls/patterns.ts';
import { CheckError, CheckWarning, type CheckMessage } from './messages.ts';
import { registerCheck, Tags } from './registry.ts';

/** The entries of a resolver's URLconf as written, invalid ones included (urlPatterns refuses those). */
function rawPatterns(resolver: URLResolver): readonly unknown[] {
  const conf = resolver.urlconfModule;
  const patterns = Array.isArray(conf) ? conf : (conf as UrlconfModule).urlpatterns;
  return Array.isArray(patterns) ? patterns : [];
}

function isEntry(value: unknown): value is UrlEntry {
  return value instanceof URLPattern || value instanceof URLResolver;
}

/** urls.E004 and the pattern checks, for the whole ROOT_URLCONF. */
export function checkUrlConfig(): CheckMessage[] {
  if (!settingOr('ROOT_URLCONF', null)) return [];
  return checkResolver(getResolver());
}

/** The checks of one URLconf entry (Django's check_resolver). */
export function checkResolver(entry: unknown): CheckMessage[] {
  if (entry instanceof URLResolver) {
    const messages = rawPatterns(entry).flatMap(checkResolver);
    // As Django: the include's own route is checked only when nothing below it was reported.
    return messages.length ? messages : checkPattern(entry.pattern, false);
  }
  if (entry instanceof URLPattern) return [...checkPatternName(entry.pattern), ...checkPattern(entry.pattern, true)];
  return invalidPattern(entry);
}

function invalidPattern(entry: unknown): CheckMessage[] {
  let hint: string | undefined;
  if (typeof entry === 'string') {
    hint = `Try removing the string '${entry}'. The list of urlpatterns should not have a prefix string as the first element.`;
  } else if (Array.isArray(entry)) {
    hint = 'Try using path() instead of an array.';
  }
  return [
    new CheckError(`Your URL pattern ${describeValue(entry)} is invalid. Ensure that urlpatterns is a list of path() and/or rePath() instances.`, {
      hint,
      id: 'urls.E004',
    }),
  ];
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return value.name ? `the function ${value.name}` : 'an anonymous function';
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const name = value.constructor?.name ?? 'Object';
    return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
  }
  return String(value);
}

/** urls.W003: a pattern name with ':' would read as a namespace. */
function checkPatternName(pattern: UrlPatternMatcher): CheckMessage[] {
  if (pattern.name === undefined || !pattern.name.includes(':')) return [];
  return [
    new CheckWarning(`Your URL pattern ${pattern.describe()} has a name including a ':'. Remove the colon, to avoid ambiguous namespace references.`, {
      id: 'urls.W003',
    }),
  ];
}

function checkPattern(pattern: UrlPatternMatcher, isEndpoint: boolean): CheckMessage[] {
  const messages = checkStartsWithSlash(pattern);
  if (pattern instanceof RoutePattern) {
    messages.push(...checkAngleBrackets(pattern));
    const route = pattern.route;
    if (route.includes('(?P<') || route.startsWith('^') || route.endsWith('$')) {
      messages.push(
        new CheckWarning(
          `Your URL pattern ${pattern.describe()} has a route that contains '(?P<', begins with a '^', or ends with a '$'. ` +
            'This was likely an oversight when migrating to path().',
          { id: '2_0.W001' },
        ),
      );
    }
  } else if (!isEndpoint && pattern.regex.endsWith('$') && !pattern.regex.endsWith('\\$')) {
    messages.push(
      new CheckWarning(
        `Your URL pattern ${pattern.describe()} uses include with a route ending with a '$'. Remove the dollar from the route to avoid problems including URLs.`,
        { id: 'urls.W001' },
      ),
    );
  }
  return messages;
}

/** urls.W002: a leading '/' never matches, since resolving strips it (skipped without APPEND_SLASH, as in Django). */
function checkStartsWithSlash(pattern: UrlPatternMatcher): CheckMessage[] {
  if (!settingOr('APPEND_SLASH', true)) return [];
  const regex = pattern.regex;
  if (!['/', '^/', '^\\/'].some((start) => regex.startsWith(start)) || regex.endsWith('/')) return [];
  return [
    new CheckWarning(
      `Your URL pattern ${pattern.describe()} has a route beginning with a '/'. Remove this slash as it is unnecessary. ` +
        "If this pattern is targeted in an include(), ensure the include() pattern has a trailing '/'.",
      { id: 'urls.W002' },
    ),
  ];
}

/** urls.W010: a '<' without its '>' (or the reverse) is matched as literal text. */
function checkAngleBrackets(pattern: RoutePattern): CheckMessage[] {
  const warn = (bracket: string) =>
    new CheckWarning(`Your URL pattern ${pattern.describe()} has an unmatched '${bracket}' bracket.`, { id: 'urls.W010' });
  const messages: CheckMessage[] = [];
  let open = 0;
  for (const bracket of pattern.route.match(/[<>]/g) ?? []) {
    if (bracket === '<') open++;
    else if (--open < 0) {
      messages.push(warn('>'));
      open = 0;
    }
  }
  if (open > 0) messages.push(warn('<'));
  return messages;
}

/** urls.W005: the same instance namespace twice, so reverse() reaches only one of them. */
export function checkUrlNamespacesUnique(): CheckMessage[] {
  if (!settingOr('ROOT_URLCONF', null)) return [];
  const counts = new Map<string, number>();
  for (const namespace of allNamespaces(getResolver(), [])) counts.set(namespace, (counts.get(namespace) ?? 0) + 1);
  return [...counts]
    .filter(([, count]) => count > 1)
    .map(
      ([namespace]) =>
        new CheckWarning(`URL namespace '${namespace}' isn't unique. You may not be able to reverse all URLs in this namespace`, { id: 'urls.W005' }),
    );
}

function allNamespaces(resolver: URLResolver, parents: readonly string[]): string[] {
  const children = rawPatterns(resolver).filter(isEntry);
  const found: string[] = [];
  for (const child of children) {
    if (child instanceof URLResolver && child.namespace !== undefined) found.push([...parents, child.namespace].join(':'));
  }
  for (const child of children) {
    if (!(child instanceof URLResolver)) continue;
    found.push(...allNamespaces(child, child.namespace === undefined ? parents : [...parents, child.namespace]));
  }
  return found;
}

/** urls.E006: STATIC_URL and MEDIA_URL are prefixes, so each must end with '/'. */
export function checkUrlSettings(): CheckMessage[] {
  return ['STATIC_URL', 'MEDIA_URL'].flatMap((name) => {
    const value = settingOr<unknown>(name, null);
    if (typeof value !== 'string' || value === '' || value.endsWith('/')) return [];
    return [new CheckError(`The ${name} setting must end with a slash.`, { id: 'urls.E006' })];
  });
}

registerCheck(checkUrlConfig, { tags: [Tags.urls] });
registerCheck(checkUrlNamespacesUnique, { tags: [Tags.urls] });
registerCheck(checkUrlSettings, { tags: [Tags.urls] });
