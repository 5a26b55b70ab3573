/**
 * URL checks for redirects that come from user input (`?next=`), as Django's
 * django.utils.http.url_has_allowed_host_and_scheme: only same-site paths, or absolute
 * URLs on an allowed host, may be redirected to.
 */

interface SplitUrl {
  readonly scheme: string;
  readonly netloc: string;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** The scheme and authority of `url`, read the way Python's urlsplit reads them. */
function splitUrl(url: string): SplitUrl {
  // Browsers and urlsplit drop tabs and newlines anywhere, and leading controls and spaces.
  let rest = url.replace(/[\t\r\n]/g, '').replace(/^[\x00-\x20]+/, '');
  let scheme = '';
  const match = SCHEME.exec(rest);
  if (match) {
    scheme = match[1]!.toLowerCase();
    rest = rest.slice(match[0].length);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end === -1 ? rest.slice(2) : rest.slice(2, 2 + end);
  }
  return { scheme, netloc };
}

function isControl(char: string): boolean {
  return /^\p{C}$/u.test(char);
}

function oneForm(url: string, allowedHosts: ReadonlySet<string>, requireHttps: boolean): boolean {
  // Chrome reads three slashes as an absolute URL where urlsplit sees a path.
  if (url.startsWith('///')) return false;
  const { scheme: rawScheme, netloc } = splitUrl(url);
  if (netloc === '' && rawScheme !== '') return false;
  if (isControl([...url][0]!)) return false;
  const scheme = rawScheme === '' && netloc !== '' ? 'http' : rawScheme;
  const validSchemes = requireHttps ? ['https'] : ['http', 'https'];
  return (netloc === '' || allowedHosts.has(netloc)) && (scheme === '' || validSchemes.includes(scheme));
}

/**
 * Whether redirecting to `url` keeps the user on this site (or on an allowed host):
 * true for a path, or an http(s) URL whose host is in `allowedHosts`; false for other
 * hosts, other schemes (`javascript:`), `///evil.example` and backslash tricks.
 *
 * ```ts
 * urlHasAllowedHostAndScheme('/books/?page=2', ['shop.example']);        // true
 * urlHasAllowedHostAndScheme('https://evil.example/', ['shop.example']); // false
 * ```
 */
export function urlHasAllowedHostAndScheme(
  url: string | null | undefined,
  allowedHosts: Iterable<string> | string | null = null,
  requireHttps = false,
): boolean {
  const trimmed = (url ?? '').trim();
  if (trimmed === '') return false;
  const hosts = new Set(typeof allowedHosts === 'string' ? [allowedHosts] : (allowedHosts ?? []));
  return oneForm(trimmed, hosts, requireHttps) && oneForm(trimmed.replaceAll('\\', '/'), hosts, requireHttps);
}
