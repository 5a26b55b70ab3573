/**
 * HTML assertions: two fragments compared as parsed trees (src/test/html), so
 * attribute order, class order, boolean-attribute spelling and whitespace do not
 * make a test fail, as with Django's assertHTMLEqual.
 */
import type { Element } from '../html/dom.ts';
import { HTMLParseError, parseHtml } from '../html/parser.ts';
import { fail, quoted } from './fail.ts';

/** The tree of `html`; a parse error becomes an assertion failure saying which argument was wrong. */
export function parseOrFail(html: string, which: string, operator: string, msgPrefix?: string): Element {
  try {
    return parseHtml(html);
  } catch (error) {
    if (!(error instanceof HTMLParseError)) throw error;
    return fail(`${which}:\n${error.message}`, { operator, msgPrefix });
  }
}

function bothTrees(html1: string, html2: string, operator: string, msgPrefix?: string): [Element, Element] {
  return [
    parseOrFail(html1, 'First argument is not valid HTML', operator, msgPrefix),
    parseOrFail(html2, 'Second argument is not valid HTML', operator, msgPrefix),
  ];
}

/**
 * Asserts two HTML fragments are the same document: attributes in any order, `class`
 * names in any order, `checked` = `checked="checked"`, whitespace runs collapsed and
 * trimmed at tag edges.
 *
 * @throws AssertionError with both trees normalised (`actual`/`expected` for the diff),
 *   or naming the argument that is not valid HTML and where.
 * @example
 * assertHTMLEqual('<input type="checkbox" checked class="b a">', '<input class="a b" checked="checked" type="checkbox">');
 */
export function assertHTMLEqual(html1: string, html2: string, msgPrefix?: string): void {
  const [dom1, dom2] = bothTrees(html1, html2, 'assertHTMLEqual', msgPrefix);
  if (!dom1.equals(dom2)) {
    const [a, b] = [String(dom1), String(dom2)];
    fail(`${a} != ${b}`, { actual: a, expected: b, operator: 'assertHTMLEqual', msgPrefix, stackStartFn: assertHTMLEqual });
  }
}

/**
 * Asserts two HTML fragments differ once parsed (see {@link assertHTMLEqual}).
 *
 * @throws AssertionError showing the tree both parse to.
 * @example
 * assertHTMLNotEqual('<p>a</p>', '<p>b</p>');
 */
export function assertHTMLNotEqual(html1: string, html2: string, msgPrefix?: string): void {
  const [dom1, dom2] = bothTrees(html1, html2, 'assertHTMLNotEqual', msgPrefix);
  if (dom1.equals(dom2)) {
    fail(`${String(dom1)} == ${String(dom2)}`, { operator: 'assertHTMLNotEqual', msgPrefix, stackStartFn: assertHTMLNotEqual });
  }
}

/** Options of {@link assertInHTML}. */
export interface InHTMLOptions {
  /** Exact number of occurrences expected (0 asserts absence). */
  readonly count?: number;
  readonly msgPrefix?: string;
}

/**
 * Asserts `needle` occurs in `haystack` as HTML: an element equal to the needle's
 * (compared as {@link assertHTMLEqual} does) anywhere in the tree, or a run of
 * sibling elements when the needle has several; at least once, or exactly `count` times.
 * Plain text is found only inside a single text run.
 *
 * @throws AssertionError with the count found and the haystack.
 * @example
 * assertInHTML('<li class="book">Dune</li>', html, { count: 1 });
 */
export function assertInHTML(needle: string, haystack: string, options: InHTMLOptions = {}): void {
  const [tree, sought] = bothTrees(haystack, needle, 'assertInHTML', options.msgPrefix);
  const found = tree.count(sought);
  const details = { operator: 'assertInHTML', msgPrefix: options.msgPrefix, stackStartFn: assertInHTML };
  if (options.count !== undefined && found !== options.count) {
    fail(`Found ${found} instances of ${quoted(needle)} (expected ${options.count}) in the following HTML\n${haystack}`, {
      ...details, actual: found, expected: options.count,
    });
  }
  if (options.count === undefined && found === 0) fail(`Couldn't find ${quoted(needle)} in the following HTML\n${haystack}`, details);
}
