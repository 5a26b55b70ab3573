/**
 * The technical pages shown when DEBUG is true (Django's django.views.debug):
 * the 500 page (error, stack with source lines, request, settings) and the 404
 * page (the URL patterns tried). Both exist to help the developer and must never
 * leak secrets, so settings, META and cookies go through `cleanseSetting()`.
 *
 * error → frames parsed from `error.stack` (+ `cause` chain) → source lines read
 * from disk → HTML (or plain text when the client does not accept HTML).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { settingsSnapshot } from '../../conf/lazy-settings.ts';
import type { HttpRequest } from '../../http/request.ts';
import { nonceAttribute } from '../../utils/csp.ts';
import { escapeHtml } from '../../utils/safestring.ts';

/** What replaces a masked value (Django's cleansed substitute: twenty stars). */
export const CLEANSED_SUBSTITUTE = '********************';

// Django 5.2's rule: a setting (or META key, or nested dict key) whose name contains
// one of these, case-insensitively, is shown masked.
const HIDDEN_SETTINGS = /API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE/i;

/**
 * `value` with every entry whose key names a secret replaced by stars; objects and
 * arrays are cleansed recursively, as Django's SafeExceptionReporterFilter does.
 *
 * ```ts
 * cleanseSetting('DATABASES', { default: { NAME: 'shop', PASSWORD: 'pw' } });
 * // { default: { NAME: 'shop', PASSWORD: '********************' } }
 * ```
 */
export function cleanseSetting(key: string, value: unknown): unknown {
  if (key !== '' && HIDDEN_SETTINGS.test(key)) return CLEANSED_SUBSTITUTE;
  if (key !== '' && key === sessionCookieName()) return CLEANSED_SUBSTITUTE;
  if (Array.isArray(value)) return value.map((item) => cleanseSetting('', item));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanseSetting(k, v)]));
  }
  return value;
}

/** Every setting, secrets masked, sorted by name (the debug page's "Settings" table). */
export function safeSettings(): Record<string, unknown> {
  const snapshot = settingsSnapshot();
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(snapshot).sort()) out[name] = cleanseSetting(name, snapshot[name]);
  return out;
}

function sessionCookieName(): string {
  const name = settingsSnapshot()['SESSION_COOKIE_NAME'];
  return typeof name === 'string' ? name : 'sessionid';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// ---- stack frames ------------------------------------------------------------

/** One frame of a stack, with the source lines around it when the file is readable. */
export interface StackFrame {
  readonly functionName: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Outside the project: node internals or node_modules. Shown collapsed. */
  readonly library: boolean;
  readonly preContext: readonly string[];
  readonly contextLine: string | undefined;
  readonly postContext: readonly string[];
  readonly preContextLineno: number;
}

const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;
const CONTEXT_LINES = 7;

/** The frames of `error.stack`, innermost first, with source context read from disk. */
export async function stackFrames(error: unknown): Promise<StackFrame[]> {
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : '';
  const frames: StackFrame[] = [];
  const sources = new Map<string, Promise<string[] | undefined>>();
  for (const text of stack.split('\n')) {
    const m = FRAME.exec(text);
    if (!m) continue;
    const [, fn, where, line, column] = m;
    // `at async file:///x.ts:1:2` has no function name, only the async marker.
    const location = where!.startsWith('async ') ? where!.slice(6) : where!;
    const file = location.startsWith('file://') ? safeFileUrl(location) : location;
    const lineno = Number(line);
    const library = file.startsWith('node:') || file.includes('/node_modules/') || !file.startsWith('/');
    let lines: string[] | undefined;
    if (!file.startsWith('node:')) {
      if (!sources.has(file)) sources.set(file, readLines(file));
      lines = await sources.get(file);
    }
    const start = Math.max(0, lineno - 1 - CONTEXT_LINES);
    frames.push({
      functionName: fn ?? '<module>',
      file,
      line: lineno,
      column: Number(column),
      library,
      preContext: lines ? lines.slice(start, lineno - 1) : [],
      contextLine: lines?.[lineno - 1],
      postContext: lines ? lines.slice(lineno, lineno + CONTEXT_LINES) : [],
      preContextLineno: start + 1,
    });
  }
  return frames;
}

function safeFileUrl(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

async function readLines(file: string): Promise<string[] | undefined> {
  try {
    return (await readFile(file, 'utf8')).split(/\r?\n/);
  } catch {
    return undefined;
  }
}

/** `error` followed by its `cause` chain (Django's chained exceptions), stopping at cycles. */
export function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && !chain.includes(current) && chain.length < 10) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return '(unprintable value)';
  }
}

// ---- request data --------------------------------------------------------------

interface RequestTables {
  readonly get: Array<[string, string]>;
  readonly post: Array<[string, string]> | undefined;
  readonly files: Array<[string, string]> | undefined;
  readonly cookies: Array<[string, string]>;
  readonly meta: Array<[string, string]>;
}

function requestTables(request: HttpRequest): RequestTables {
  const listOf = (entries: Iterable<[string, readonly unknown[]]>): Array<[string, string]> =>
    [...entries].map(([k, v]) => [k, v.length === 1 ? display(v[0]) : JSON.stringify(v)]);
  const safe = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch {
      return undefined;
    }
  };
  const get = safe(() => listOf(request.GET.lists())) ?? [];
  const read = request.bodyRead;
  const post = read ? safe(() => listOf(request.POST.lists())) : undefined;
  const files = read
    ? safe(() => [...request.FILES.lists()].map(([k, list]): [string, string] => [k, list.map((f) => f.name).join(', ')]))
    : undefined;
  const cookies = (safe(() => Object.entries(request.COOKIES)) ?? []).map(([k, v]): [string, string] => [
    k,
    display(cleanseSetting(k, v)),
  ]);
  const meta = Object.keys(request.META)
    .sort()
    .map((k): [string, string] => [k, display(cleanseSetting(k, request.META[k]))]);
  return { get, post, files, cookies, meta };
}

function display(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'function' ? `[function ${v.name}]` : v), 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function requestUrl(request: HttpRequest): string {
  try {
    return request.buildAbsoluteUri();
  } catch {
    // A disallowed Host must not stop the page that explains it.
    return request.getFullPath();
  }
}

// ---- the 500 page ----------------------------------------------------------------

/** Options of `technical500Html()` and `technical500Text()`. */
export interface TechnicalPageOptions {
  /** The status the page is served with (400 for a SuspiciousOperation in DEBUG). */
  readonly status?: number;
  /** The report goes by email to ADMINS (AdminEmailHandler): no "you see this because DEBUG" note. */
  readonly forEmail?: boolean;
}

/**
 * The technical error page as HTML: the error and its causes, each with its stack and
 * the source lines around each frame, then the request and the settings, secrets masked.
 */
export async function technical500Html(request: HttpRequest | undefined, error: unknown, options: TechnicalPageOptions = {}): Promise<string> {
  const chain = errorChain(error);
  const framesPerError = await Promise.all(chain.map((e) => stackFrames(e)));
  const first = framesPerError[0]?.find((f) => !f.library) ?? framesPerError[0]?.[0];
  const title = `${errorName(error)}${request ? ` at ${request.pathInfo}` : ''}`;
  const summary: Array<[string, string]> = [];
  if (request) {
    summary.push(['Request Method', request.method], ['Request URL', requestUrl(request)]);
  }
  summary.push(
    ['Nuages Version', NUAGES_VERSION],
    ['Error Type', errorName(error)],
    ['Error Value', errorMessage(error)],
  );
  if (first) summary.push(['Error Location', `${first.file}, line ${first.line}, in ${first.functionName}`]);
  summary.push(['Node.js Executable', process.execPath], ['Node.js Version', process.version], ['Server time', new Date().toUTCString()]);

  const traceback = chain
    .map((err, i) => {
      const header =
        i === 0
          ? ''
          : '<p class="cause">The error above was caused by:</p>';
      const frames = framesPerError[i]!.map(frameHtml).join('\n');
      return `${header}<h3>${e(errorName(err))}: ${e(errorMessage(err))}</h3>\n<ol class="traceback">\n${frames}\n</ol>`;
    })
    .join('\n');

  const sections = [
    `<div id="summary"><h1>${e(title)}</h1><pre class="exception_value">${e(errorMessage(error))}</pre>${table(summary, 'meta')}</div>`,
    `<div id="traceback"><h2>Traceback</h2>${traceback}<h3>Plain text</h3><pre id="traceback_text">${e(plainTraceback(chain))}</pre></div>`,
  ];
  if (request) sections.push(requestHtml(request));
  sections.push(`<div id="settings"><h2>Settings</h2>${table(Object.entries(safeSettings()).map(([k, v]) => [k, display(v)]), 'settings')}</div>`);
  if (!options.forEmail) {
    sections.push(
      '<div id="explanation"><p>You are seeing this page because <code>DEBUG: true</code> is in your settings. ' +
        'Set it to false in production: Nuages then shows a plain error page (or your <code>500.html</code> template).</p></div>',
    );
  }
  return page(title, sections.join('\n'), request);
}

/** The technical error page as plain text, for clients that do not accept HTML (Django does the same). */
export async function technical500Text(request: HttpRequest | undefined, error: unknown, options: TechnicalPageOptions = {}): Promise<string> {
  const chain = errorChain(error);
  const lines = [`${errorName(error)}${request ? ` at ${request.pathInfo}` : ''}`, errorMessage(error), ''];
  if (request) {
    lines.push(`Request Method: ${request.method}`, `Request URL: ${requestUrl(request)}`);
  }
  lines.push(`Nuages Version: ${NUAGES_VERSION}`, `Node.js Version: ${process.version}`, '', plainTraceback(chain), '');
  if (request) {
    const tables = requestTables(request);
    lines.push('Request information:', ...section('GET', tables.get), ...section('COOKIES', tables.cookies), ...section('META', tables.meta));
  }
  lines.push('Settings:', ...Object.entries(safeSettings()).map(([k, v]) => `${k} = ${display(v)}`), '');
  if (!options.forEmail) lines.push('This page appears because DEBUG is true in your settings; with DEBUG false, Nuages answers with its plain error page.');
  return lines.join('\n');
}

function section(name: string, rows: ReadonlyArray<[string, string]>): string[] {
  return rows.length === 0 ? [`${name}: No data`] : [`${name}:`, ...rows.map(([k, v]) => `  ${k} = ${v}`)];
}

function plainTraceback(chain: readonly unknown[]): string {
  return chain
    .map((err, i) => {
      const stack = err instanceof Error && err.stack ? err.stack : `${errorName(err)}: ${errorMessage(err)}`;
      return i === 0 ? stack : `\nThe error above was caused by:\n\n${stack}`;
    })
    .join('\n');
}

function frameHtml(frame: StackFrame): string {
  const cls = frame.library ? 'frame library' : 'frame user';
  let context = '';
  if (frame.contextLine !== undefined) {
    const pre = frame.preContext.map((l, i) => `<li value="${frame.preContextLineno + i}">${e(l)}</li>`).join('');
    const post = frame.postContext.map((l, i) => `<li value="${frame.line + 1 + i}">${e(l)}</li>`).join('');
    context =
      `<div class="context"><ol class="pre-context">${pre}</ol>` +
      `<ol class="context-line"><li value="${frame.line}">${e(frame.contextLine)} <span>…</span></li></ol>` +
      `<ol class="post-context">${post}</ol></div>`;
  }
  return `<li class="${cls}"><code class="fname">${e(frame.file)}</code>, line ${frame.line}, in ${e(frame.functionName)}${context}</li>`;
}

function requestHtml(request: HttpRequest): string {
  const t = requestTables(request);
  const sub = (title: string, id: string, rows: ReadonlyArray<[string, string]> | undefined): string =>
    `<h3 id="${id}-info">${title}</h3>` +
    (rows === undefined ? '<p>Not read.</p>' : rows.length === 0 ? '<p>No data.</p>' : table(rows, id));
  return (
    '<div id="requestinfo"><h2>Request information</h2>' +
    sub('GET', 'get', t.get) +
    sub('POST', 'post', t.post) +
    sub('FILES', 'files', t.files) +
    sub('COOKIES', 'cookies', t.cookies) +
    sub('META', 'meta', t.meta) +
    '</div>'
  );
}

// ---- the 404 page ------------------------------------------------------------------

/** What the technical 404 page shows. */
export interface Technical404Info {
  /** The URLconf's module specifier, for "Using the URLconf defined in …". */
  readonly urlconf: string | null;
  /** Each pattern tried, as a list of its nested parts (include prefix, then pattern). */
  readonly tried: ReadonlyArray<ReadonlyArray<{ readonly pattern: string; readonly name?: string | null }>>;
  /** The path that matched nothing (relative to the URLconf root). */
  readonly path: string;
  /** The view that raised Http404, when it was a view and not the resolver. */
  readonly raisedBy: string | undefined;
}

/**
 * The technical 404 page: what was requested and, when the resolver found nothing,
 * every pattern it tried in order, so a missing or misordered route shows at a glance.
 */
export function technical404Html(request: HttpRequest, error: unknown, info: Technical404Info): string {
  const summary: Array<[string, string]> = [
    ['Request Method', request.method],
    ['Request URL', requestUrl(request)],
  ];
  if (info.raisedBy) summary.push(['Raised by', info.raisedBy]);
  let body: string;
  if (info.tried.length > 0) {
    const items = info.tried
      .map((parts) => `<li>${parts.map((p) => `${e(p.pattern)}${p.name ? ` [name='${e(p.name)}']` : ''}`).join(' ')}</li>`)
      .join('\n');
    body =
      `<p>The URLconf <code>${e(info.urlconf ?? '(none)')}</code> was searched; these patterns were tried, top to bottom:</p>` +
      `<ol id="patterns">\n${items}\n</ol>` +
      `<p>None of them matched ${info.path ? `the path <code>${e(info.path)}</code>` : 'the empty path'}.</p>`;
  } else {
    const message = errorMessage(error);
    body = `<pre class="exception_value">${e(message)}</pre>`;
  }
  return page(
    'Page not found at ' + request.pathInfo,
    `<div id="summary"><h1>Page not found <span>(404)</span></h1>${table(summary, 'meta')}</div>` +
      `<div id="info">${body}</div>` +
      '<div id="explanation"><p>You are seeing this page because <code>DEBUG: true</code> is in your settings. ' +
      'Set it to false and Nuages shows a plain 404 page (or your <code>404.html</code> template).</p></div>',
    request,
  );
}

// ---- HTML helpers --------------------------------------------------------------------

const NUAGES_VERSION = '0.1.0';

function e(text: string): string {
  return escapeHtml(text);
}

function table(rows: ReadonlyArray<[string, string]>, cls: string): string {
  const body = rows.map(([k, v]) => `<tr><th>${e(k)}</th><td><pre>${e(v)}</pre></td></tr>`).join('\n');
  return `<table class="${cls}">\n${body}\n</table>`;
}

const STYLE = `
html * { padding:0; margin:0; }
body * { padding:10px 20px; }
body * * { padding:0; }
body { font-family: sans-serif; background:#eee; color:#000; }
body > div { border-bottom:1px solid #ddd; }
h1 { font-weight:normal; margin-bottom:.4em; }
h1 span { font-size:60%; color:#666; font-weight:normal; }
h2 { margin-bottom:.8em; }
h3 { margin:1em 0 .5em 0; }
table { border:none; border-collapse: collapse; width:100%; }
td, th { vertical-align:top; padding:2px 3px; }
th { width:12em; text-align:right; color:#666; padding-right:.5em; }
pre { font-size: 90%; white-space: pre-wrap; }
#summary { background: #ffc; }
#explanation { background:#eee; }
#traceback, #requestinfo, #settings, #info { background:#fff; }
ol.traceback { list-style-type:none; }
li.frame { margin-bottom:1em; }
li.library { color:#777; }
div.context { margin: 10px 0; }
div.context ol { padding-left:30px; margin:0 10px; list-style-position: inside; font-family: monospace; white-space: pre; }
ol.context-line li { color:#464646; background:#dfdfdf; }
p.cause { font-weight: bold; padding: 1em 0; }
`;

function page(title: string, body: string, request: HttpRequest | undefined): string {
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta http-equiv="content-type" content="text/html; charset=utf-8">\n' +
    '<meta name="robots" content="NONE,NOARCHIVE">\n' +
    `<title>${e(title)}</title>\n<style${nonceAttribute(request)}>${STYLE}</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`
  );
}
