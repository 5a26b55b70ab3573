/**
 * The regular expressions of URL patterns.
 *
 * Patterns are written in Python's `re` syntax, as in Django (`rePath(
 * '^articles/(?P<year>[0-9]{4})/$')`), and `path()` routes are turned into the
 * same syntax, so one representation serves three jobs:
 * - {@link translateRegex} compiles it to a JavaScript RegExp (`u` flag) with
 *   Python's meaning (`\d` and `\w` are Unicode-aware, `$` also matches before
 *   a final newline, `\Z` is the very end);
 * - {@link normalizeRegex} lists the strings a pattern can produce, with
 *   placeholders for its groups, which is how `reverse()` builds URLs;
 * - {@link escapeRegex} quotes literal text (Python's `re.escape`).
 */

/** A piece of a reversible URL form: literal text, or the value of a parameter. */
export type FormPiece = string | { readonly param: string };

/** One way a pattern can be written out: its pieces and the parameters they use, in order. */
export interface ReverseForm {
  readonly pieces: readonly FormPiece[];
  readonly params: readonly string[];
}

/** A pattern Nuages cannot compile; `reason` says what is wrong. */
export class RegexSyntaxError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RegexSyntaxError';
  }
}

const PY_SPECIAL = new Set('()[]{}?*+-|^$\\.&~# \t\n\r\v\f');

/** Python's `re.escape`: backslash before every character with a meaning in a pattern. */
export function escapeRegex(text: string): string {
  let out = '';
  for (const ch of text) out += PY_SPECIAL.has(ch) ? `\\${ch}` : ch;
  return out;
}

// Characters that may follow a backslash as an identity escape under the `u` flag.
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/');
const WORD = '\\p{L}\\p{N}_';
const QUANTIFIER_BRACES = /^\{(\d*)(?:(,)(\d*))?\}/;

/**
 * Compiles a Python-syntax pattern to a JavaScript RegExp source and flags.
 * Leading global flags (`(?i)`) become RegExp flags; named groups keep their
 * names unless `renameDuplicates` is set, which suffixes repeated names (a
 * JavaScript RegExp refuses two groups of one name; Django joins include()
 * prefixes and patterns that may reuse a name).
 *
 * @throws RegexSyntaxError for syntax JavaScript has no equivalent of
 *   (verbose mode, possessive quantifiers, atomic groups, conditionals).
 */
export function translateRegex(pattern: string, options: { renameDuplicates?: boolean } = {}): { source: string; flags: string } {
  let i = 0;
  let flags = '';
  let ascii = false;
  for (let m = /^\(\?([aiLmsux]+)\)/.exec(pattern); m; m = /^\(\?([aiLmsux]+)\)/.exec(pattern.slice(i))) {
    for (const f of m[1]!) {
      if (f === 'x') throw new RegexSyntaxError('verbose mode (?x) is not supported; write the pattern without whitespace and comments');
      if (f === 'L') throw new RegexSyntaxError('the locale flag (?L) is not supported');
      if (f === 'a') ascii = true;
      else if (f !== 'u' && !flags.includes(f)) flags += f;
    }
    i += m[0].length;
  }
  const multiline = flags.includes('m');
  const names = new Map<string, number>();
  const renamed = new Map<string, string>();
  let out = '';
  let inClass = false;
  let classStart = false;
  let lastQuantifier = false;

  const escape = (c: string, next: () => string): string => {
    if (/[0-9]/.test(c)) {
      let digits = c;
      while (digits.length < 3 && /[0-9]/.test(pattern[i] ?? '')) digits += next();
      if (digits[0] === '0' || digits.length === 3) {
        const code = parseInt(digits, 8);
        return `\\u{${code.toString(16)}}`;
      }
      if (inClass) throw new RegexSyntaxError(`a back-reference (\\${digits}) cannot appear in a character class`);
      return `\\${digits}`;
    }
    switch (c) {
      case 'A':
        if (inClass) throw new RegexSyntaxError('\\A cannot appear in a character class');
        return '^';
      case 'Z':
        if (inClass) throw new RegexSyntaxError('\\Z cannot appear in a character class');
        return '$';
      case 'b':
        return inClass ? '\\x08' : '\\b';
      case 'B':
        if (inClass) throw new RegexSyntaxError('\\B cannot appear in a character class');
        return '\\B';
      case 'd':
        return ascii ? '\\d' : '\\p{Nd}';
      case 'D':
        return ascii ? '\\D' : '\\P{Nd}';
      case 'w':
        return ascii ? '\\w' : inClass ? WORD : `[${WORD}]`;
      case 'W':
        // A negated Unicode class cannot nest inside another class without the `v` flag.
        return ascii || inClass ? '\\W' : `[^${WORD}]`;
      case 's':
      case 'S':
      case 'n':
      case 't':
      case 'r':
      case 'f':
      case 'v':
        return `\\${c}`;
      case 'a':
        return '\\x07';
      case 'x': {
        const hex = next() + next();
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new RegexSyntaxError(`incomplete escape \\x${hex}`);
        return `\\x${hex}`;
      }
      case 'u':
      case 'U': {
        const size = c === 'u' ? 4 : 8;
        let hex = '';
        for (let k = 0; k < size; k++) hex += next();
        if (!new RegExp(`^[0-9a-fA-F]{${size}}$`).test(hex)) throw new RegexSyntaxError(`incomplete escape \\${c}${hex}`);
        return `\\u{${parseInt(hex, 16).toString(16)}}`;
      }
      default:
        if (/[A-Za-z]/.test(c)) throw new RegexSyntaxError(`bad escape \\${c}`);
        if (JS_SYNTAX.has(c) || (inClass && c === '-')) return `\\${c}`;
        return c;
    }
  };

  const next = (): string => {
    if (i >= pattern.length) throw new RegexSyntaxError('the pattern ends in the middle of an escape or group');
    const cp = pattern.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    return ch;
  };

  while (i < pattern.length) {
    const ch = next();
    const wasQuantifier: boolean = lastQuantifier;
    lastQuantifier = false;
    if (inClass) {
      if (ch === '\\') out += escape(next(), next);
      else if (ch === ']' && !classStart) {
        inClass = false;
        out += ']';
      } else if (ch === ']' || ch === '[') out += `\\${ch}`;
      else if (ch === '^' && classStart && out.endsWith('[')) {
        out += '^';
        continue;
      } else out += ch;
      classStart = false;
      continue;
    }
    switch (ch) {
      case '\\':
        out += escape(next(), next);
        break;
      case '[':
        inClass = true;
        classStart = true;
        out += '[';
        break;
      case '(': {
        if (pattern[i] !== '?') {
          out += '(';
          break;
        }
        const rest = pattern.slice(i + 1);
        const named = /^P<([^>]+)>/.exec(rest);
        if (named) {
          let name = named[1]!;
          const seen = names.get(name) ?? 0;
          names.set(name, seen + 1);
          if (seen) {
            if (!options.renameDuplicates) throw new RegexSyntaxError(`the group name '${name}' is used twice`);
            const fresh = `${name}__${seen}`;
            renamed.set(name, fresh);
            name = fresh;
          }
          out += `(?<${name}>`;
          i += 1 + named[0].length;
          break;
        }
        const backref = /^P=([^)]+)\)/.exec(rest);
        if (backref) {
          out += `\\k<${renamed.get(backref[1]!) ?? backref[1]}>`;
          i += 1 + backref[0].length;
          break;
        }
        if (rest.startsWith('#')) {
          const end = pattern.indexOf(')', i);
          if (end === -1) throw new RegexSyntaxError('unterminated comment (?#');
          i = end + 1;
          break;
        }
        if (/^(?::|=|!|<=|<!)/.test(rest)) {
          out += '(?';
          i += 1;
          break;
        }
        const scoped = /^([ims]*)(?:-([ims]+))?:/.exec(rest);
        if (scoped && (scoped[1] || scoped[2])) {
          out += `(?${scoped[0]}`;
          i += 1 + scoped[0].length;
          break;
        }
        throw new RegexSyntaxError(`the group '(?${rest.slice(0, 3)}' has no JavaScript equivalent`);
      }
      case '$':
        out += multiline ? '$' : '(?=\\n?$)';
        break;
      case '{': {
        const q = QUANTIFIER_BRACES.exec(pattern.slice(i - 1));
        if (q && (q[1] || q[3])) {
          out += `{${q[1] || '0'}${q[2] ?? ''}${q[3] ?? ''}}`;
          i += q[0].length - 1;
          lastQuantifier = true;
        } else out += '\\{';
        break;
      }
      case '}':
        out += '\\}';
        break;
      case '*':
      case '?':
      case '+':
        if (wasQuantifier && ch === '+') throw new RegexSyntaxError('possessive quantifiers (*+, ++, ?+) are not supported');
        out += ch;
        // `a*?` is a lazy quantifier, not a quantified quantifier.
        lastQuantifier = !(ch === '?' && wasQuantifier);
        break;
      default:
        out += ch;
    }
  }
  if (inClass) throw new RegexSyntaxError('unterminated character class');
  return { source: out, flags };
}

// --- reversing ----------------------------------------------------------------

type Item = string | Group | Choice | NonCapture;
interface Group {
  readonly kind: 'group';
  readonly param: string;
  /** A named back-reference writes the value but does not take a parameter. */
  readonly takesParam: boolean;
}
interface Choice {
  readonly kind: 'choice';
  readonly options: readonly (Item | null)[];
}
interface NonCapture {
  readonly kind: 'noncapture';
  readonly items: Item[];
}

// What an escape writes into a reversed URL: a representative of its class, or nothing.
const ESCAPE_SAMPLES: Record<string, string | null> = { A: null, b: null, B: null, Z: null, d: '0', D: 'x', s: ' ', S: 'x', w: 'x', W: '!' };

class Disjunction extends Error {}

/**
 * The forms `reverse()` can write for a Python-syntax pattern, with Django's
 * simplifications: the minimum repetition of each part (zero for optional
 * parts, plus one occurrence when the part holds a group), the first
 * character of a class, a sample character for `.`, `\d` or `\w`,
 * lookarounds dropped, nothing after `$`. A top-level `|` makes the pattern
 * irreversible: the only form is the empty string.
 */
export function normalizeRegex(pattern: string): ReverseForm[] {
  const chars: { ch: string; escaped: boolean }[] = [];
  for (let k = 0; k < pattern.length; k++) {
    const ch = pattern[k]!;
    if (ch !== '\\') {
      chars.push({ ch, escaped: false });
      continue;
    }
    const e = pattern[++k];
    if (e === undefined) break;
    const sample = e in ESCAPE_SAMPLES ? ESCAPE_SAMPLES[e]! : e;
    if (sample !== null) chars.push({ ch: sample, escaped: true });
  }
  let pos = 0;
  const walkToEnd = (): void => {
    let nesting = 0;
    while (pos < chars.length) {
      const { ch, escaped } = chars[pos++]!;
      if (escaped) continue;
      if (ch === '(') nesting++;
      else if (ch === ')') {
        if (!nesting) return;
        nesting--;
      }
    }
  };
  let result: Item[] = [];
  const nonCapturing: number[] = [];
  let positional = 0;
  try {
    while (pos < chars.length) {
      const { ch, escaped } = chars[pos++]!;
      if (escaped) {
        result.push(ch);
        continue;
      }
      if (ch === '.') result.push('.');
      else if (ch === '|') throw new Disjunction();
      else if (ch === '^') continue;
      else if (ch === '$') break;
      else if (ch === ')') {
        const start = nonCapturing.pop();
        if (start === undefined) throw new RegexSyntaxError("unbalanced ')'");
        result = [...result.slice(0, start), { kind: 'noncapture', items: result.slice(start) }];
      } else if (ch === '[') {
        const first = chars[pos++];
        if (first) result.push(first.ch);
        while (pos < chars.length) {
          const c = chars[pos++]!;
          if (!c.escaped && c.ch === ']') break;
        }
      } else if (ch === '(') {
        const c = chars[pos];
        if (!c || c.escaped || c.ch !== '?') {
          result.push({ kind: 'group', param: `_${positional++}`, takesParam: true });
          walkToEnd();
          continue;
        }
        pos++;
        const kind = chars[pos++]?.ch ?? '';
        if ('!=<'.includes(kind)) walkToEnd();
        else if (kind === ':') nonCapturing.push(result.length);
        else if (kind !== 'P') throw new RegexSyntaxError(`cannot reverse the pattern part '(?${kind}'`);
        else {
          const opener = chars[pos++]?.ch;
          if (opener !== '<' && opener !== '=') throw new RegexSyntaxError(`cannot reverse the pattern part '(?P${opener ?? ''}'`);
          const terminal = opener === '<' ? '>' : ')';
          let name = '';
          while (pos < chars.length && chars[pos]!.ch !== terminal) name += chars[pos++]!.ch;
          pos++;
          result.push({ kind: 'group', param: name, takesParam: opener === '<' });
          if (opener === '<') walkToEnd();
        }
      } else if ('*?+{'.includes(ch)) {
        const min = quantifierMinimum(ch);
        const last = result.at(-1);
        if (last === undefined) continue;
        if (min === 0) {
          if (containsGroup(last)) result[result.length - 1] = { kind: 'choice', options: [null, last] };
          else result.pop();
        } else for (let k = 1; k < min; k++) result.push(last);
      } else result.push(ch);
    }
  } catch (error) {
    if (error instanceof Disjunction) return [{ pieces: [], params: [] }];
    throw error;
  }

  function quantifierMinimum(ch: string): number {
    if (ch !== '{') {
      if (chars[pos] && !chars[pos]!.escaped && chars[pos]!.ch === '?') pos++;
      return ch === '+' ? 1 : 0;
    }
    let body = '';
    while (pos < chars.length && chars[pos]!.ch !== '}') body += chars[pos++]!.ch;
    pos++;
    if (chars[pos] && !chars[pos]!.escaped && chars[pos]!.ch === '?') pos++;
    return Number.parseInt(body.split(',')[0] || '0', 10) || 0;
  }

  return flatten(result);
}

function containsGroup(item: Item): boolean {
  if (typeof item === 'string') return false;
  if (item.kind === 'group') return true;
  if (item.kind === 'noncapture') return item.items.some(containsGroup);
  return false;
}

interface Partial {
  pieces: FormPiece[];
  params: string[];
}

function flatten(items: readonly (Item | null)[] | Item | null): ReverseForm[] {
  if (items === null) return [{ pieces: [], params: [] }];
  if (!Array.isArray(items)) return flatten([items as Item]);
  let results: Partial[] = [{ pieces: [], params: [] }];
  for (const item of items as readonly Item[]) {
    if (typeof item === 'string') {
      for (const r of results) appendText(r.pieces, item);
    } else if (item.kind === 'group') {
      for (const r of results) {
        r.pieces.push({ param: item.param });
        if (item.takesParam) r.params.push(item.param);
      }
    } else {
      const inner = item.kind === 'choice' ? item.options.flatMap((o) => flatten(o)) : flatten(item.items);
      const next: Partial[] = [];
      for (const r of results) {
        for (const option of inner) {
          const pieces = [...r.pieces];
          for (const p of option.pieces) typeof p === 'string' ? appendText(pieces, p) : pieces.push(p);
          next.push({ pieces, params: [...r.params, ...option.params] });
        }
      }
      results = next;
    }
  }
  return results;
}

function appendText(pieces: FormPiece[], text: string): void {
  const last = pieces.length - 1;
  if (last >= 0 && typeof pieces[last] === 'string') pieces[last] = (pieces[last] as string) + text;
  else pieces.push(text);
}
