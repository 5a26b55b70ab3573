/**
 * A real browser in tests (Django's Selenium tests, with Playwright): chromium driven by
 * playwright-core, one browser per suite, a fresh context (cookies, storage) and page per
 * test, and a screenshot with the page's HTML kept when a test fails.
 *
 * before the suite: chromium launched (CHROMIUM_PATH, else /usr/bin/chromium), headless →
 * per test: new context + page → the test drives `browser.page` → after it: on failure,
 * `<dir>/<suite>/<test>.png` and `.html` written and their paths added to the test's
 * output → context closed → after the suite: browser closed.
 *
 * playwright-core is an optional peer dependency, imported when the browser starts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { after, afterEach, before, beforeEach, type TestContext } from 'node:test';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { NuagesError } from '../core/errors.ts';
import { TestToolMisuseError } from './errors.ts';

/** The browser cannot start: playwright-core is not installed, or no chromium binary is where it was looked for. */
export class BrowserUnavailableError extends NuagesError {
  readonly code = 'NUAGES_TEST_BROWSER_UNAVAILABLE';
}

/** Options of {@link launchBrowser} and {@link useBrowser}. */
export interface BrowserOptions {
  /** The chromium binary. Default: the CHROMIUM_PATH environment variable, else /usr/bin/chromium. */
  readonly executablePath?: string;
  /** Run without a window. Default true; HEADED=1 in the environment shows it. */
  readonly headless?: boolean;
  /** Extra command-line switches for chromium. */
  readonly args?: readonly string[];
}

/** Options of {@link useBrowser}. */
export interface UseBrowserOptions extends BrowserOptions {
  /** Base URL that `page.goto('/path')` resolves against: a string, or a function read per test (`() => live.url`). */
  readonly baseURL?: string | (() => string);
  /** Options of each test's context (viewport, locale, timezoneId…); `baseURL` above wins. */
  readonly contextOptions?: BrowserContextOptions;
  /** Where failure screenshots go, relative to the working directory. Default 'test-results'. */
  readonly artifactsDir?: string;
}

/** What a test drives: the browser of the suite, and its own context and page. */
export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
}

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The chromium binary the options or the environment name. */
export function chromiumPath(options: BrowserOptions = {}): string {
  return options.executablePath ?? process.env['CHROMIUM_PATH'] ?? DEFAULT_CHROMIUM;
}

/**
 * Launches chromium through playwright-core; close it when done. Prefer `useBrowser()`
 * in node:test files.
 *
 * @throws BrowserUnavailableError when playwright-core or the chromium binary is missing,
 *   saying how to install it.
 */
export async function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
  const executablePath = chromiumPath(options);
  if (!existsSync(executablePath)) {
    throw new BrowserUnavailableError(
      `No chromium at ${executablePath}. Install it (Debian/Ubuntu: apt-get install -y chromium) or set ` +
        `CHROMIUM_PATH (or useBrowser({ executablePath })) to a Chromium or Chrome binary.`,
    );
  }
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch (error) {
    throw new BrowserUnavailableError('Browser tests need the playwright-core package: npm install --save-dev playwright-core.', { cause: error });
  }
  const args = [...(options.args ?? []), '--disable-gpu'];
  // Chromium's sandbox cannot start as root (CI containers); the pages are the project's own.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return await playwright.chromium.launch({
    executablePath,
    headless: options.headless ?? process.env['HEADED'] !== '1',
    args,
  });
}

/** A file name from a test or suite name: letters, digits, '.', '_' and '-' kept, runs of others become '-'. */
function slug(name: string): string {
  const cleaned = name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '');
  return cleaned === '' ? 'test' : cleaned.slice(0, 120);
}

/** `<dir>/<suite>/<test>` without extension: the suites of `fullName`, else the test file's name. */
export function artifactBase(dir: string, t: Pick<TestContext, 'name' | 'fullName' | 'filePath'>): string {
  const suites = t.fullName.split(' > ').slice(0, -1);
  const folder = suites.length > 0 ? suites.map(slug).join('/') : slug(basename(t.filePath ?? 'tests').replace(/(\.test)?\.[cm]?[jt]s$/, ''));
  return resolve(dir, folder, slug(t.name));
}

/** Writes the page's screenshot and HTML next to each other; returns the paths written. */
async function saveFailureArtifacts(page: Page, base: string): Promise<string[]> {
  await mkdir(join(base, '..'), { recursive: true });
  const saved: string[] = [];
  try {
    await page.screenshot({ path: `${base}.png`, fullPage: true });
    saved.push(`${base}.png`);
  } catch {
    // A crashed or closed page has no picture; its HTML may still be there.
  }
  try {
    await writeFile(`${base}.html`, await page.content());
    saved.push(`${base}.html`);
  } catch {
    // Nothing left to keep.
  }
  return saved;
}

/**
 * Call at the top of a test file or `describe()`: chromium starts before the suite, each
 * test gets a new context and `page`, and a failing test leaves a screenshot and the
 * page's HTML in `test-results/<suite>/<test>.png|.html`, named in the test's output.
 *
 * ```ts
 * const live = useLiveServer();
 * const browser = useBrowser({ baseURL: () => live.url });
 * test('the home page has a title', async () => {
 *   await browser.page.goto('/');
 *   assert.equal(await browser.page.title(), 'Bookshop');
 * });
 * ```
 */
export function useBrowser(options: UseBrowserOptions = {}): BrowserSession {
  let browser: Browser | undefined;
  let current: { context: BrowserContext; page: Page } | undefined;
  const inTest = (member: string) => {
    if (current === undefined) {
      throw new TestToolMisuseError(`browser.${member} was read outside a test: useBrowser() opens a page for each test, from beforeEach() to afterEach().`);
    }
    return current;
  };
  before(async () => {
    browser = await launchBrowser(options);
  });
  beforeEach(async () => {
    if (browser === undefined) return;
    const baseURL = typeof options.baseURL === 'function' ? options.baseURL() : options.baseURL;
    const context = await browser.newContext({ ...options.contextOptions, ...(baseURL === undefined ? {} : { baseURL }) });
    current = { context, page: await context.newPage() };
  });
  afterEach(async (t) => {
    const session = current;
    current = undefined;
    if (session === undefined) return;
    try {
      // `passed` is on Node 24's TestContext, not yet in its type declarations.
      if ((t as TestContext & { passed?: boolean }).passed === false) {
        const saved = await saveFailureArtifacts(session.page, artifactBase(options.artifactsDir ?? 'test-results', t));
        for (const file of saved) t.diagnostic(`Saved on failure: ${file}`);
      }
    } finally {
      await session.context.close();
    }
  });
  after(async () => {
    await browser?.close();
    browser = undefined;
  });
  return {
    get browser() {
      if (browser === undefined) throw new TestToolMisuseError('browser.browser was read before the suite started: read it inside a test or hook.');
      return browser;
    },
    get context() {
      return inTest('context').context;
    },
    get page() {
      return inTest('page').page;
    },
  };
}
