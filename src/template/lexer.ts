/**
 * Splits template source into tokens: text, `{{ variable }}`, `{% block %}`
 * and `{# comment #}`. A tag never spans lines, as in Django: `{{` followed by
 * a newline before `}}` is plain text.
 */
import { TemplateSyntaxError, type TemplateLocation } from './errors.ts';

export type TokenType = 'text' | 'var' | 'block' | 'comment';

/** One piece of a template, with where it came from for error messages. */
export class Token {
  readonly type: TokenType;
  /** Text tokens: the raw text. Tags: the inside of the tag, trimmed. */
  readonly contents: string;
  /** Offset of the token's first character in the source. */
  readonly start: number;
  readonly end: number;
  /** 1-based line of the token's first character. */
  readonly line: number;

  constructor(type: TokenType, contents: string, start: number, end: number, line: number) {
    this.type = type;
    this.contents = contents;
    this.start = start;
    this.end = end;
    this.line = line;
  }

  /**
   * The tag's words, keeping quoted strings (and `_("…")`) whole:
   * `for x in "a b"|f` → `['for', 'x', 'in', '"a b"|f']`.
   */
  splitContents(): string[] {
    const out: string[] = [];
    const bits = smartSplit(this.contents);
    for (let i = 0; i < bits.length; i++) {
      let bit = bits[i]!;
      if (bit.startsWith('_("') || bit.startsWith("_('")) {
        const sentinel = bit[2] + ')';
        const parts = [bit];
        while (!bit.endsWith(sentinel) && i + 1 < bits.length) {
          bit = bits[++i]!;
          parts.push(bit);
        }
        bit = parts.join(' ');
      }
      out.push(bit);
    }
    return out;
  }
}

const SMART_SPLIT = /((?:[^\s'"]*(?:(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')[^\s'"]*)+)|\S+)/g;

/** Splits on whitespace but keeps quoted runs together, as Django's smart_split. */
export function smartSplit(text: string): string[] {
  return text.match(SMART_SPLIT) ?? [];
}

const TAG = /\{%[^\n]*?%\}|\{\{[^\n]*?\}\}|\{#[^\n]*?#\}/g;

/** Tokenizes `source`; `{% verbatim %}` sections come out as text tokens. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let upto = 0;
  let verbatim: string | false = false;
  const countLines = (from: number, to: number): void => {
    for (let i = source.indexOf('\n', from); i !== -1 && i < to; i = source.indexOf('\n', i + 1)) line++;
  };
  TAG.lastIndex = 0;
  for (let m = TAG.exec(source); m; m = TAG.exec(source)) {
    const start = m.index;
    const raw = m[0];
    if (start > upto) {
      tokens.push(new Token('text', source.slice(upto, start), upto, start, line));
      countLines(upto, start);
    }
    const end = start + raw.length;
    const opener = raw.slice(0, 2);
    const inner = raw.slice(2, -2).trim();
    let token: Token;
    if (opener === '{%') {
      if (verbatim && inner !== verbatim) {
        token = new Token('text', raw, start, end, line);
      } else {
        if (verbatim) verbatim = false;
        else if (inner === 'verbatim' || inner.startsWith('verbatim ')) verbatim = `end${inner}`;
        token = new Token('block', inner, start, end, line);
      }
    } else if (verbatim) {
      token = new Token('text', raw, start, end, line);
    } else {
      token = new Token(opener === '{{' ? 'var' : 'comment', inner, start, end, line);
    }
    tokens.push(token);
    upto = end;
  }
  if (upto < source.length) tokens.push(new Token('text', source.slice(upto), upto, source.length, line));
  return tokens;
}

/** The location of a token in its source, for error messages. */
export function locate(source: string, templateName: string, token: Token | undefined): TemplateLocation | undefined {
  if (!token) return undefined;
  const lineStart = source.lastIndexOf('\n', token.start - 1) + 1;
  let lineEnd = source.indexOf('\n', token.start);
  if (lineEnd === -1) lineEnd = source.length;
  return {
    templateName,
    line: token.line,
    column: token.start - lineStart + 1,
    sourceLine: source.slice(lineStart, lineEnd).replace(/\r$/, ''),
  };
}

export { TemplateSyntaxError };
