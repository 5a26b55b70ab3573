// Clickjacking in a real browser: Debian's chromium (playwright-core) opens a page of another
// origin that frames pages of a real NuagesServer behind XFrameOptionsMiddleware. The page
// sent with DENY stays empty in its frame; the one marked xframeOptionsExempt shows.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { configure, resetSettings } from '../../src/conf/index.ts';
import { createNodeApp, NuagesServer } from '../../src/core/servers/index.ts';
import { HttpResponse } from '../../src/http/index.ts';
import { XFrameOptionsMiddleware } from '../../src/middleware/clickjacking.ts';
import { path } from '../../src/urls/index.ts';
import { xframeOptionsExempt } from '../../src/views/index.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const html = (text: string) => async () => new HttpResponse(`<!doctype html><p id="inside">${text}</p>`, { contentType: 'text/html; charset=utf-8' });

let site: NuagesServer;
let siteBase: string;
let attacker: Server;
let attackerBase: string;
let browser: Browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH.`);
  configure({ SECRET_KEY: 'clickjacking-browser-tests', ALLOWED_HOSTS: ['127.0.0.1'] });
  const urlconf = [path('account/', html('Delete my account')), path('widget/', xframeOptionsExempt(html('Price widget')))];
  site = new NuagesServer({ app: await createNodeApp({ urlconf, middleware: [XFrameOptionsMiddleware] }), host: '127.0.0.1', port: 0 });
  siteBase = `http://127.0.0.1:${(await site.listen()).port}`;
  // The attacker's page, on another port: another origin.
  attacker = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><iframe name="account" src="${siteBase}/account/"></iframe><iframe name="widget" src="${siteBase}/widget/"></iframe>`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerBase = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  // --no-sandbox: CI runs as root, where chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
});

after(async () => {
  await browser?.close();
  await site?.close(1);
  await new Promise((resolve) => attacker?.close(resolve));
  resetSettings();
});

describe('X-Frame-Options in chromium', () => {
  test('a page framed by another site stays empty; an exempt page shows', async () => {
    const tab = await browser.newPage();
    try {
      const sent = new Map<string, string | undefined>();
      tab.on('response', (response) => sent.set(new URL(response.url()).pathname, response.headers()['x-frame-options']));
      await tab.goto(`${attackerBase}/`, { waitUntil: 'load' });
      assert.equal(sent.get('/account/'), 'DENY', 'the framed page was answered with DENY');
      assert.equal(sent.get('/widget/'), undefined);
      const text = async (name: string) => {
        const frame = tab.frame({ name });
        assert.ok(frame, `frame ${name}`);
        return frame
          .evaluate(() => (globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }).document.getElementById('inside')?.textContent ?? null)
          .catch(() => null);
      };
      assert.equal(await text('account'), null, 'the browser refused to show the page in the frame');
      assert.equal(await text('widget'), 'Price widget');
    } finally {
      await tab.close();
    }
  });
});
