// useBrowser(): chromium (CHROMIUM_PATH, else /usr/bin/chromium) loads pages of the live
// server, submits a form, gets a fresh context per test, and a failing test leaves a
// screenshot and the page's HTML under test-results/<suite>/<test>, named in its output.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, resetSettings } from '../../src/conf/index.ts';
import { BrowserUnavailableError, launchBrowser, useBrowser, useLiveServer } from '../../src/test/index.ts';
import { artifactBase } from '../../src/test/browser.ts';
import { liveSiteSettings } from './fixtures/live-site/settings.ts';
import { runTestFile } from './run-test-file.ts';

/** The part of the page's window this file reads (the DOM library is not in tsconfig's lib). */
interface Window {
  getComputedStyle(element: unknown): { color: string };
}

before(() => {
  configure(liveSiteSettings);
});
after(() => resetSettings());

describe('useBrowser() on the live server', () => {
  const live = useLiveServer();
  const browser = useBrowser({ baseURL: () => live.url });

  test('loads a page with its static stylesheet', async () => {
    const response = await browser.page.goto('/');
    assert.equal(response?.status(), 200);
    assert.equal(await browser.page.title(), 'Live site');
    const color = await browser.page.locator('h1').evaluate((h1) => (globalThis as unknown as Window).getComputedStyle(h1).color);
    assert.equal(color, 'rgb(0, 128, 0)', 'site.css came from STATICFILES_DIRS');
  });

  test('a form post round-trips through the CSRF middleware', async () => {
    await browser.page.goto('/');
    await browser.page.click('text=Greet');
    await browser.page.fill('#name', 'Ada <3');
    await Promise.all([browser.page.waitForURL('**/greet/'), browser.page.click('button[type=submit]')]);
    assert.equal(await browser.page.textContent('#greeting'), 'Hello, Ada <3!');
  });

  test('sets a cookie in its context', async () => {
    await browser.page.goto('/greet/');
    assert.ok((await browser.context.cookies()).some((c) => c.name === 'csrftoken'));
  });

  test('each test starts with a fresh context (no cookies from the previous test)', async () => {
    assert.deepEqual(await browser.context.cookies(), []);
  });
});

describe('a failing browser test', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nuages-browser-artifacts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('leaves a screenshot and the page HTML, and its output names them', async () => {
    const { code, output } = await runTestFile(join(import.meta.dirname, 'fixtures', 'browser-failure.fixture.ts'), { env: { ARTIFACTS_DIR: dir } });
    assert.notEqual(code, 0, output);
    assert.match(output, /ℹ pass 1\n[^]*ℹ fail 1/, output);
    const png = join(dir, 'checkout-page', 'shows-the-wrong-heading.png');
    const html = join(dir, 'checkout-page', 'shows-the-wrong-heading.html');
    assert.ok(existsSync(png), `${png} was written\n${output}`);
    assert.deepEqual([...readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.match(readFileSync(html, 'utf8'), /<h1>Hello from Nuages<\/h1>/);
    assert.ok(output.includes(`Saved on failure: ${png}`), output);
    assert.ok(output.includes(`Saved on failure: ${html}`), output);
    assert.equal(existsSync(join(dir, 'checkout-page', 'passes-and-leaves-nothing.png')), false, 'a passing test leaves nothing');
  });
});

describe('artifact paths', () => {
  test('use the suites as folders and the test name as file, in safe characters', () => {
    const base = artifactBase('/out', { name: 'adds 2 items: "cart"/total', fullName: 'shop > cart page > adds 2 items: "cart"/total', filePath: '/p/shop.test.ts' });
    assert.equal(base, '/out/shop/cart-page/adds-2-items-cart-total');
  });

  test('a top-level test goes in a folder named after its file', () => {
    assert.equal(artifactBase('/out', { name: 'home', fullName: 'home', filePath: '/p/tests/home.test.ts' }), '/out/home/home');
  });
});

describe('launchBrowser() without chromium', () => {
  test('fails saying how to install it or where to point CHROMIUM_PATH', async () => {
    await assert.rejects(launchBrowser({ executablePath: '/nonexistent/chromium' }), (error: unknown) => {
      assert.ok(error instanceof BrowserUnavailableError);
      assert.equal(error.code, 'NUAGES_TEST_BROWSER_UNAVAILABLE');
      assert.match(error.message, /No chromium at \/nonexistent\/chromium\. Install it \(Debian\/Ubuntu: apt-get install -y chromium\) or set CHROMIUM_PATH/);
      return true;
    });
  });
});
