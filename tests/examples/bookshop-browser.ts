/**
 * What the bookshop's browser tests do on a page more than once: submit a form and wait
 * for the page it leads to, log in through the login form, read the flash messages.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

/**
 * Clicks the button named `button` and resolves once the browser shows `path` (the
 * redirect after the POST included). Waiting for the URL, not for any navigation: a click
 * resolves before the new page has loaded.
 */
export async function submit(page: Page, button: string, path: string): Promise<void> {
  const target = new URL(path, page.url()).href;
  await Promise.all([page.waitForURL(target), page.getByRole('button', { name: button, exact: true }).click()]);
}

/** Logs in through `/accounts/login/` as a user would; the shop then shows its home page. */
export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/accounts/login/');
  await page.fill('main input[name=username]', username);
  await page.fill('main input[name=password]', password);
  await submit(page, 'Log in', '/');
  assert.equal(await accountText(page), `Logged in as ${username} My orders${username === 'staff' ? ' Staff' : ''} Log out`);
}

/** The header's account corner as one line: who is logged in, or the login links. */
export async function accountText(page: Page): Promise<string> {
  return normalised(await page.locator('header .account').innerText());
}

/** The flash messages above the page's content, each as its text. */
export async function flashMessages(page: Page): Promise<string[]> {
  return (await page.locator('main ul.messages li').allInnerTexts()).map(normalised);
}

function normalised(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A real 4 × 3 PNG (blue pixels), small enough to read here whole: the cover the editor uploads. */
export const COVER_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGOQz98CRww4OQAfjg8Z4mBhpwAAAABJRU5ErkJggg==',
  'base64',
);
