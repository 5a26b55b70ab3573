// The bookshop as `npm start` runs it (migrate, seed_demo, runserver), on a
// throw-away SQLite file and a free port, checked page by page over HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchText, spawnNode, stopProcess, type Spawned } from './helpers.ts';

const MANAGE = join(import.meta.dirname, '..', '..', '..', 'examples', 'bookshop', 'manage.ts');

describe('the bookshop over HTTP', () => {
  let dir: string;
  let server: Spawned;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nuages-bookshop-'));
    const env = { ...process.env, DATABASE_URL: `sqlite:///${join(dir, 'db.sqlite3')}`, NO_COLOR: '1' };
    for (const command of ['migrate', 'seed_demo']) {
      const run = spawnSync(process.execPath, [MANAGE, command], { env, encoding: 'utf8' });
      assert.equal(run.status, 0, `${command}: ${run.stdout}${run.stderr}`);
    }
    server = spawnNode([MANAGE, 'runserver', '127.0.0.1:0', '--noreload'], { DATABASE_URL: env.DATABASE_URL });
    port = Number((await server.waitFor(/Starting development server at http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
  });
  after(async () => {
    await stopProcess(server);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the home page shows the counts and the newest books, in the base layout', async () => {
    const res = await fetchText(port, '/');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /<title>Nuages Bookshop<\/title>/);
    assert.match(res.body, /60 books by 8 authors from 5 publishers\./);
    const [newest, topRated] = res.body.split('<h2>Top rated</h2>');
    assert.equal(newest!.match(/<a href="\/books\/\d+\/">/g)?.length, 5, 'five newest books');
    assert.equal(topRated!.match(/<a href="\/books\/\d+\/">/g)?.length, 5, 'five top-rated books');
    assert.match(res.body, /&copy; \d{4} Nuages Bookshop/);
    assert.match(String(res.headers['x-request-duration']), /^\d+\.\d$/);
  });

  test('/books/ pages ten books with publisher and authors, and searches with ?q=', async () => {
    const first = await fetchText(port, '/books/');
    assert.match(first.body, /60 books, page 1 of 6\./);
    assert.equal(first.body.match(/<li>\s*<a href="\/books\/\d+\/">/g)?.length, 10);
    assert.match(first.body, /&middot; (Acme Press|Blue Door|Cloud Books|Delta House|Evergreen) &middot; Author [A-H]/);
    assert.match(first.body, /<a href="\?page=2" rel="next">/);

    const last = await fetchText(port, '/books/?page=999');
    assert.match(last.body, /page 6 of 6/);

    const search = await fetchText(port, '/books/?q=django');
    assert.match(search.body, /Books matching “django”/);
    assert.match(search.body, /12 books, page 1 of 2\./);
    assert.match(search.body, /href="\?q=django&amp;page=2"/);
    const escaped = await fetchText(port, '/books/?q=%3Cscript%3E');
    assert.match(escaped.body, /matching “&lt;script&gt;”/);
    assert.match(escaped.body, /0 books\./);
  });

  test('/books/<id>/ shows one book and its authors; an unknown id is 404', async () => {
    const list = await fetchText(port, '/api/books/');
    const book = (JSON.parse(list.body) as { results: Array<{ id: number; title: string; authors: string[] }> }).results[0]!;
    const res = await fetchText(port, `/books/${book.id}/`);
    assert.equal(res.status, 200);
    assert.match(res.body, new RegExp(`<h1>${book.title}</h1>`));
    for (const name of book.authors) assert.match(res.body, new RegExp(`<li>${name}`));
    assert.equal((await fetchText(port, '/books/99999/')).status, 404);
    assert.equal((await fetchText(port, '/books/abc/')).status, 404);
  });

  test('/authors/ lists book counts and average ratings from one annotated query', async () => {
    const res = await fetchText(port, '/authors/');
    const rows = [...res.body.matchAll(/<tr><td>(Author [A-H])<\/td><td>(\d+)<\/td><td>([\d.]+)<\/td><\/tr>/g)];
    assert.equal(rows.length, 8);
    // Every book has two authors: the counts add up to twice the books.
    assert.equal(rows.reduce((sum, row) => sum + Number(row[2]), 0), 120);
    const counts = rows.map((row) => Number(row[2]));
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'most books first');
  });

  test('/api/books/ answers JSON with pagination links', async () => {
    const res = await fetchText(port, '/api/books/?page=2');
    assert.equal(res.headers['content-type'], 'application/json');
    const data = JSON.parse(res.body) as Record<string, unknown> & { results: Array<Record<string, unknown>> };
    assert.equal(data['count'], 60);
    assert.equal(data['page'], 2);
    assert.equal(data['previous'], 1);
    assert.equal(data['next'], 3);
    assert.equal(data.results.length, 10);
    const first = data.results[0]!;
    assert.match(String(first['price']), /^\d+\.\d\d$/);
    assert.match(String(first['publishedDate']), /^\d{4}-\d\d-\d\d$/);
    assert.equal((first['authors'] as string[]).length, 2);
  });

  test('the stylesheet is served from the app static folder', async () => {
    const css = await fetchText(port, '/static/catalog/site.css');
    assert.equal(css.status, 200);
    assert.match(css.body, /font-family/);
    assert.equal((await fetchText(port, '/books')).status, 301);
  });

  describe('forged form posts over real HTTP are refused with the reason (DEBUG page)', () => {
    const FORM = 'name=Ada&email=ada%40example.com&subject=Hello&message=A+question+about+a+book.';
    const origin = () => `http://127.0.0.1:${port}`;

    /** A visitor's CSRF cookie and the masked token of the contact form it was served with. */
    async function visit(): Promise<{ cookie: string; token: string }> {
      const page = await fetchText(port, '/contact/');
      const setCookies = ([] as string[]).concat(page.headers['set-cookie'] ?? []);
      const cookie = String(setCookies.find((line) => line.startsWith('csrftoken='))?.split(';')[0]);
      const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      assert.match(cookie, /^csrftoken=\w+$/);
      assert.ok(token.length > 0);
      return { cookie, token };
    }

    function post(headers: Record<string, string>, body: string) {
      return fetchText(port, '/contact/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)), ...headers },
        body,
      });
    }

    test('a cross-site request (Sec-Fetch-Site), a foreign Origin, no cookie, a token of another visitor', async () => {
      const { cookie, token } = await visit();
      const other = await visit();
      const withToken = `${FORM}&csrfmiddlewaretoken=${encodeURIComponent(token)}`;
      const cases: Array<[Record<string, string>, string, RegExp]> = [
        [{ cookie, origin: origin(), 'sec-fetch-site': 'cross-site' }, withToken, /Sec-Fetch-Site checking failed - the request came from another site\./],
        [{ cookie, origin: 'https://evil.example' }, withToken, /Origin checking failed - https:\/\/evil\.example does not match any trusted origins\./],
        [{ origin: origin() }, withToken, /CSRF cookie not set\./],
        [{ cookie: other.cookie, origin: origin() }, withToken, /CSRF token from POST incorrect\./],
        [{ cookie, origin: origin() }, FORM, /CSRF token missing\./],
      ];
      for (const [headers, body, reason] of cases) {
        const refused = await post(headers, body);
        assert.equal(refused.status, 403, JSON.stringify(headers));
        assert.match(refused.body, reason);
      }
      // The same visitor's own cookie and token, from its own origin, goes through.
      const accepted = await post({ cookie, origin: origin(), 'sec-fetch-site': 'same-origin' }, withToken);
      assert.equal(accepted.status, 302);
    });

    test('every answer carries the security headers, refusals included', async () => {
      for (const res of [await fetchText(port, '/'), await post({ origin: 'https://evil.example' }, FORM)]) {
        assert.equal(res.headers['x-frame-options'], 'DENY');
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        assert.equal(res.headers['referrer-policy'], 'same-origin');
        assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
      }
    });
  });
});
