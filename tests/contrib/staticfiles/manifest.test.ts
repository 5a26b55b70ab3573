import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { collect } from '../../../src/contrib/staticfiles/collect.ts';
import { compressedVariants, isCompressible } from '../../../src/contrib/staticfiles/compress.ts';
import { findAll } from '../../../src/contrib/staticfiles/finders.ts';
import { hashedName, hashFiles, manifestText, StaticFilesError } from '../../../src/contrib/staticfiles/storage.ts';

const SVG = `<svg xmlns="http://www.w3.org/2000/svg">${'<rect width="1" height="1"/>'.repeat(30)}</svg>\n`;

/** The same bytes as the Django 5.2 scratch project the expected names below come from. */
const FILES: Record<string, string> = {
  'css/site.css':
    'body { background: url("../img/logo.png"); }\n@import "base.css";\n.icon { background: url(../img/icon.svg#frag); }\n' +
    '.x { background: url(data:image/png;base64,AAAA); }\n.y { background: url(http://example.com/a.png); }\n' +
    '.z { background: url("/static/img/logo.png?v=1"); }\n',
  'css/base.css': '.base { background: url(../img/logo.png); }\n',
  'img/logo.png': 'PNGDATA',
  'img/icon.svg': SVG,
  'js/app.js': 'console.log(1);\n//# sourceMappingURL=app.js.map\n',
  'js/app.js.map': '{"version":3}',
};

// Django 5.2's ManifestStaticFilesStorage on FILES (collectstatic --noinput).
const DJANGO_PATHS: Record<string, string> = {
  'img/logo.png': 'img/logo.0b75926ab9a9.png',
  'img/icon.svg': 'img/icon.805a4b0859af.svg',
  'css/base.css': 'css/base.03ed34b2e820.css',
  'css/site.css': 'css/site.32334b411a10.css',
  'js/app.js.map': 'js/app.js.6dbd5863e342.map',
  'js/app.js': 'js/app.88f08e5fe406.js',
};
const DJANGO_MANIFEST =
  '{"paths": {"img/logo.png": "img/logo.0b75926ab9a9.png", "img/icon.svg": "img/icon.805a4b0859af.svg", ' +
  '"css/base.css": "css/base.03ed34b2e820.css", "css/site.css": "css/site.32334b411a10.css", ' +
  '"js/app.js.map": "js/app.js.6dbd5863e342.map", "js/app.js": "js/app.88f08e5fe406.js"}, "version": "1.1", "hash": "d1ebe31421a7"}';

function project(files: Record<string, string>): { dir: string; src: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nuages-collect-'));
  const src = join(dir, 'static');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(src, name, '..'), { recursive: true });
    writeFileSync(join(src, name), content);
  }
  return { dir, src, out: join(dir, 'out') };
}

const read = (files: Record<string, string>) => (name: string) => (name in files ? Buffer.from(files[name]!) : undefined);

describe('hashed names', () => {
  test('put the hash before the last extension', () => {
    assert.equal(hashedName('css/site.css', '55e7cbb9ba48'), 'css/site.55e7cbb9ba48.css');
    assert.equal(hashedName('js/app.js.map', 'abc'), 'js/app.js.abc.map');
    assert.equal(hashedName('LICENSE', 'abc'), 'LICENSE.abc');
  });

  test('equal the names Django 5.2 gives the same bytes, nested CSS included', () => {
    const { paths } = hashFiles(Object.keys(FILES), read(FILES), '/static/');
    assert.deepEqual(Object.fromEntries(paths), DJANGO_PATHS);
  });

  test('rewrite url(), @import and sourceMappingURL, leaving data: and absolute URLs, keeping fragments and queries', () => {
    const { contents } = hashFiles(Object.keys(FILES), read(FILES), '/static/');
    assert.equal(
      contents.get('css/site.css')!.toString(),
      'body { background: url("../img/logo.0b75926ab9a9.png"); }\n@import url("base.03ed34b2e820.css");\n' +
        '.icon { background: url("../img/icon.805a4b0859af.svg#frag"); }\n.x { background: url(data:image/png;base64,AAAA); }\n' +
        '.y { background: url(http://example.com/a.png); }\n.z { background: url("/static/img/logo.0b75926ab9a9.png?v=1"); }\n',
    );
    assert.equal(contents.get('js/app.js')!.toString(), 'console.log(1);\n//# sourceMappingURL=app.js.6dbd5863e342.map\n');
  });

  test('a missing file named from CSS is an error naming both files', () => {
    const files = { 'css/a.css': '.a { background: url(../img/gone.png); }' };
    assert.throws(() => hashFiles(Object.keys(files), read(files), '/static/'), (error: unknown) => {
      assert.ok(error instanceof StaticFilesError);
      assert.match(error.message, /'img\/gone\.png' could not be found; it is referenced from 'css\/a\.css'/);
      return true;
    });
  });

  test('a cycle of CSS files is an error', () => {
    const files = { 'a.css': '@import "b.css";', 'b.css': '@import "a.css";' };
    assert.throws(() => hashFiles(Object.keys(files), read(files), '/static/'), /cycle/);
  });

  test('the manifest is byte for byte what Django writes', () => {
    const { paths } = hashFiles(Object.keys(FILES), read(FILES), '/static/');
    const ordered = new Map(Object.keys(DJANGO_PATHS).map((k) => [k, paths.get(k)!]));
    assert.equal(manifestText(ordered), DJANGO_MANIFEST);
  });
});

describe('compression', () => {
  test('gzip and brotli variants decompress to the original', () => {
    const content = Buffer.from(SVG);
    const variants = compressedVariants(content);
    assert.deepEqual(variants.map((v) => v.suffix), ['.gz', '.br']);
    assert.deepEqual(gunzipSync(variants[0]!.data), content);
    assert.deepEqual(brotliDecompressSync(variants[1]!.data), content);
  });

  test('only text-like files above a small size', () => {
    assert.equal(isCompressible('a.css', 5000), true);
    assert.equal(isCompressible('a.css', 10), false);
    assert.equal(isCompressible('a.png', 5000), false);
  });

  test('no variant when compressing does not shrink the bytes', () => {
    assert.deepEqual(compressedVariants(Buffer.from('x')), []);
  });
});

describe('finders', () => {
  test('first root wins and default ignore patterns apply', () => {
    const a = project({ 'css/site.css': 'first', '.hidden': 'x', 'b.txt~': 'x' });
    const b = project({ 'css/site.css': 'second', 'js/x.js': 'x' });
    const found = findAll([{ prefix: '', root: a.src }, { prefix: 'vendor', root: b.src }, { prefix: '', root: b.src }]);
    assert.deepEqual(found.map((f) => f.name).sort(), ['css/site.css', 'js/x.js', 'vendor/css/site.css', 'vendor/js/x.js']);
    assert.equal(readFileSync(found.find((f) => f.name === 'css/site.css')!.source, 'utf8'), 'first');
  });
});

describe('collect', () => {
  test('copies, hashes, writes the manifest and the compressed variants; a second run is unmodified', () => {
    const { src, out } = project(FILES);
    const roots = [{ prefix: '', root: src }];
    const first = collect({ root: out, roots, manifest: true, staticUrl: '/static/' });
    assert.equal(first.modified.length, 6);
    assert.equal(first.postProcessed.length, 6);
    assert.equal(JSON.parse(readFileSync(join(out, 'staticfiles.json'), 'utf8')).paths['css/site.css'], 'css/site.32334b411a10.css');
    assert.equal(readFileSync(join(out, 'img/logo.0b75926ab9a9.png'), 'utf8'), 'PNGDATA');
    assert.deepEqual(gunzipSync(readFileSync(join(out, 'img/icon.805a4b0859af.svg.gz'))).toString(), SVG);
    assert.deepEqual(brotliDecompressSync(readFileSync(join(out, 'img/icon.svg.br'))).toString(), SVG);
    assert.equal(existsSync(join(out, 'img/logo.png.gz')), false, 'too small to compress');
    const second = collect({ root: out, roots, manifest: true, staticUrl: '/static/' });
    assert.equal(second.modified.length, 0);
    assert.equal(second.unmodified.length, 6);
    // The CSS and JS are rewritten every time, as Django reports them post-processed again.
    assert.deepEqual(second.postProcessed.sort(), ['css/base.css', 'css/site.css', 'js/app.js']);
  });

  test('--dry-run writes nothing; --clear removes stale files', () => {
    const { src, out } = project({ 'a.txt': 'a' });
    const roots = [{ prefix: '', root: src }];
    const dry = collect({ root: out, roots, dryRun: true });
    assert.deepEqual(dry.modified, ['a.txt']);
    assert.equal(existsSync(out), false);
    mkdirSync(out);
    writeFileSync(join(out, 'stale.txt'), 'old');
    collect({ root: out, roots, clear: true, compress: false });
    assert.equal(existsSync(join(out, 'stale.txt')), false);
    assert.equal(readFileSync(join(out, 'a.txt'), 'utf8'), 'a');
  });

  test('without compression no variant is written', () => {
    const { src, out } = project({ 'big.css': SVG });
    collect({ root: out, roots: [{ prefix: '', root: src }], compress: false });
    assert.equal(existsSync(join(out, 'big.css.gz')), false);
  });
});
