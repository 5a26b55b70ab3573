/**
 * HTML and URL helpers behind Django's filters (django.utils.html and
 * urllib.parse as Django uses them): strip_tags, escapejs, linebreaks,
 * urlize, and Python's `quote`/`unquote` percent-encoding.
 */
import { isIP } from 'node:net';
import { escapeHtml } from '../../utils/safestring.ts';
import { urlsplit, urlunsplit } from '../../utils/http.ts';
import { PyHTMLParser, htmlUnescape } from './html-parser.ts';
import { normalizeNewlines, pyLen } from './text.ts';

// ---------------------------------------------------------------------------
// Percent-encoding (urllib.parse)

const ALWAYS_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~';
const encoder = new TextEncoder();

/** Python's `urllib.parse.quote(text, safe)`: UTF-8, upper-case hex, only ASCII `safe` characters kept. */
export function quote(text: string, safe = '/'): string {
  const keep = new Set(ALWAYS_SAFE + [...safe].filter((c) => c < '\x80').join(''));
  let out = '';
  for (const ch of text) {
    if (keep.has(ch)) out += ch;
    else for (const byte of encoder.encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Python's `quote_plus`: as quote, with spaces as `+`. */
export function quotePlus(text: string, safe = ''): string {
  return quote(text, safe + ' ').replace(/ /g, '+');
}

/** Python's `urllib.parse.unquote`: %XX runs decoded as UTF-8, bad bytes become U+FFFD. */
export function unquote(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  });
}

/** Django's `iri_to_uri`: percent-encodes what is not allowed in a URI, keeping reserved characters. */
export function iriToUri(iri: string): string {
  return quote(iri, "/#%[]=:;$&()+,!?*@'~");
}

// ---------------------------------------------------------------------------
// JavaScript and JSON

const JS_ESCAPES: Record<string, string> = {
  '\\': '\\u005C', "'": '\\u0027', '"': '\\u0022', '>': '\\u003E', '<': '\\u003C', '&': '\\u0026',
  '=': '\\u003D', '-': '\\u002D', ';': '\\u003B', '`': '\\u0060', '\u2028': '\\u2028', '\u2029': '\\u2029',
};
for (let c = 0; c < 32; c++) JS_ESCAPES[String.fromCharCode(c)] = `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
const JS_SPECIAL = /[\\'"<>&=\-;`\u2028\u2029\x00-\x1f]/g;

/** Django's `escapejs`: characters unsafe in a JS string literal become `\uXXXX`. */
export function escapejs(text: string): string {
  return text.replace(JS_SPECIAL, (c) => JS_ESCAPES[c]!);
}

// ---------------------------------------------------------------------------
// Text to HTML

/** Django's `linebreaks`: blank lines separate `<p>` paragraphs, single newlines become `<br>`. */
export function linebreaks(text: string, autoescape: boolean): string {
  const paras = normalizeNewlines(text).split(/\n{2,}/);
  return paras.map((p) => `<p>${(autoescape ? escapeHtml(p) : p).replace(/\n/g, '<br>')}</p>`).join('\n\n');
}

class TagStripper extends PyHTMLParser {
  fed: string[] = [];
  constructor() {
    super(false);
  }
  override handleData(data: string): void {
    this.fed.push(data);
  }
  override handleEntityref(name: string): void {
    this.fed.push(`&${name};`);
  }
  override handleCharref(name: string): void {
    this.fed.push(`&#${name};`);
  }
}

function stripOnce(text: string): string {
  const s = new TagStripper();
  s.feed(text);
  s.feed('', true);
  return s.fed.join('');
}

function countLt(text: string): number {
  let n = 0;
  for (let i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i + 1)) n++;
  return n;
}

/**
 * Django's `strip_tags`: removes what Python's HTML parser sees as tags,
 * repeating until nothing more comes off (nested tricks like `<<b>b>`).
 * Entities are kept as written. The result is NOT safe HTML: escape it.
 */
export function stripTags(text: string): string {
  let value = text;
  for (let depth = 0; value.includes('<') && value.includes('>') && depth < 50; depth++) {
    const next = stripOnce(value);
    if (countLt(value) === countLt(next)) break;
    value = next;
  }
  return value;
}

// ---------------------------------------------------------------------------
// urlize

const MAX_URL_LENGTH = 2048;
// Python's \w is Unicode-aware; JS's is ASCII even with the u flag.
const SIMPLE_URL = /^https?:\/\/\[?[\p{L}\p{N}_]/iu;
const SIMPLE_URL_2 = /^www\.|^(?!http)[\p{L}\p{N}_][^@]+\.(com|edu|gov|int|mil|net|org)($|\/.*$)/isu;
const WORD_SPLIT = /([\s<>"']+)/u;
const TRAILING = '.,:;!';
const WRAPPING: [string, string][] = [['(', ')'], ['[', ']']];

const UL = '\\u00a1-\\uffff';
const EMAIL_USER = new RegExp(
  "^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*$" +
    '|^"([\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f!#-\\[\\]-\\x7f]|\\\\[\\x01-\\x09\\x0b\\x0c\\x0e-\\x7f])*"$',
  'i',
);
const EMAIL_DOMAIN = new RegExp(
  `^[a-z${UL}0-9](?:[a-z${UL}0-9-]{0,61}[a-z${UL}0-9])?` +
    `(?:\\.(?!-)[a-z${UL}0-9-]{1,63}(?<!-))*` +
    `\\.(?!-)(?:[a-z${UL}-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)$`,
  'i',
);
const EMAIL_LITERAL = /^\[([A-F0-9:.]+)\]$/i;

/** Django's EmailValidator with no allow-listed domains, as urlize uses it. */
export function isEmailSimple(value: string): boolean {
  if (!value || !value.includes('@') || pyLen(value) > 320) return false;
  const at = value.lastIndexOf('@');
  const user = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!EMAIL_USER.test(user)) return false;
  if (EMAIL_DOMAIN.test(domain)) return true;
  const literal = EMAIL_LITERAL.exec(domain);
  return Boolean(literal && isIP(literal[1]!) !== 0);
}

const SUBDELIMS_GENDELIMS = "!$&'()*+,;=:/?#[]@~";

function unquoteQuote(segment: string): string {
  return quote(unquote(segment), SUBDELIMS_GENDELIMS);
}

/** Django's `smart_urlquote`: quotes a URL's parts without quoting twice what is already quoted. */
export function smartUrlquote(url: string): string {
  let parts: [string, string, string, string, string];
  try {
    parts = urlsplit(url);
  } catch {
    return unquoteQuote(url);
  }
  let [scheme, netloc, path, query, fragment] = parts;
  netloc = unquoteQuote(netloc);
  if (query) {
    const pairs: string[] = [];
    for (const item of query.split('&')) {
      if (!item) continue;
      const eq = item.indexOf('=');
      const name = eq < 0 ? item : item.slice(0, eq);
      const value = eq < 0 ? '' : item.slice(eq + 1);
      const k = unquote(unquote(name.replace(/\+/g, ' ')));
      const v = unquote(unquote(value.replace(/\+/g, ' ')));
      pairs.push(`${quotePlus(k)}=${quotePlus(v)}`);
    }
    query = pairs.join('&');
  }
  path = unquoteQuote(path);
  fragment = unquoteQuote(fragment);
  return urlunsplit([scheme, netloc, path, query, fragment]);
}

function count(text: string, ch: string): number {
  return text.split(ch).length - 1;
}

function rstripChars(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return text.slice(0, end);
}

/** Splits a word into leading wrapping punctuation, the URL candidate, and trailing punctuation. */
function trimPunctuation(word: string): [string, string, string] {
  let middle = word.replace(/^[([]+/, '');
  const lead = word.slice(0, word.length - middle.length);
  let trail = '';
  let trimmed = true;
  const counts = new Map<string, number>();
  // Django counts in the word as it was after the opening punctuation came off, lazily.
  const original = middle;
  const countOf = (ch: string) => {
    if (!counts.has(ch)) counts.set(ch, count(original, ch));
    return counts.get(ch)!;
  };
  while (trimmed && middle) {
    trimmed = false;
    for (const [opening, closing] of WRAPPING) {
      if (countOf(opening) < countOf(closing)) {
        if (rstripChars(middle, closing) !== middle) {
          const strip = countOf(closing) - countOf(opening);
          trail = middle.slice(-strip);
          middle = middle.slice(0, -strip);
          trimmed = true;
          counts.set(closing, countOf(closing) - strip);
        }
      }
    }
    const amp = middle.lastIndexOf('&');
    const stripped = rstripChars(middle, amp === -1 ? TRAILING : TRAILING.replace(';', ''));
    if (stripped !== middle) {
      trail = middle.slice(stripped.length) + trail;
      middle = stripped;
      trimmed = true;
    }
    if (middle.endsWith(';')) {
      // Keep a semicolon that ends an HTML entity.
      const potential = amp === -1 ? middle.slice(-1) : middle.slice(amp);
      const unescaped = htmlUnescape(potential);
      if (unescaped === potential || unescaped.endsWith(';')) {
        const rstripped = rstripChars(middle, TRAILING);
        const trailStart = rstripped.length;
        const semicolons = middle.length - rstripChars(middle, ';').length;
        if (amp > -1 && semicolons > 1) {
          const recent = middle.slice(trailStart).indexOf(';');
          const idx = recent + trailStart + 1;
          trail = middle.slice(idx) + trail;
          middle = rstripped + middle.slice(trailStart, idx);
        } else {
          trail = middle.slice(trailStart) + trail;
          middle = rstripped;
        }
        trimmed = true;
      }
    }
  }
  return [lead, middle, trail];
}

function trimUrl(text: string, limit: number | null): string {
  if (limit === null || pyLen(text) <= limit) return text;
  return `${[...text].slice(0, Math.max(0, limit - 1)).join('')}…`;
}

interface UrlizeOptions {
  readonly trimUrlLimit?: number | null;
  readonly nofollow?: boolean;
  readonly autoescape?: boolean;
  /** The input was a SafeString: its text is already HTML. */
  readonly safeInput?: boolean;
}

function urlizeWord(word: string, o: Required<UrlizeOptions>): string {
  if (word.includes('.') || word.includes('@') || word.includes(':')) {
    let [lead, middle, trail] = trimPunctuation(word);
    let url: string | null = null;
    let nofollowAttr = o.nofollow ? ' rel="nofollow"' : '';
    const len = pyLen(middle);
    if (len <= MAX_URL_LENGTH && SIMPLE_URL.test(middle)) url = smartUrlquote(htmlUnescape(middle));
    else if (len <= MAX_URL_LENGTH && SIMPLE_URL_2.test(middle)) url = smartUrlquote(`http://${htmlUnescape(middle)}`);
    else if (!middle.includes(':') && isEmailSimple(middle)) {
      const at = middle.lastIndexOf('@');
      url = `mailto:${quote(middle.slice(0, at), '')}@${quote(middle.slice(at + 1), '')}`;
      nofollowAttr = '';
    }
    if (url) {
      let trimmed = trimUrl(middle, o.trimUrlLimit);
      if (o.autoescape && !o.safeInput) {
        lead = escapeHtml(lead);
        trail = escapeHtml(trail);
        trimmed = escapeHtml(trimmed);
      }
      return `${lead}<a href="${escapeHtml(url)}"${nofollowAttr}>${trimmed}</a>${trail}`;
    }
  }
  if (o.safeInput) return word;
  return o.autoescape ? escapeHtml(word) : word;
}

/**
 * Django's `urlize`: turns URLs, `www.` and bare domains on the classic TLDs,
 * and email addresses into links, leaving trailing punctuation outside.
 * Returns HTML text (the filter marks it safe).
 */
export function urlize(text: string, options: UrlizeOptions = {}): string {
  const o: Required<UrlizeOptions> = {
    trimUrlLimit: options.trimUrlLimit ?? null,
    nofollow: options.nofollow ?? false,
    autoescape: options.autoescape ?? false,
    safeInput: options.safeInput ?? false,
  };
  const cache = new Map<string, string>();
  return text
    .split(WORD_SPLIT)
    .map((word) => {
      let done = cache.get(word);
      if (done === undefined) {
        done = urlizeWord(word, o);
        cache.set(word, done);
      }
      return done;
    })
    .join('');
}
