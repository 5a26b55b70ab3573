// The bookshop in a real browser (chromium through playwright-core), with its real settings
// and middleware (strict CSP, CSRF, sessions in the database, rate limits): sign-up, login
// and logout, the catalogue and its search, the cart's formset and the checkout with its
// confirmation mail, the staff editor with a cover upload. The live server runs in this
// process, so every page is served inside useTestCase()'s transaction: what the browser
// creates is gone after each test, and the seeded catalogue after the suite. On SQLite, and
// on PostgreSQL with NUAGES_TEST_DB=postgres (DATABASE_URL names a throw-away database).
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apps } from '../../src/conf/apps.ts';
import { resetSettings, setup } from '../../src/conf/index.ts';
import { setRequestLogger } from '../../src/core/handlers/index.ts';
import { callCommand } from '../../src/core/management/index.ts';
import { resetTemplateEngines } from '../../src/template/index.ts';
import { useBrowser, useLiveServer, useMailOutbox, useSettings, useTestCase, useTestDatabase } from '../../src/test/index.ts';
import { BOOKSHOP } from './bookshop-project.ts';
import { accountText, COVER_PNG, flashMessages, logIn, submit } from './bookshop-browser.ts';

const STAFF_PASSWORD = 'staff-browser-passphrase';
const READER_PASSWORD = 'reader-browser-passphrase';
const dir = mkdtempSync(join(tmpdir(), 'nuages-bookshop-browser-'));
// What the settings read from the environment: the database (a fresh one per run: useTestDatabase()
// creates test_<NAME> beside it and drops it), a cache of this file's own, MEDIA_ROOT for the
// uploaded covers, and the passwords seed_demo gives its accounts.
const ENV = {
  DATABASE_URL: process.env['NUAGES_TEST_DB'] === 'postgres'
    ? `postgres://postgres@127.0.0.1:5432/nuages_bookshop_browser_${randomBytes(4).toString('hex')}`
    : `sqlite:///${join(dir, 'bookshop.sqlite3')}`,
  CACHE_URL: 'locmem://bookshop-browser-test',
  MEDIA_ROOT: join(dir, 'media'),
  BOOKSHOP_STAFF_PASSWORD: STAFF_PASSWORD,
  BOOKSHOP_READER_PASSWORD: READER_PASSWORD,
};
Object.assign(process.env, ENV);
await setup({ settingsModule: join(BOOKSHOP, 'settings.ts') });
// The shop's modules import its settings: loaded once they are set up.
const { Book, Product } = await import('../../examples/bookshop/catalog/models.ts');
const { Order, OrderItem } = await import('../../examples/bookshop/orders/models.ts');
const { Address } = await import('../../examples/bookshop/accounts/models.ts');
const { User } = await import('../../src/contrib/auth/index.ts');

// Also the test environment: mail to the locmem outbox, the default task backend 'immediate'.
useTestDatabase();
const outbox = useMailOutbox();
// The checkout queues its confirmation with sendMailLater() on the 'mail' queue, inside its
// transaction. The bookshop's 'database' backend would leave it in the queue table for a worker,
// and nothing commits under useTestCase(), so no onCommit hook would send it either. The test
// environment's 'immediate' backend (with the project's QUEUES) runs the task inside enqueue(),
// in the checkout's transaction: the mail is in the outbox when the orders page shows.
useSettings({
  // Django's advice for fast tests: a cheap hasher, or each login and sign-up costs a
  // 1,000,000-iteration PBKDF2. Set before useTestCase() so the seeded accounts use it too.
  PASSWORD_HASHERS: ['md5'],
});
// The browser asks for /favicon.ico, which the shop does not have: keep the 404 warnings quiet.
const previousLogger = setRequestLogger({ warn() {}, error() {} });
after(() => {
  setRequestLogger(previousLogger);
  resetTemplateEngines();
  resetSettings();
  apps.clear();
  for (const variable of Object.keys(ENV)) delete process.env[variable];
  rmSync(dir, { recursive: true, force: true });
});

describe('the bookshop in a browser', () => {
  const data = useTestCase({
    async setUpTestData() {
      // The demo catalogue (60 books, 12 products) and the accounts `staff` (an editor) and `reader`.
      await callCommand('seed_demo', { stdout: { write() {} } });
      return {
        book: await Book.objects.get({ isbn: '9780000000004' }),
        product: await Product.objects.get({ sku: 'sku-2' }),
        reader: await User.objects.get({ username: 'reader' }),
      };
    },
  });
  const live = useLiveServer();
  const browser = useBrowser({ baseURL: () => live.url });
  // What the strict CSP refused on the pages (chromium logs each refusal): the flows need no
  // inline script or style, so any refusal fails the test.
  let refused: string[] = [];
  beforeEach(() => {
    refused = [];
    browser.page.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('Content Security Policy')) refused.push(message.text());
    });
    // A step waiting for what never comes fails in 5 s rather than Playwright's 30.
    browser.page.setDefaultTimeout(5_000);
  });
  afterEach(() => assert.deepEqual(refused, [], 'the page broke its Content Security Policy'));

  test('a visitor signs up and is logged in at once', async () => {
    const { page } = browser;
    await page.goto('/');
    await Promise.all([page.waitForURL(live.urlFor('/accounts/register/')), page.getByRole('link', { name: 'Sign up' }).click()]);
    // The form carries the CSRF token as a hidden input, which the browser posts back.
    assert.equal(await page.locator('main form input[type=hidden][name=csrfmiddlewaretoken]').count(), 1);
    await page.fill('input[name=username]', 'newreader');
    await page.fill('input[name=email]', 'newreader@reader.example');
    await page.fill('input[name=password1]', 'violet-harbour-1987');
    await page.fill('input[name=password2]', 'violet-harbour-1987');
    await submit(page, 'Create my account', '/');
    assert.deepEqual(await flashMessages(page), ['Welcome, newreader! Your account is ready.']);
    assert.equal(await accountText(page), 'Logged in as newreader My orders Log out');
    const user = await User.objects.get({ username: 'newreader' });
    assert.equal(user.email, 'newreader@reader.example');
  });

  test('a seeded user logs in through the form, then logs out', async () => {
    const { page } = browser;
    await logIn(page, 'reader', READER_PASSWORD);
    await submit(page, 'Log out', '/');
    assert.equal(await accountText(page), 'Log in / Sign up');
    // The session is gone: the orders page sends the visitor to log in.
    await page.goto('/orders/');
    assert.equal(page.url(), live.urlFor('/accounts/login/?next=/orders/'));
  });

  test('a visitor browses the books, searches, and opens a book', async () => {
    const { page } = browser;
    await page.goto('/books/');
    assert.equal(await page.locator('main h1').innerText(), 'Books');
    assert.equal(await page.locator('main p').first().innerText(), '60 books, page 1 of 6.');
    // The header's search box: a GET form, submitted by Enter with no script.
    await page.getByRole('searchbox', { name: 'Search books' }).fill('Rivers');
    await Promise.all([page.waitForURL(live.urlFor('/books/?q=Rivers')), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('main h1').innerText(), 'Books matching “Rivers”');
    assert.equal(await page.locator('main p').first().innerText(), '12 books, page 1 of 2.');
    const titles = await page.locator('ul.books li > a').allInnerTexts();
    assert.equal(titles.length, 10);
    for (const title of titles) assert.match(title, /Rivers/);
    const first = page.locator('ul.books li > a').first();
    const href = await first.getAttribute('href');
    assert.match(href ?? '', /^\/books\/\d+\/$/);
    await Promise.all([page.waitForURL(live.urlFor(href!)), first.click()]);
    assert.equal(await page.locator('main h1').innerText(), titles[0]);
    assert.equal(await page.title(), `${titles[0]} · Nuages Bookshop`);
  });

  test('a customer fills the cart, changes a quantity, checks out, and is mailed a confirmation', async () => {
    const { page } = browser;
    const { product, reader } = data;
    await logIn(page, 'reader', READER_PASSWORD);
    await page.goto(`/products/${product.sku}/`);
    await page.getByRole('spinbutton', { name: 'Quantity' }).fill('2');
    await submit(page, 'Add to cart', '/cart/');
    assert.deepEqual(await flashMessages(page), [`${product.name} was added to your cart.`]);

    // The cart's formset: the same page again, told apart by its message.
    await page.fill('input[name="items-0-quantity"]', '3');
    await page.getByRole('button', { name: 'Update the cart' }).click();
    await page.getByText('Your cart was updated.').waitFor();
    const total = product.price.mul(3).toFixed(2);
    assert.equal(await page.locator('table.cart tfoot td').first().innerText(), total);

    await Promise.all([page.waitForURL(live.urlFor('/checkout/')), page.getByRole('link', { name: 'Check out' }).click()]);
    await page.fill('input[name="address-city"]', 'Lyon');
    await page.fill('input[name="address-country"]', 'France');
    await submit(page, 'Place my order', '/orders/');

    const order = await Order.objects.get({ customer__user: reader });
    assert.deepEqual(await flashMessages(page), [`Thank you! Your order ${order.id} is placed.`]);
    const items = await OrderItem.objects.filter({ order });
    assert.deepEqual(items.map((item) => [item.productId, item.quantity, item.price.toString()]), [[product.id, 3, product.price.toString()]]);
    assert.equal(await Address.objects.filter({ user: reader, city: 'Lyon', country: 'France' }).count(), 1);

    const sections = page.locator('section.order');
    assert.equal(await sections.count(), 1);
    assert.match(await sections.locator('h2').innerText(), new RegExp(`^Order ${order.id} · `));
    assert.equal(await sections.locator('li').innerText(), `3 × ${product.name} at ${product.price}`);
    assert.equal(await sections.locator('p').innerText(), `Total: ${total}`);

    assert.equal(outbox.length, 1);
    const [mail] = outbox;
    assert.deepEqual(mail!.to, [reader.email]);
    assert.equal(mail!.subject, `Your order ${order.id}`);
    assert.match(mail!.body, new RegExp(`3 × ${product.name} at ${product.price}\n\nTotal: ${total}\n\nIt will be shipped to Lyon, France\\.`));
  });

  test('a staff editor renames a book and uploads its cover; the book page shows both', async () => {
    const { page } = browser;
    const { book } = data;
    await logIn(page, 'staff', STAFF_PASSWORD);
    await page.goto(`/staff/books/${book.id}/edit/`);
    assert.equal(await page.locator('main h1').innerText(), `Edit “${book.title}”`);
    await page.fill('input[name=title]', 'Clouds over Lyon');
    await page.setInputFiles('input[name=cover]', { name: 'lyon cover.png', mimeType: 'image/png', buffer: COVER_PNG });
    await submit(page, 'Save', `/books/${book.id}/`);

    assert.equal(await page.locator('main h1').innerText(), 'Clouds over Lyon');
    const cover = page.locator('img.cover');
    assert.equal(await cover.getAttribute('src'), '/media/covers/lyon_cover.png');
    // The browser fetched and decoded it (the CSP's img-src 'self' lets it load): 4 × 3 pixels.
    await cover.evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
    assert.equal(await cover.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), 4);
    const served = await page.request.get('/media/covers/lyon_cover.png');
    assert.equal(served.status(), 200);
    assert.equal(served.headers()['content-type'], 'image/png');
    assert.deepEqual(await served.body(), COVER_PNG);
    const stored = await Book.objects.get({ id: book.id });
    assert.equal(stored.title, 'Clouds over Lyon');
    assert.equal(stored.cover.name, 'covers/lyon_cover.png');
  });

  test('what the earlier tests created is gone, for the database and for the pages', async () => {
    const { page } = browser;
    const { book, reader } = data;
    assert.equal(await User.objects.filter({ username: 'newreader' }).exists(), false);
    assert.equal(await Order.objects.count(), 0);
    assert.equal(await Address.objects.count(), 0);
    const stored = await Book.objects.get({ id: book.id });
    assert.deepEqual([stored.title, stored.cover.name], [book.title, '']);
    // The same through the shop: the reader has no orders, the book its old title and no cover.
    await logIn(page, reader.username, READER_PASSWORD);
    await page.goto('/orders/');
    assert.equal(await page.locator('main p').first().innerText(), 'No orders yet. Your cart');
    await page.goto(`/books/${book.id}/`);
    assert.equal(await page.locator('main h1').innerText(), book.title);
    assert.equal(await page.locator('img.cover').count(), 0);
  });
});

describe('after the suite', () => {
  test('its transaction is rolled back: the seeded catalogue and accounts are gone too', async () => {
    assert.deepEqual(
      [await Book.objects.count(), await Product.objects.count(), await User.objects.count(), await Order.objects.count()],
      [0, 0, 0, 0],
    );
  });
});
