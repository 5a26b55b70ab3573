/**
 * URLs read the way Django reads them (Python's urlsplit), and the check for redirects
 * that come from user input (`?next=`), as Django's url_has_allowed_host_and_scheme:
 * only same-site paths, or absolute URLs on an allowed host, may be redirected to.
 */

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * A URL's (scheme, netloc, path, query, fragment), split as Python's urlsplit splits it
 * (Django reads URLs with it, and browsers agree on the parts that matter: tabs and
 * newlines dropped anywhere, leading controls and spaces dropped).
 * @throws RangeError on a netloc with unbalanced IPv6 brackets, as urlsplit's ValueError.
 */
export function urlsplit(input: string): [string, string, string, string, string] {
  let url = input.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  const m = SCHEME.exec(url);
  if (m) {
    scheme = m[1]!.toLowerCase();
    url = url.slice(m[0].length);
  }
  let netloc = '';
  if (url.startsWith('//')) {
    const rest = url.slice(2);
    const end = rest.search(/[/?#]/);
    netloc = end < 0 ? rest : rest.slice(0, end);
    url = end < 0 ? '' : rest.slice(end);
    if (netloc.includes('[') !== netloc.includes(']')) throw new RangeError('Invalid IPv6 URL');
  }
  let fragment = '';
  let query = '';
  const hash = url.indexOf('#');
  if (hash >= 0) {
    fragment = url.slice(hash + 1);
    url = url.slice(0, hash);
  }
  const q = url.indexOf('?');
  if (q >= 0) {
    query = url.slice(q + 1);
    url = url.slice(0, q);
  }
  return [scheme, netloc, url, query, fragment];
}

const USES_NETLOC = new Set([
  '', 'ftp', 'http', 'gopher', 'nntp', 'telnet', 'imap', 'wais', 'file', 'mms', 'https', 'shttp', 'snews',
  'prospero', 'rtsp', 'rtsps', 'rtspu', 'rsync', 'svn', 'svn+ssh', 'sftp', 'nfs', 'git', 'git+ssh', 'ws', 'wss',
]);

/** The URL made of urlsplit()'s five parts (Python's urlunsplit). */
export function urlunsplit([scheme, netloc, path, query, fragment]: [string, string, string, string, string]): string {
  let url = path;
  if (netloc || (scheme && USES_NETLOC.has(scheme) && !url.startsWith('//'))) {
    if (url && !url.startsWith('/')) url = `/${url}`;
    url = `//${netloc}${url}`;
  }
  if (scheme) url = `${scheme}:${url}`;
  if (query) url += `?${query}`;
  if (fragment) url += `#${fragment}`;
  return url;
}

function isControl(char: string): boolean {
  return /^\p{C}$/u.test(char);
}

function oneForm(url: string, allowedHosts: ReadonlySet<string>, requireHttps: boolean): boolean {
  // Chrome reads three slashes as an absolute URL where urlsplit sees a path.
  if (url.startsWith('///')) return false;
  let rawScheme: string;
  let netloc: string;
  try {
    [rawScheme, netloc] = urlsplit(url);
  } catch {
    return false;
  }
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
