/**
 * The tree `assertHTMLEqual()` and `assertInHTML()` compare: elements with their
 * attributes normalised and text with its whitespace collapsed, so two pieces of
 * HTML that a browser shows the same compare equal, as with Django's
 * `django.test.html`:
 *
 * - attributes compare in any order; a `class` compares as a sorted set of names;
 * - a boolean attribute (`checked`, `disabled`…) written bare, empty or as its own
 *   name (`checked="checked"`) is the same attribute;
 * - runs of whitespace in text are one space, text is trimmed at element edges, and
 *   whitespace-only text between two elements is dropped.
 */

/** Attributes HTML defines as boolean: present means true, whatever their value (Django's list). */
const BOOLEAN_ATTRIBUTES = new Set([
  'allowfullscreen', 'async', 'autofocus', 'autoplay', 'checked', 'controls', 'default', 'defer',
  'disabled', 'formnovalidate', 'hidden', 'ismap', 'itemscope', 'loop', 'multiple', 'muted',
  'nomodule', 'novalidate', 'open', 'playsinline', 'readonly', 'required', 'reversed', 'selected',
  'truespeed',
]);

/** Elements that never have content or an end tag. */
export const VOID_ELEMENTS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);

/** HTML's whitespace (not JavaScript's `\s`, which also matches non-breaking spaces). */
const ASCII_WHITESPACE = /[\t\n\f\r ]+/g;

/** An attribute as parsed: `value` is null for a bare attribute (`<input checked>`). */
export type Attribute = readonly [name: string, value: string | null];

export type Node = string | Element;

function collapse(text: string): string {
  return text.replace(ASCII_WHITESPACE, ' ');
}

function isBlank(text: string): boolean {
  return text.length > 0 && text.replace(ASCII_WHITESPACE, '') === '';
}

function normalizeAttribute([name, value]: Attribute): Attribute {
  let normalized = value;
  if (name === 'class' && value) normalized = value.split(ASCII_WHITESPACE).filter(Boolean).sort().join(' ');
  if (BOOLEAN_ATTRIBUTES.has(name)) return [name, !normalized || normalized === name ? null : normalized];
  return [name, normalized ?? ''];
}

function compareAttributes(a: Attribute, b: Attribute): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] === b[1]) return 0;
  if (a[1] === null) return -1;
  if (b[1] === null) return 1;
  return a[1] < b[1] ? -1 : 1;
}

function escapeText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#x27;');
}

/** An element and its children; built by `parseHtml()`. */
export class Element {
  readonly name: string;
  readonly attributes: readonly Attribute[];
  readonly children: Node[] = [];

  constructor(name: string, attributes: readonly Attribute[]) {
    this.name = name;
    this.attributes = attributes.map(normalizeAttribute).sort(compareAttributes);
  }

  /** Adds a child; adjacent text merges, and blank text before an element is dropped. */
  append(node: Node): void {
    const last = this.children.at(-1);
    if (typeof node === 'string') {
      if (typeof last === 'string') {
        this.children[this.children.length - 1] = collapse(last + node);
        return;
      }
      node = collapse(node);
    } else if (typeof last === 'string' && isBlank(last)) {
      // Whitespace between two tags is dropped, as Django does (even between inline tags).
      this.children.pop();
    }
    if (node !== '') this.children.push(node);
  }

  /** Trims the text children once the element is complete. */
  finalize(): void {
    while (typeof this.children.at(-1) === 'string' && (this.children.at(-1) as string).trim() === '') this.children.pop();
    this.children.forEach((child, i) => {
      if (typeof child === 'string') this.children[i] = child.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '');
      else child.finalize();
    });
  }

  equals(other: Node): boolean {
    if (typeof other === 'string' || other.name !== this.name) return false;
    if (!sameList(this.attributes, other.attributes, (a, b) => compareAttributes(a, b) === 0)) return false;
    return sameChildren(this.children, other.children);
  }

  /** How many times `needle` occurs in this tree (an element, a run of sibling elements, or text). */
  count(needle: Node): number {
    if (typeof needle !== 'string' && this.equals(needle)) return 1;
    if (needle instanceof RootElement && sameChildren(this.children, needle.children)) return 1;
    let found = 0;
    let matched = 0;
    for (const child of this.children) {
      if (typeof child === 'string') {
        if (typeof needle === 'string') found += occurrences(child, needle);
        continue;
      }
      found += child.count(needle);
      // A root needle of several siblings also matches a run of this element's children.
      if (needle instanceof RootElement && needle.children.length > 0) {
        if (nodesEqual(needle.children[matched]!, child)) {
          matched++;
          if (matched === needle.children.length) {
            found++;
            matched = 0;
          }
        } else matched = 0;
      }
    }
    return found;
  }

  /** The tree as indented HTML, one line per text run, for failure messages and diffs. */
  toString(): string {
    const attributes = this.attributes.map(([name, value]) => (value === null ? ` ${name}` : ` ${name}="${value}"`)).join('');
    if (this.children.length === 0) return VOID_ELEMENTS.has(this.name) ? `<${this.name}${attributes}>` : `<${this.name}${attributes}></${this.name}>`;
    return `<${this.name}${attributes}>\n${renderChildren(this.children)}\n</${this.name}>`;
  }
}

/** The top of a parsed fragment: several siblings, or text. */
export class RootElement extends Element {
  constructor() {
    super('', []);
  }

  override toString(): string {
    return renderChildren(this.children);
  }
}

function renderChildren(children: readonly Node[]): string {
  return children.map((child) => (typeof child === 'string' ? escapeText(child) : child.toString())).join('');
}

function occurrences(text: string, needle: string): number {
  if (needle === '') return text.length + 1;
  let n = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}

function nodesEqual(a: Node, b: Node): boolean {
  return typeof a === 'string' ? a === b : a.equals(b);
}

function sameChildren(a: readonly Node[], b: readonly Node[]): boolean {
  return sameList(a, b, nodesEqual);
}

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((x, i) => same(x, b[i]!));
}
