/**
 * Assertions on what the test Client returned: body text (`assertContains`),
 * redirects (`assertRedirects`, which fetches the target through the same client,
 * as Django does) and templates rendered (`assertTemplateUsed`).
 *
 * Each checks the status code first, so a test that gets a 500 page says so
 * instead of "text not found".
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { settingOr } from '../../conf/lazy-settings.ts';
import { validateHost } from '../../http/request.ts';
import type { HttpResponse, HttpResponseBase, StreamingHttpResponse } from '../../http/response.ts';
import type { Template } from '../../template/template.ts';
import { templateRendered } from '../../template/signals.ts';
import type { Client, TestResponseExtras } from '../client.ts';
import { TestToolMisuseError } from '../errors.ts';
import { fail, quoted } from './fail.ts';
import { parseOrFail } from './html.ts';

/** A response from the test Client (any body type). */
export type ClientResponse = HttpResponseBase & TestResponseExtras;

/** Options of {@link assertContains} and {@link assertNotContains}. */
export interface ContainsOptions {
  /** Exact number of occurrences expected (`assertContains` only; 0 is allowed). */
  readonly count?: number;
  /** The status code the response must have (default 200). */
  readonly status?: number;
  /** Compare as HTML: `text` and the body are parsed and matched as trees (see `assertInHTML`). */
  readonly html?: boolean;
  /** A sentence put before the failure message. */
  readonly msgPrefix?: string;
}

async function bodyText(response: HttpResponseBase): Promise<string> {
  const bytes = response.streaming ? await (response as StreamingHttpResponse).readAll() : (response as HttpResponse).content;
  return new TextDecoder(response.charset ?? 'utf-8').decode(bytes);
}

/** The body and the number of times `text` occurs in it (as text, or as HTML). */
async function occurrencesIn(
  response: HttpResponseBase,
  text: string,
  options: ContainsOptions,
  operator: string,
): Promise<{ body: string; found: number }> {
  const status = options.status ?? 200;
  if (response.status !== status) {
    fail(`Couldn't retrieve content: response code was ${response.status} (expected ${status})`, {
      actual: response.status, expected: status, operator, msgPrefix: options.msgPrefix,
    });
  }
  const body = await bodyText(response);
  if (!options.html) return { body, found: text === '' ? body.length + 1 : body.split(text).length - 1 };
  const needle = parseOrFail(text, 'Second argument is not valid HTML', operator, options.msgPrefix);
  const haystack = parseOrFail(body, 'Response\'s content is not valid HTML', operator, options.msgPrefix);
  return { body, found: haystack.count(needle) };
}

/**
 * Asserts the response has status `status` (200) and its body holds `text`: at least
 * once, or exactly `count` times. With `html: true`, whitespace, attribute order and
 * class order do not matter. Reads a streaming body to its end.
 *
 * @throws AssertionError naming the status received, or the text and the count found, with the body.
 * @example
 * const response = await client.get('/books/');
 * await assertContains(response, 'Dune', { count: 1 });
 * await assertContains(response, '<li class="book">Dune</li>', { html: true });
 */
export async function assertContains(response: HttpResponseBase, text: string, options: ContainsOptions = {}): Promise<void> {
  const { body, found } = await occurrencesIn(response, text, options, 'assertContains');
  const details = { operator: 'assertContains', msgPrefix: options.msgPrefix, stackStartFn: assertContains };
  if (options.count !== undefined && found !== options.count) {
    fail(`Found ${found} instances of ${quoted(text)} (expected ${options.count}) in the following response\n${body}`, {
      ...details, actual: found, expected: options.count,
    });
  }
  if (options.count === undefined && found === 0) fail(`Couldn't find ${quoted(text)} in the following response\n${body}`, details);
}

/**
 * Asserts the response has status `status` (200) and its body does not hold `text`.
 *
 * @throws AssertionError with the number of occurrences and the body.
 * @example
 * await assertNotContains(await client.get('/books/'), 'Out of print');
 */
export async function assertNotContains(
  response: HttpResponseBase,
  text: string,
  options: Omit<ContainsOptions, 'count'> = {},
): Promise<void> {
  const { body, found } = await occurrencesIn(response, text, options, 'assertNotContains');
  if (found !== 0) {
    fail(`${quoted(text)} unexpectedly found ${found} time(s) in the following response\n${body}`, {
      actual: found, expected: 0, operator: 'assertNotContains', msgPrefix: options.msgPrefix, stackStartFn: assertNotContains,
    });
  }
}

/** Options of {@link assertRedirects}. */
export interface RedirectOptions {
  /** The redirect's status (default 302). */
  readonly status?: number;
  /** The status the target page must answer with (default 200). */
  readonly targetStatus?: number;
  /** Request the target to check `targetStatus` (default true); turn off for a target outside the project. */
  readonly fetchRedirectResponse?: boolean;
  /** The client that fetches the target (default: the one that made `response`). */
  readonly client?: Client;
  readonly msgPrefix?: string;
}

/**
 * Asserts the response redirects (status `status`, 302) to `expectedUrl`, and that the
 * target answers `targetStatus` (200) when fetched with the same client. A relative
 * Location is read against the request's path; query strings compare in any order.
 * Given a response of `{ follow: true }`, checks the first hop's status, the last
 * hop's URL and the final status instead of fetching.
 *
 * @throws AssertionError naming the status or URL that differed; TestToolMisuseError when the
 *   target's host is not in ALLOWED_HOSTS (the client cannot fetch it: pass
 *   `fetchRedirectResponse: false`).
 * @example
 * await assertRedirects(await client.post('/books/', { title: 'Dune' }), '/books/1/');
 */
export async function assertRedirects(response: ClientResponse, expectedUrl: string, options: RedirectOptions = {}): Promise<void> {
  const status = options.status ?? 302;
  const targetStatus = options.targetStatus ?? 200;
  const details = { operator: 'assertRedirects', msgPrefix: options.msgPrefix, stackStartFn: assertRedirects };
  let url: string;
  if (response.redirectChain.length > 0) {
    const chain = response.redirectChain;
    if (chain[0]![1] !== status) {
      fail(`Initial response didn't redirect as expected: response code was ${chain[0]![1]} (expected ${status})`, { ...details, actual: chain[0]![1], expected: status });
    }
    if (response.status !== targetStatus) {
      fail(`Response didn't redirect as expected: final response code was ${response.status} (expected ${targetStatus})`, {
        ...details, actual: response.status, expected: targetStatus,
      });
    }
    url = chain.at(-1)![0];
  } else {
    if (response.status !== status) {
      fail(`Response didn't redirect as expected: response code was ${response.status} (expected ${status})`, { ...details, actual: response.status, expected: status });
    }
    const target = new URL(response.headers.get('Location') ?? '', `http://testserver${response.request.path}`);
    const relative = !/^[a-z][a-z0-9+.-]*:|^\/\//i.test(response.headers.get('Location') ?? '');
    url = relative ? `${target.pathname}${target.search}${target.hash}` : target.href;
    if (options.fetchRedirectResponse ?? true) await fetchTarget(target, relative, targetStatus, options, response);
  }
  if (normalizeUrl(url) !== normalizeUrl(expectedUrl)) {
    fail(`Response redirected to ${quoted(url)}, expected ${quoted(expectedUrl)}`, { ...details, actual: url, expected: expectedUrl });
  }
}

async function fetchTarget(target: URL, relative: boolean, targetStatus: number, options: RedirectOptions, response: ClientResponse): Promise<void> {
  const host = relative ? '' : target.host;
  if (host !== '' && host !== 'testserver' && !validateHost(target.hostname, settingOr<readonly string[]>('ALLOWED_HOSTS', []))) {
    throw new TestToolMisuseError(
      `assertRedirects() cannot fetch ${target.href}: the test client only reaches this project. If ${target.hostname} ` +
        `is served by it, add '${target.hostname}' to ALLOWED_HOSTS; otherwise pass { fetchRedirectResponse: false }.`,
    );
  }
  const client = options.client ?? response.client;
  const fetched = await client.get(`${target.pathname}${target.search}`, undefined, {
    secure: target.protocol === 'https:',
    ...(host === '' ? {} : { headers: { Host: host } }),
  });
  if (fetched.status !== targetStatus) {
    fail(`Couldn't retrieve redirection page '${target.pathname}': response code was ${fetched.status} (expected ${targetStatus})`, {
      actual: fetched.status, expected: targetStatus, operator: 'assertRedirects', msgPrefix: options.msgPrefix, stackStartFn: assertRedirects,
    });
  }
}

/** A URL with its query parameters sorted, so `?a=1&b=2` and `?b=2&a=1` compare equal (Django's assertURLEqual). */
function normalizeUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  const sorted = new URLSearchParams([...new URLSearchParams(query)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${url.slice(0, q)}?${sorted}${hash === -1 ? '' : url.slice(hash)}`;
}

/** Options of {@link assertTemplateUsed}. */
export interface TemplateUsedOptions {
  /** Exact number of times the template must have been rendered. */
  readonly count?: number;
  readonly msgPrefix?: string;
}

const blockCaptures = new AsyncLocalStorage<Template[]>();
templateRendered.connect(({ template }) => blockCaptures.getStore()?.push(template), { dispatchUid: 'nuages.test.assertions.templates' });

/** The templates a Client response recorded; a response built another way has none to check. */
function templatesOf(response: TestResponseExtras, operator: string): readonly Template[] {
  if (!Array.isArray(response.templates)) {
    throw new TestToolMisuseError(`${operator}() checks responses of the test Client (new Client().get(…)), which record the templates rendered; this response has no such record.`);
  }
  return response.templates;
}

function namesOf(templates: readonly Template[]): string[] {
  return templates.map((t) => t.name).filter((name): name is string => typeof name === 'string' && name !== '');
}

async function renderedBy(fn: () => unknown): Promise<string[]> {
  const templates: Template[] = [];
  await blockCaptures.run(templates, async () => {
    await fn();
  });
  return namesOf(templates);
}

function checkUsed(names: readonly string[], name: string, options: TemplateUsedOptions): void {
  const details = { operator: 'assertTemplateUsed', msgPrefix: options.msgPrefix, stackStartFn: assertTemplateUsed };
  if (names.length === 0) fail('No templates used to render the response', details);
  if (!names.includes(name)) {
    fail(`Template '${name}' was not a template used to render the response. Actual template(s) used: ${names.join(', ')}`, {
      ...details, actual: names, expected: name,
    });
  }
  const times = names.filter((n) => n === name).length;
  if (options.count !== undefined && times !== options.count) {
    fail(`Template '${name}' was expected to be rendered ${options.count} time(s) but was actually rendered ${times} time(s).`, {
      ...details, actual: times, expected: options.count,
    });
  }
}

function checkNotUsed(names: readonly string[], name: string, msgPrefix: string | undefined): void {
  if (names.includes(name)) {
    fail(`Template '${name}' was used unexpectedly in rendering the response`, {
      actual: names, operator: 'assertTemplateNotUsed', msgPrefix, stackStartFn: assertTemplateNotUsed,
    });
  }
}

/**
 * Asserts template `name` was rendered for the response (extended and included
 * templates count), `count` times when given. The block form checks what `fn`
 * renders instead, and resolves once `fn` has.
 *
 * @throws AssertionError listing the templates that were rendered; TestToolMisuseError for a
 *   response that did not come from the test Client.
 * @example
 * assertTemplateUsed(await client.get('/books/'), 'catalog/book_list.html');
 * await assertTemplateUsed('emails/welcome.txt', () => sendWelcome(user));
 */
export function assertTemplateUsed(response: TestResponseExtras, name: string, options?: TemplateUsedOptions): void;
export function assertTemplateUsed(name: string, fn: () => unknown, options?: TemplateUsedOptions): Promise<void>;
export function assertTemplateUsed(
  first: TestResponseExtras | string,
  second: string | (() => unknown),
  options: TemplateUsedOptions = {},
): void | Promise<void> {
  if (typeof first === 'string') return renderedBy(second as () => unknown).then((names) => checkUsed(names, first, options));
  checkUsed(namesOf(templatesOf(first, 'assertTemplateUsed')), second as string, options);
}

/**
 * Asserts template `name` was not rendered for the response, or (block form) by `fn`.
 *
 * @throws AssertionError when it was.
 * @example
 * assertTemplateNotUsed(await client.get('/books/'), 'catalog/admin_tools.html');
 */
export function assertTemplateNotUsed(response: TestResponseExtras, name: string, options?: { readonly msgPrefix?: string }): void;
export function assertTemplateNotUsed(name: string, fn: () => unknown, options?: { readonly msgPrefix?: string }): Promise<void>;
export function assertTemplateNotUsed(
  first: TestResponseExtras | string,
  second: string | (() => unknown),
  options: { readonly msgPrefix?: string } = {},
): void | Promise<void> {
  if (typeof first === 'string') return renderedBy(second as () => unknown).then((names) => checkNotUsed(names, first, options.msgPrefix));
  checkNotUsed(namesOf(templatesOf(first, 'assertTemplateNotUsed')), second as string, options.msgPrefix);
}
