/**
 * Text helpers behind Django's string filters (django.utils.text): truncation
 * (plain and HTML-aware), word wrapping as Python's textwrap, slugify,
 * phone2numeric, and Python's string primitives the filters lean on
 * (whitespace splitting, `center`, `title`, code-point lengths).
 */
import { escapeHtml } from '../../utils/safestring.ts';
import { PyHTMLParser } from './html-parser.ts';

/** Python's `str.isspace()` characters (JS `\s` differs: it adds U+FEFF, lacks U+001C–U+001F and U+0085). */
export const PY_WHITESPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WS_TRIM = new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, 'gu');

/** Whether a UTF-16 code unit is one of Python's `str.isspace()` characters (all of them are in the BMP). */
export function isPyWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code >= 0x1c;
  if (code < 0x85) return false;
  return (
    code === 0x85 || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000
  );
}

/**
 * Python's `str.split()` with no argument: runs of whitespace, no empty items.
 * At most `limit` words are returned (the rest are not even sliced out).
 */
export function pySplit(text: string, limit = Infinity): string[] {
  // A scan by char code: the regex split plus filter cost three times as much on filter-heavy pages.
  const words: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n && words.length < limit) {
    while (i < n && isPyWhitespace(text.charCodeAt(i))) i++;
    if (i === n) break;
    const start = i;
    while (i < n && !isPyWhitespace(text.charCodeAt(i))) i++;
    words.push(text.slice(start, i));
  }
  return words;
}

/** Python's `str.strip()` with no argument. */
export function pyStrip(text: string): string {
  return text.replace(PY_WS_TRIM, '');
}

/** Length in code points, as Python's `len(str)`. */
export function pyLen(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Python's `str.center(width)`: the extra space goes left when the padding and width are both odd. */
export function pyCenter(text: string, width: number): string {
  const len = pyLen(text);
  if (width <= len) return text;
  const pad = width - len;
  const left = Math.floor(pad / 2) + (pad & width & 1);
  return ' '.repeat(left) + text + ' '.repeat(pad - left);
}

const CASED = /[\p{Lowercase}\p{Uppercase}\p{Lt}]/u;
// The letters whose title case differs from their upper case.
const TITLE_DIGRAPHS: Record<string, string> = {
  Ǆ: 'ǅ', ǅ: 'ǅ', ǆ: 'ǅ', Ǉ: 'ǈ', ǈ: 'ǈ', ǉ: 'ǈ', Ǌ: 'ǋ', ǋ: 'ǋ', ǌ: 'ǋ', Ǳ: 'ǲ', ǲ: 'ǲ', ǳ: 'ǲ',
};

/** Python's `str.title()`: a cased character after a cased one is lowered, any other is title-cased. */
export function pyTitle(text: string): string {
  let out = '';
  let previousCased = false;
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (previousCased) {
      // Final sigma: a capital sigma at the end of a word lowers to ς, as Python's lower().
      out += ch === 'Σ' && !CASED.test(chars[i + 1] ?? '') ? 'ς' : ch.toLowerCase();
    } else if (TITLE_DIGRAPHS[ch]) out += TITLE_DIGRAPHS[ch];
    else {
      const upper = ch.toUpperCase();
      // Title case of a ligature-like letter (ß → Ss) is its upper case with the tail lowered.
      out += upper.length > 1 && upper !== ch ? upper[0] + upper.slice(1).toLowerCase() : upper;
    }
    previousCased = CASED.test(ch);
  }
  return out;
}

/** Django's `normalize_newlines`: `\r\n` and `\r` become `\n`. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n|\r/g, '\n');
}

const PHONE: Record<string, string> = {
  a: '2', b: '2', c: '2', d: '3', e: '3', f: '3', g: '4', h: '4', i: '4', j: '5', k: '5', l: '5', m: '6',
  n: '6', o: '6', p: '7', q: '7', r: '7', s: '7', t: '8', u: '8', v: '8', w: '9', x: '9', y: '9', z: '9',
};

/** Letters to the digits of a phone keypad (`1-800-COLLECT` → `1-800-2655328`). */
export function phone2numeric(text: string): string {
  let out = '';
  for (const ch of text.toLowerCase()) out += PHONE[ch] ?? ch;
  return out;
}

/** Django's slugify: NFKD to ASCII, drop what is not a word character, space or hyphen, collapse to hyphens. */
export function slugify(text: string): string {
  const ascii = text.normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
  const cleaned = ascii.toLowerCase().replace(/[^\w\s-]/g, '');
  return cleaned.replace(/[-\s]+/g, '-').replace(/^[-_]+|[-_]+$/g, '');
}

// ---------------------------------------------------------------------------
// Truncation

const ELLIPSIS = '…';
const COMBINING = /\p{M}/u;

/** Python's `unicodedata.combining(ch) != 0`, approximated by the combining-mark categories. */
function isCombining(ch: string): boolean {
  return COMBINING.test(ch) && /[\p{Mn}\p{Me}]/u.test(ch);
}

function addTruncationText(text: string, truncate: string): string {
  return text.endsWith(truncate) ? text : text + truncate;
}

function truncateCharsLength(length: number, replacement: string): number {
  let n = length;
  for (const ch of replacement) {
    if (!isCombining(ch)) {
      n -= 1;
      if (n === 0) break;
    }
  }
  return n;
}

/**
 * {@link truncateChars} with the default ellipsis when the first `num + 1`
 * code units are all below U+0300 (ASCII, Latin-1, Latin Extended): there each
 * code unit is one character, none is a combining mark, and NFC leaves them
 * unchanged whatever follows, so the slow path's answer is a plain slice.
 * `undefined` when the text needs the full algorithm.
 */
export function truncateCharsSimple(value: string, num: number): string | undefined {
  if (num <= 0) return undefined;
  const end = Math.min(value.length, num + 1);
  for (let i = 0; i < end; i++) if (value.charCodeAt(i) >= 0x300) return undefined;
  if (value.length <= num) return value;
  return value.slice(0, num - 1) + ELLIPSIS;
}

/** `Truncator(text).chars(n)`: at most n characters counting the ellipsis; combining marks are free. */
export function truncateChars(value: string, num: number, truncate = ELLIPSIS): string {
  if (truncate === ELLIPSIS) {
    const fast = truncateCharsSimple(value, num);
    if (fast !== undefined) return fast;
  }
  return truncateCharsExact(value, num, truncate);
}

/** {@link truncateChars} for any text: NFC, code points, combining marks counted as Django counts them. */
export function truncateCharsExact(value: string, num: number, truncate = ELLIPSIS): string {
  if (num <= 0) return '';
  const text = value.normalize('NFC');
  const truncateLen = truncateCharsLength(num, truncate);
  const chars = [...text];
  let sLen = 0;
  let endIndex: number | null = null;
  for (let i = 0; i < chars.length; i++) {
    if (isCombining(chars[i]!)) continue;
    sLen += 1;
    if (endIndex === null && sLen > truncateLen) endIndex = i;
    if (sLen > num) return addTruncationText(chars.slice(0, endIndex ?? 0).join(''), truncate);
  }
  return text;
}

/** `Truncator(text).words(n, truncate=" …")`: whitespace is collapsed to single spaces. */
export function truncateWords(value: string, num: number, truncate = ` ${ELLIPSIS}`): string {
  if (num <= 0) return '';
  // One scan finds the first `num` words and whether more follow. When single spaces
  // separate them, "the words joined by spaces" is a slice of the text itself.
  const n = value.length;
  let i = 0;
  while (i < n && isPyWhitespace(value.charCodeAt(i))) i++;
  const begin = i;
  let end = i;
  let count = 0;
  let plain = true;
  while (i < n) {
    while (i < n && !isPyWhitespace(value.charCodeAt(i))) i++;
    end = i;
    if (++count === num) break;
    const gap = i;
    while (i < n && isPyWhitespace(value.charCodeAt(i))) i++;
    if (i < n && (i - gap !== 1 || value.charCodeAt(gap) !== 32)) plain = false;
  }
  const kept = plain ? value.slice(begin, end) : pySplit(value, num).join(' ');
  i = end;
  while (i < n && isPyWhitespace(value.charCodeAt(i))) i++;
  return i < n ? addTruncationText(kept, truncate) : kept;
}

const VOID_ELEMENTS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
  'frame', 'spacer',
]);

class TruncationCompleted {}

/** Truncates the text of HTML while keeping its tags, then closes the tags left open. */
abstract class TruncateHTMLParser extends PyHTMLParser {
  output = '';
  remaining: number;
  readonly replacement: string;
  #tags: string[] = [];

  constructor(length: number, replacement: string) {
    super(true);
    this.remaining = length;
    this.replacement = replacement;
  }

  /** Splits text data into units and renders the first `remaining` of them. */
  abstract process(data: string): [units: number, output: string];

  override handleStartEndTag(tag: string): void {
    this.handleStartTag(tag);
    if (!VOID_ELEMENTS.has(tag)) this.handleEndTag(tag);
  }

  override handleStartTag(tag: string): void {
    this.output += this.getStarttagText();
    if (!VOID_ELEMENTS.has(tag)) this.#tags.unshift(tag);
  }

  override handleEndTag(tag: string): void {
    if (VOID_ELEMENTS.has(tag)) return;
    this.output += `</${tag}>`;
    if (this.#tags[0] === tag) this.#tags.shift();
  }

  override handleData(data: string): void {
    const [units, output] = this.process(data);
    if (this.remaining < units) {
      this.remaining = 0;
      this.output += addTruncationText(output, this.replacement);
      throw new TruncationCompleted();
    }
    this.remaining -= units;
    this.output += output;
  }

  run(text: string): string {
    try {
      // Like Django, only the feed() pass runs: an unfinished construct at the very end is dropped.
      this.feed(text);
    } catch (e) {
      if (!(e instanceof TruncationCompleted)) throw e;
      this.output += this.#tags.map((t) => `</${t}>`).join('');
      this.#tags = [];
    }
    return this.output;
  }
}

class TruncateCharsHTMLParser extends TruncateHTMLParser {
  readonly length: number;
  processed = 0;

  constructor(length: number, replacement: string) {
    super(truncateCharsLength(length, replacement), replacement);
    this.length = length;
  }

  process(data: string): [number, string] {
    const chars = [...data];
    this.processed += chars.length;
    if (this.processed === this.length && pyLen(this.output) + chars.length === pyLen(this.rawdata)) {
      this.output += data;
      throw new TruncationCompleted();
    }
    return [chars.length, escapeHtml(chars.slice(0, this.remaining).join(''))];
  }
}

class TruncateWordsHTMLParser extends TruncateHTMLParser {
  process(data: string): [number, string] {
    const words = data.split(/(?<=\S)\s+(?=\S)/u);
    return [words.length, escapeHtml(words.slice(0, this.remaining).join(' '))];
  }
}

/** `Truncator(text).chars(n, html=True)`: counts only text, escapes it, closes open tags. */
export function truncateCharsHtml(value: string, num: number, truncate = ELLIPSIS): string {
  if (num <= 0) return '';
  return new TruncateCharsHTMLParser(num, truncate).run(value.normalize('NFC'));
}

/** `Truncator(text).words(n, html=True, truncate=" …")`. */
export function truncateWordsHtml(value: string, num: number, truncate = ` ${ELLIPSIS}`): string {
  if (num <= 0) return '';
  return new TruncateWordsHTMLParser(num, truncate).run(value);
}

// ---------------------------------------------------------------------------
// Word wrap (Python's textwrap with Django's options)

// Python's str.splitlines() boundaries.
const LINE_BREAKS = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

function expandTabs(line: string, tabsize = 8): string {
  if (!line.includes('\t')) return line;
  let out = '';
  let col = 0;
  for (const ch of line) {
    if (ch === '\t') {
      const spaces = tabsize - (col % tabsize);
      out += ' '.repeat(spaces);
      col += spaces;
    } else {
      out += ch;
      col = ch === '\n' || ch === '\r' ? 0 : col + 1;
    }
  }
  return out;
}

/** textwrap.TextWrapper(width, break_long_words=False, break_on_hyphens=False, replace_whitespace=False).wrap(line). */
function wrapLine(line: string, width: number): string[] {
  const chunks = expandTabs(line).split(/([\t\n\v\f\r ]+)/).filter((c) => c !== '');
  chunks.reverse();
  const lines: string[] = [];
  const isBlank = (s: string) => pyStrip(s) === '';
  while (chunks.length) {
    const cur: string[] = [];
    let curLen = 0;
    if (isBlank(chunks.at(-1)!) && lines.length) chunks.pop();
    while (chunks.length) {
      const l = pyLen(chunks.at(-1)!);
      if (curLen + l <= width) {
        cur.push(chunks.pop()!);
        curLen += l;
      } else break;
    }
    if (chunks.length && pyLen(chunks.at(-1)!) > width && cur.length === 0) cur.push(chunks.pop()!);
    if (cur.length && isBlank(cur.at(-1)!)) cur.pop();
    if (cur.length) lines.push(cur.join(''));
  }
  return lines;
}

/** Django's `wrap(text, width)`: wraps each line, keeps blank lines and a final newline. */
export function wordWrap(text: string, width: number): string {
  if (width <= 0) throw new RangeError(`invalid width ${width} (must be > 0)`);
  const result: string[] = [];
  const lines = text.split(LINE_BREAKS);
  // splitlines() gives no trailing empty item for a final line break.
  if (lines.length && lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const wrapped = wrapLine(line, width);
    if (wrapped.length === 0) result.push(line);
    else result.push(...wrapped);
  }
  if (text.endsWith('\n')) result.push('');
  return result.join('\n');
}
