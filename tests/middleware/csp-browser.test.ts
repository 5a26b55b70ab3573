// The Content Security Policy in a real browser: Debian's chromium, driven by playwright-core,
// loads pages from a real NuagesServer. The inline script with the page's nonce runs, the one
// without is blocked, and the browser's violation report reaches the report view. CI installs
// chromium (.ci/run); without it this test fails, saying how to install it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { configure, resetSettings } from '../../src/conf/index.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import { createNodeApp, NuagesServer } from '../../src/core/servers/index.ts';
import { HttpResponse, type HttpRequest } from '../../src/http/index.ts';
import { ContentSecurityPolicyMiddleware } from '../../src/middleware/csp.ts';
import { csp, LocmemLoader } from '../../src/template/index.ts';
import { path } from '../../src/urls/index.ts';
import { CSP } from '../../src/utils/csp.ts';
import type { LogRecord, Logger } from '../../src/utils/log.ts';
import { TemplateResponse, cspOverride, cspReportOnlyOverride, cspReportView } from '../../src/views/index.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>csp</title>
<script nonce="{{ csp_nonce }}">
  window.ran = [];
  window.violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.effectiveDirective + ' ' + e.disposition));
  window.ran.push('nonced');
</script>
<script>window.ran.push('injected');</script>
</head><body><p>page</p></body></html>`;

// Reports arrive after the page loaded, in a request of their own (maybe after the next test
// began): each waiter takes the first report from the page it is waiting for.
const waiting: Array<{ documentURL: string; resolve: (record: LogRecord) => void }> = [];
function record(level: LogRecord['level']) {
  return (message: string, details: Record<string, unknown> = {}) => {
    const index = waiting.findIndex((waiter) => waiter.documentURL === details['documentURL']);
    if (index !== -1) waiting.splice(index, 1)[0]!.resolve({ logger: 'nuages.security.csp', level, message, details });
  };
}
const reportLog: Logger = { name: 'nuages.security.csp', debug: record('debug'), info: record('info'), warn: record('warning'), error: record('error') };

function nextReport(documentURL: string): Promise<LogRecord> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chromium sent no violation report for ${documentURL} to /csp-report/`)), 15_000);
    waiting.push({
      documentURL,
      resolve: (entry) => {
        clearTimeout(timer);
        resolve(entry);
      },
    });
  });
}

const page = async (request: HttpRequest) => new TemplateResponse(request, 'page.html');

let server: NuagesServer;
let base: string;
let browser: Browser;
let previousLogger: RequestLogger;

before(async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH.`,
  );
  configure({
    SECRET_KEY: 'csp-browser-tests',
    ALLOWED_HOSTS: ['127.0.0.1'],
    SECURE_CSP: { 'default-src': [CSP.SELF], 'script-src': [CSP.SELF, CSP.NONCE], 'report-uri': '/csp-report/' },
    TEMPLATES: [{ BACKEND: 'nuages/template', OPTIONS: { loaders: [new LocmemLoader({ 'page.html': PAGE })], contextProcessors: [csp] } }],
  });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
  const urlconf = [
    path('', page),
    path('report-only/', cspOverride({})(cspReportOnlyOverride({ 'script-src': [CSP.SELF, CSP.NONCE], 'report-uri': '/csp-report/' })(page))),
    path('plain/', async () => new HttpResponse('<!doctype html><p>plain</p>', { contentType: 'text/html; charset=utf-8' })),
    path('csp-report/', cspReportView({ logger: reportLog })),
  ];
  const app = await createNodeApp({ urlconf, middleware: [ContentSecurityPolicyMiddleware] });
  server = new NuagesServer({ app, host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(await server.listen()).port}`;
  // --no-sandbox: CI runs as root, where chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
});

after(async () => {
  await browser?.close();
  await server?.close(1);
  setRequestLogger(previousLogger);
  resetSettings();
});

describe('Content-Security-Policy in chromium', () => {
  test('the inline script with the nonce runs, the injected one is blocked and reported', async () => {
    const tab = await browser.newPage();
    try {
      const report = nextReport(`${base}/`);
      const response = await tab.goto(`${base}/`);
      const header = response!.headers()['content-security-policy']!;
      assert.match(header, /^default-src 'self'; script-src 'self' 'nonce-[A-Za-z0-9_-]{22}'; report-uri \/csp-report\/$/);
      assert.deepEqual(await tab.evaluate(() => (globalThis as unknown as { ran: string[] }).ran), ['nonced']);
      const received = await report;
      assert.equal(received.details['effectiveDirective'], 'script-src-elem');
      assert.equal(received.details['disposition'], 'enforce');
      assert.equal(received.details['blockedURL'], 'inline');
      assert.equal(received.details['documentURL'], `${base}/`);
      assert.deepEqual(await tab.evaluate(() => (globalThis as unknown as { violations: string[] }).violations), ['script-src-elem enforce']);
    } finally {
      await tab.close();
    }
  });

  test('each load gets a new nonce, and the page nonce matches the header', async () => {
    const tab = await browser.newPage();
    try {
      const nonces: string[] = [];
      for (let i = 0; i < 2; i++) {
        const response = await tab.goto(`${base}/`);
        const headerNonce = /'nonce-([^']+)'/.exec(response!.headers()['content-security-policy']!)![1]!;
        const html = await response!.text();
        assert.ok(html.includes(`<script nonce="${headerNonce}">`), 'the page carries the header nonce');
        nonces.push(headerNonce);
      }
      assert.notEqual(nonces[0], nonces[1]);
    } finally {
      await tab.close();
    }
  });

  test('under a report-only policy both scripts run and the violation is reported', async () => {
    const tab = await browser.newPage();
    try {
      const report = nextReport(`${base}/report-only/`);
      const response = await tab.goto(`${base}/report-only/`);
      assert.equal(response!.headers()['content-security-policy'], undefined);
      assert.match(response!.headers()['content-security-policy-report-only']!, /script-src 'self' 'nonce-/);
      assert.deepEqual(await tab.evaluate(() => (globalThis as unknown as { ran: string[] }).ran), ['nonced', 'injected']);
      const received = await report;
      assert.equal(received.details['disposition'], 'report');
    } finally {
      await tab.close();
    }
  });

  test('a page without inline scripts gets the policy without a nonce', async () => {
    const tab = await browser.newPage();
    try {
      const response = await tab.goto(`${base}/plain/`);
      assert.equal(response!.headers()['content-security-policy'], "default-src 'self'; script-src 'self'; report-uri /csp-report/");
    } finally {
      await tab.close();
    }
  });
});
