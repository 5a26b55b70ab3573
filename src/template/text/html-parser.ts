/**
 * A tokenizer that splits HTML the way Python's `html.parser.HTMLParser`
 * (Python 3.11) does, because Django's `striptags` and the `*_html` truncation
 * filters are defined by what that parser reports: which `<` starts a tag, what
 * counts as text, how unfinished constructs at the end are treated.
 *
 * Subclasses override the `handle*` hooks; `feed(text, end)` runs one pass
 * (`end = false` leaves an unfinished construct for the next pass, as
 * `feed()`; `end = true` flushes it as text, as `close()`).
 */
import { decodeHTML } from 'entities';

const INTERESTING_NORMAL = /[&<]/g;
const INCOMPLETE = /&[a-zA-Z#]/y;
const ENTITYREF = /&([a-zA-Z][-.a-zA-Z0-9]*)[^a-zA-Z0-9]/y;
const CHARREF = /&#(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]/y;
const STARTTAGOPEN = /<[a-zA-Z]/y;
const COMMENTCLOSE = /--\s*>/g;
const TAGFIND_TOLERANT = /([a-zA-Z][^\t\n\r\f />\x00]*)(?:\s|\/(?!>))*/y;
const ATTRFIND_TOLERANT = /((?<=['"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?(?:\s|\/(?!>))*/y;
const LOCATESTARTTAGEND_TOLERANT =
  /<[a-zA-Z][^\t\n\r\f />\x00]*(?:[\s/]*(?:(?<=['"\s/])[^\s/>][^\s/=>]*(?:\s*=+\s*(?:'[^']*'|"[^"]*"|(?!['"])[^>\s]*)\s*)?(?:\s|\/(?!>))*)*)?\s*/y;
const ENDTAGFIND = /<\/\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>/y;
const CDATA_CONTENT_ELEMENTS = new Set(['script', 'style']);

/** Python's `html.unescape` (HTML5 named and numeric character references). */
export function htmlUnescape(text: string): string {
  return text.includes('&') ? decodeHTML(text) : text;
}

function matchAt(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

function searchFrom(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

/** Python's HTMLParser event model; every hook does nothing by default. */
export class PyHTMLParser {
  readonly convertCharrefs: boolean;
  protected rawdata = '';
  #cdataElem: string | null = null;
  #interesting: RegExp = INTERESTING_NORMAL;
  #starttagText: string | null = null;

  constructor(convertCharrefs: boolean) {
    this.convertCharrefs = convertCharrefs;
  }

  handleStartTag(_tag: string): void {}
  handleStartEndTag(tag: string): void {
    this.handleStartTag(tag);
    this.handleEndTag(tag);
  }
  handleEndTag(_tag: string): void {}
  handleData(_data: string): void {}
  handleCharref(_name: string): void {}
  handleEntityref(_name: string): void {}

  /** The source text of the start tag being reported. */
  getStarttagText(): string {
    return this.#starttagText ?? '';
  }

  reset(): void {
    this.rawdata = '';
    this.#cdataElem = null;
    this.#interesting = INTERESTING_NORMAL;
  }

  /** Adds text and parses as far as it can (`end` = Python's `close()`). */
  feed(data: string, end = false): void {
    this.rawdata += data;
    this.#goahead(end);
  }

  #setCdataMode(elem: string): void {
    this.#cdataElem = elem.toLowerCase();
    this.#interesting = new RegExp(`</\\s*${this.#cdataElem}\\s*>`, 'gi');
  }

  #clearCdataMode(): void {
    this.#interesting = INTERESTING_NORMAL;
    this.#cdataElem = null;
  }

  #data(text: string): void {
    this.handleData(this.convertCharrefs && !this.#cdataElem ? htmlUnescape(text) : text);
  }

  #goahead(end: boolean): void {
    const raw = this.rawdata;
    let i = 0;
    const n = raw.length;
    while (i < n) {
      let j: number;
      if (this.convertCharrefs && !this.#cdataElem) {
        j = raw.indexOf('<', i);
        if (j < 0) {
          // An "&" near the end without a terminator may be the start of a reference: wait for more.
          const amppos = raw.lastIndexOf('&');
          if (amppos >= Math.max(i, n - 34) && !/[\s;]/.test(raw.slice(amppos))) break;
          j = n;
        }
      } else {
        const m = searchFrom(this.#interesting, raw, i);
        if (m) j = m.index;
        else {
          if (this.#cdataElem) break;
          j = n;
        }
      }
      if (i < j) this.#data(raw.slice(i, j));
      i = j;
      if (i === n) break;
      if (raw.startsWith('<', i)) {
        let k: number;
        if (matchAt(STARTTAGOPEN, raw, i)) k = this.#parseStarttag(i);
        else if (raw.startsWith('</', i)) k = this.#parseEndtag(i);
        else if (raw.startsWith('<!--', i)) k = this.#parseComment(i);
        else if (raw.startsWith('<?', i)) {
          const close = raw.indexOf('>', i + 2);
          k = close < 0 ? -1 : close + 1;
        } else if (raw.startsWith('<!', i)) k = this.#parseHtmlDeclaration(i);
        else if (i + 1 < n) {
          this.handleData('<');
          k = i + 1;
        } else break;
        if (k < 0) {
          if (!end) break;
          k = raw.indexOf('>', i + 1);
          if (k < 0) {
            k = raw.indexOf('<', i + 1);
            if (k < 0) k = i + 1;
          } else k += 1;
          this.#data(raw.slice(i, k));
        }
        i = k;
      } else if (raw.startsWith('&#', i)) {
        const m = matchAt(CHARREF, raw, i);
        if (m) {
          this.handleCharref(m[0].slice(2, -1));
          let k = i + m[0].length;
          if (raw[k - 1] !== ';') k -= 1;
          i = k;
          continue;
        }
        if (raw.slice(i).includes(';')) {
          this.handleData(raw.slice(i, i + 2));
          i += 2;
        }
        break;
      } else if (raw.startsWith('&', i)) {
        const m = matchAt(ENTITYREF, raw, i);
        if (m) {
          this.handleEntityref(m[1]!);
          let k = i + m[0].length;
          if (raw[k - 1] !== ';') k -= 1;
          i = k;
          continue;
        }
        const inc = matchAt(INCOMPLETE, raw, i);
        if (inc) {
          if (end && inc[0] === raw.slice(i)) i += 1;
          break;
        } else if (i + 1 < n) {
          this.handleData('&');
          i += 1;
        } else break;
      } else {
        throw new Error('unreachable: the scanner stopped on a character it does not handle');
      }
    }
    if (end && i < n && !this.#cdataElem) {
      this.#data(raw.slice(i, n));
      i = n;
    }
    this.rawdata = raw.slice(i);
  }

  #parseHtmlDeclaration(i: number): number {
    const raw = this.rawdata;
    if (raw.startsWith('<!--', i)) return this.#parseComment(i);
    if (raw.startsWith('<![', i)) {
      // Marked sections (CDATA and the like) end at "]]>"; unknown ones are treated the same way.
      const close = raw.indexOf(']]>', i + 3);
      return close < 0 ? -1 : close + 3;
    }
    if (raw.slice(i, i + 9).toLowerCase() === '<!doctype') {
      const gt = raw.indexOf('>', i + 9);
      return gt < 0 ? -1 : gt + 1;
    }
    return this.#parseBogusComment(i);
  }

  #parseBogusComment(i: number): number {
    const pos = this.rawdata.indexOf('>', i + 2);
    return pos < 0 ? -1 : pos + 1;
  }

  #parseComment(i: number): number {
    const m = searchFrom(COMMENTCLOSE, this.rawdata, i + 4);
    return m ? m.index + m[0].length : -1;
  }

  #checkForWholeStartTag(i: number): number {
    const raw = this.rawdata;
    const m = matchAt(LOCATESTARTTAGEND_TOLERANT, raw, i)!;
    const j = i + m[0].length;
    const next = raw.slice(j, j + 1);
    if (next === '>') return j + 1;
    if (next === '/') {
      if (raw.startsWith('/>', j)) return j + 2;
      return -1;
    }
    if (next === '') return -1;
    if (/[a-zA-Z=/]/.test(next)) return -1;
    return j > i ? j : i + 1;
  }

  #parseStarttag(i: number): number {
    this.#starttagText = null;
    const endpos = this.#checkForWholeStartTag(i);
    if (endpos < 0) return endpos;
    const raw = this.rawdata;
    this.#starttagText = raw.slice(i, endpos);
    const m = matchAt(TAGFIND_TOLERANT, raw, i + 1)!;
    let k = i + 1 + m[0].length;
    const tag = m[1]!.toLowerCase();
    while (k < endpos) {
      const a = matchAt(ATTRFIND_TOLERANT, raw, k);
      if (!a || a[0].length === 0) break;
      k += a[0].length;
    }
    const endText = raw.slice(k, endpos).trim();
    if (endText !== '>' && endText !== '/>') {
      this.handleData(raw.slice(i, endpos));
      return endpos;
    }
    if (endText.endsWith('/>')) this.handleStartEndTag(tag);
    else {
      this.handleStartTag(tag);
      if (CDATA_CONTENT_ELEMENTS.has(tag)) this.#setCdataMode(tag);
    }
    return endpos;
  }

  #parseEndtag(i: number): number {
    const raw = this.rawdata;
    const gt = raw.indexOf('>', i + 1);
    if (gt < 0) return -1;
    const gtpos = gt + 1;
    const m = matchAt(ENDTAGFIND, raw, i);
    if (!m) {
      if (this.#cdataElem !== null) {
        this.handleData(raw.slice(i, gtpos));
        return gtpos;
      }
      const name = matchAt(TAGFIND_TOLERANT, raw, i + 2);
      if (!name) {
        if (raw.startsWith('</>', i)) return i + 3;
        return this.#parseBogusComment(i);
      }
      const tagname = name[1]!.toLowerCase();
      const close = raw.indexOf('>', i + 2 + name[0].length);
      this.handleEndTag(tagname);
      return close + 1;
    }
    const elem = m[1]!.toLowerCase();
    if (this.#cdataElem !== null && elem !== this.#cdataElem) {
      this.handleData(raw.slice(i, gtpos));
      return gtpos;
    }
    this.handleEndTag(elem);
    this.#clearCdataMode();
    return i + m[0].length;
  }
}
