/**
 * parseHtml(): HTML text → the tree of dom.ts, for the HTML assertions.
 *
 * Tokenized by the Python-compatible tokenizer the template filters already use
 * (so what counts as a tag or as text is what Django's comparison sees), then built
 * into a tree here: void elements never open, an end tag closes the elements left
 * open inside it, and an end tag with nothing open to close is a parse error.
 */
import { NuagesError } from '../../core/errors.ts';
import { htmlUnescape, PyHTMLParser } from '../../template/text/html-parser.ts';
import { Element, RootElement, VOID_ELEMENTS, type Attribute } from './dom.ts';

/** HTML the assertions cannot build a tree from: an end tag that closes nothing. */
export class HTMLParseError extends NuagesError {
  readonly code = 'NUAGES_TEST_HTML_PARSE';
  /** 1-based line and 0-based column of the offending tag, as Python's parser counts them. */
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(`${message} (line ${line}, column ${column})`);
    this.line = line;
    this.column = column;
  }
}

// Attribute syntax of Python's tolerant start-tag scan: name, then an optional `= value`.
const ATTRIBUTE = /((?<=['"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?(?:\s|\/(?!>))*/y;
const TAG_NAME = /<[a-zA-Z][^\t\n\r\f />\x00]*(?:\s|\/(?!>))*/y;

/** The attributes of a start tag's source text, names lower-cased and values unescaped. */
function attributesOf(startTag: string): Attribute[] {
  TAG_NAME.lastIndex = 0;
  const head = TAG_NAME.exec(startTag);
  const attributes: Attribute[] = [];
  let at = head ? head[0].length : startTag.length;
  for (;;) {
    ATTRIBUTE.lastIndex = at;
    const m = ATTRIBUTE.exec(startTag);
    if (!m || m[0].length === 0) break;
    at += m[0].length;
    let value: string | null = m[2] === undefined ? null : (m[3] ?? '');
    if (value !== null && /^(['"]).*\1$/s.test(value)) value = value.slice(1, -1);
    attributes.push([m[1]!.toLowerCase(), value ? htmlUnescape(value) : value]);
  }
  return attributes;
}

class TreeBuilder extends PyHTMLParser {
  readonly root = new RootElement();
  readonly #open: Element[] = [];
  readonly #source: string;
  /** Where the next tag is looked for in the source, to report positions. */
  #cursor = 0;

  constructor(source: string) {
    super(true);
    this.#source = source;
  }

  get #current(): Element {
    return this.#open.at(-1) ?? this.root;
  }

  override handleStartTag(tag: string): void {
    const text = this.getStarttagText();
    const at = this.#source.indexOf(text, this.#cursor);
    if (at !== -1) this.#cursor = at + text.length;
    const element = new Element(tag, attributesOf(text));
    this.#current.append(element);
    if (!VOID_ELEMENTS.has(tag)) this.#open.push(element);
  }

  override handleStartEndTag(tag: string): void {
    // `<div/>` opens and closes a div; `<br/>` never opened.
    this.handleStartTag(tag);
    if (!VOID_ELEMENTS.has(tag)) this.handleEndTag(tag);
  }

  override handleEndTag(tag: string): void {
    const at = this.#source.slice(this.#cursor).search(new RegExp(`</\\s*${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i'));
    const position = at === -1 ? this.#cursor : this.#cursor + at;
    if (at !== -1) this.#cursor = position + 2;
    // Closing an element closes those left open inside it, as a browser does.
    let element = this.#open.pop();
    while (element !== undefined && element.name !== tag) element = this.#open.pop();
    if (element === undefined) this.#fail(`Unexpected end tag \`${tag}\``, position);
  }

  override handleData(data: string): void {
    this.#current.append(data);
  }

  #fail(message: string, offset: number): never {
    const before = this.#source.slice(0, offset);
    const line = before.split('\n').length;
    throw new HTMLParseError(message, line, offset - (before.lastIndexOf('\n') + 1));
  }
}

/**
 * Parses an HTML fragment into a comparable tree: the element itself when the
 * fragment is one element, otherwise a `RootElement` holding the siblings (or text).
 *
 * @throws HTMLParseError for an end tag that closes nothing, with its line and column.
 * @example
 * parseHtml('<p class="b a">Hi</p>').equals(parseHtml('<p class="a b"> Hi </p>')); // true
 */
export function parseHtml(html: string): Element {
  const builder = new TreeBuilder(html);
  builder.feed(html, true);
  const root = builder.root;
  root.finalize();
  const only = root.children.length === 1 ? root.children[0] : undefined;
  return only instanceof Element ? only : root;
}
