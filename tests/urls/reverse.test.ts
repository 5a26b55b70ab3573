// Expected values were produced by Django 5.2 with the same URLconf (tests/urls/probe notes in each test).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { HttpResponse, type HttpRequest } from '../../src/http/index.ts';
import {
  path, rePath, include, reverse, reverseLazy, resolve, NoReverseMatch, Resolver404, runWithScriptPrefix, type Params,
} from '../../src/urls/index.ts';

const v = (_request: HttpRequest, _params: Params) => new HttpResponse('v');
const w = (_request: HttpRequest, _params: Params) => new HttpResponse('w');
const shop = { urlpatterns: [path('books/<int:id>/', v, { name: 'book-detail' }), path('books/', v, { name: 'book-list' })], appName: 'shop' };
const inner = include([path('x/<slug:s>/', v, { name: 'x' })], { appName: 'inner' });

const urlpatterns = [
  path('', v, { name: 'home' }),
  path('a/<str:s>/', v, { name: 'a' }),
  path('p/<path:p>', v, { name: 'p' }),
  path('u/<uuid:u>/', v, { name: 'u' }),
  path('dup/one/', v, { name: 'dup' }),
  path('dup/two/', v, { name: 'dup' }),
  path('dupk/<int:x>/', v, { name: 'dupk' }),
  path('dupk/', v, { name: 'dupk' }),
  path('shop/', include(shop)),
  path('shop2/', include(shop, { namespace: 'shop2' })),
  path('def/', v, { name: 'def', kwargs: { lang: 'en' } }),
  path('n/<int:year>/', include([path('<slug:s>/', v, { name: 'nested' }), path('in/', inner)])),
  rePath('^re/(?P<year>[0-9]{4})/(?:page-(?P<page>\\d+)/)?$', v, { name: 're-opt' }),
  rePath('^pos/(\\d+)/(\\w+)/$', w, { name: 'pos' }),
  rePath('^alt/(foo|bar)/$', w, { name: 'alt' }),
  rePath('^cls/[abc]x\\.y/$', w, { name: 'cls' }),
  rePath('^q/(?P<n>\\d+)?$', w, { name: 'q' }),
];
const conf = { urlpatterns };
const r = (name: string, params?: Params | unknown[], options: Parameters<typeof reverse>[2] = {}) => reverse(name, params, { urlconf: conf, ...options });
const nrm = (fn: () => unknown, message: RegExp) => assert.throws(fn, (e: unknown) => e instanceof NoReverseMatch && message.test(e.message));

describe('reverse()', () => {
  test('writes a plain route and percent-encodes outside RFC 3986 path characters', () => {
    assert.equal(r('home'), '/');
    assert.equal(r('a', { s: "!$&'()*+,;=:@~" }), "/a/!$&'()*+,;=:@~/");
    assert.equal(r('a', { s: '<>"{}|\\^`[]' }), '/a/%3C%3E%22%7B%7D%7C%5C%5E%60%5B%5D/');
    assert.equal(r('p', { p: 'hello world?#%é/ü😀' }), '/p/hello%20world%3F%23%25%C3%A9/%C3%BC%F0%9F%98%80');
    assert.equal(r('p', { p: '%2F' }), '/p/%252F');
  });

  test('a value the converter regex refuses does not reverse', () => {
    nrm(() => r('a', { s: 'x/y' }), /Reverse for 'a' with keyword arguments .* 1 pattern\(s\) tried: \['a\/\(\?P<s>\[\^\/\]\+\)\/\\Z'\]/);
    nrm(() => r('a', { s: '' }), /1 pattern/);
    nrm(() => r('u', { u: '12345678-1234-1234-1234-123456789ABC' }), /pattern/);
    assert.equal(r('u', { u: '12345678-1234-1234-1234-123456789abc' }), '/u/12345678-1234-1234-1234-123456789abc/');
  });

  test('values are written as Python prints them', () => {
    assert.equal(r('a', { s: true }), '/a/True/');
    assert.equal(r('a', { s: null }), '/a/None/');
    assert.equal(r('a', { s: 3 }), '/a/3/');
  });

  test('a leading // is escaped so the URL stays on this site', () => {
    const any = { urlpatterns: [rePath('^(?P<a>.*)$', v, { name: 'any' })] };
    assert.equal(reverse('any', { a: '/x' }, { urlconf: any }), '/%2Fx');
    assert.equal(reverse('any', { a: '//x' }, { urlconf: any }), '/%2F/x');
    assert.equal(r('p', { p: '//evil.com/x' }), '/p///evil.com/x');
  });

  test('of two patterns with one name, the last one defined wins; arguments pick among them', () => {
    assert.equal(r('dup'), '/dup/two/');
    assert.equal(r('dupk'), '/dupk/');
    assert.equal(r('dupk', [3]), '/dupk/3/');
    nrm(() => r('dupk', { x: 'abc' }), /2 pattern\(s\) tried: \['dupk\/\\Z', 'dupk\/\(\?P<x>\[0-9\]\+\)\/\\Z'\]/);
  });

  test('namespaces: app name, instance namespace and the current app', () => {
    assert.equal(r('shop:book-detail', { id: 5 }), '/shop/books/5/');
    assert.equal(r('shop2:book-detail', [5]), '/shop2/books/5/');
    assert.equal(r('shop:book-list', {}, { currentApp: 'shop2' }), '/shop2/books/');
    assert.equal(r('inner:x', { year: 1, s: 'z' }), '/n/1/in/x/z/');
  });

  test('unknown names and namespaces say what was not found', () => {
    nrm(() => r('nope'), /Reverse for 'nope' not found/);
    nrm(() => r('nope:x'), /^'nope' is not a registered namespace\./);
    nrm(() => r('shop:nope:x'), /^'nope' is not a registered namespace inside 'shop'/);
    nrm(() => r('a', {}), /with no arguments not found/);
  });

  test('kwargs given to path() must agree when passed', () => {
    assert.equal(r('def'), '/def/');
    assert.equal(r('def', { lang: 'en' }), '/def/');
    nrm(() => r('def', { lang: 'fr' }), /1 pattern/);
  });

  test('parameters captured by an include prefix reverse by name or by position', () => {
    assert.equal(r('nested', { year: 2020, s: 'x' }), '/n/2020/x/');
    assert.equal(r('nested', [2020, 'x']), '/n/2020/x/');
  });

  test('rePath() patterns: optional groups, positional groups, classes, alternation inside a group', () => {
    assert.equal(r('re-opt', { year: 2020 }), '/re/2020/');
    assert.equal(r('re-opt', { year: 2020, page: 3 }), '/re/2020/page-3/');
    nrm(() => r('re-opt', { year: 20 }), /pattern/);
    assert.equal(r('pos', [1, 'x']), '/pos/1/x/');
    nrm(() => r('pos', [1]), /with arguments \[1\] not found/);
    assert.equal(r('alt', ['foo']), '/alt/foo/');
    assert.equal(r('cls'), '/cls/ax.y/');
    assert.equal(r('q'), '/q/');
    assert.equal(r('q', { n: 4 }), '/q/4');
  });

  test('a top-level | makes a rePath() pattern irreversible', () => {
    const conf2 = { urlpatterns: [rePath('^(?:a|b)/$', v, { name: 'ab' })] };
    assert.throws(() => reverse('ab', {}, { urlconf: conf2 }), NoReverseMatch);
  });

  test('args and kwargs together are refused', () => {
    assert.throws(() => r('a', { args: [1], kwargs: { s: 2 } }), TypeError);
  });

  test('query and fragment (Django 5.2) are appended', () => {
    assert.equal(r('home', {}, { query: { a: [1, 2], b: 'x y' }, fragment: 'top' }), '/?a=1&a=2&b=x+y#top');
    assert.equal(r('home', {}, { query: {} }), '/');
    assert.equal(r('home', { kwargs: {}, query: [['q', 'a/b']] }), '/?q=a%2Fb');
  });

  test('a view function reverses like its name', () => {
    assert.equal(reverse(w, ['12', 'ab'], { urlconf: conf }), '/pos/12/ab/');
  });

  test('the script prefix comes first and is encoded', () => {
    runWithScriptPrefix('/pre fix%', () => {
      assert.equal(r('home'), '/pre%20fix%25/');
      assert.equal(r('p', { p: 'a' }), '/pre%20fix%25/p/a');
    });
    assert.equal(r('home'), '/');
  });

  test('reverseLazy() computes the URL when used', () => {
    const lazy = reverseLazy('a', { s: 'x' }, { urlconf: conf });
    assert.equal(`${lazy}`, '/a/x/');
    assert.equal(JSON.stringify({ u: lazy }), '{"u":"/a/x/"}');
  });
});

describe('resolve()', () => {
  const rs = (p: string) => resolve(p, conf);

  test('matches routes and converts params', () => {
    const m = rs('/a/x/');
    assert.equal(m.func, v);
    assert.deepEqual(m.kwargs, { s: 'x' });
    assert.equal(m.urlName, 'a');
    assert.equal(m.route, 'a/<str:s>/');
    assert.equal(m.viewName, 'a');
    assert.deepEqual(rs('/p/a/b/c').kwargs, { p: 'a/b/c' });
    assert.deepEqual(rs('/u/12345678-1234-1234-1234-123456789abc/').kwargs, { u: '12345678-1234-1234-1234-123456789abc' });
  });

  test('the root route is the empty string', () => {
    const m = rs('/');
    assert.equal(m.urlName, 'home');
    assert.equal(m.route, '');
  });

  test('trailing slashes are not optional', () => {
    assert.throws(() => rs('/a/x'), Resolver404);
    assert.throws(() => rs('/a//'), Resolver404);
    assert.throws(() => rs('/a/x/\n'), Resolver404);
  });

  test('includes carry app names, namespaces, joined routes and converted values', () => {
    const m = rs('/shop/books/3/');
    assert.deepEqual(m.kwargs, { id: 3 });
    assert.deepEqual(m.appNames, ['shop']);
    assert.deepEqual(m.namespaces, ['shop']);
    assert.equal(m.route, 'shop/books/<int:id>/');
    assert.equal(m.viewName, 'shop:book-detail');
    const m2 = rs('/shop2/books/03/');
    assert.deepEqual(m2.kwargs, { id: 3 });
    assert.equal(m2.namespace, 'shop2');
    assert.equal(m2.appName, 'shop');
    assert.equal(m2.viewName, 'shop2:book-detail');
  });

  test('kwargs from path() reach the view, apart from captured ones', () => {
    const m = rs('/def/');
    assert.deepEqual(m.kwargs, { lang: 'en' });
    assert.deepEqual(m.capturedKwargs, {});
    assert.deepEqual(m.extraKwargs, { lang: 'en' });
  });

  test('params captured by include prefixes merge with the inner ones', () => {
    const m = rs('/n/2020/slug/');
    assert.deepEqual(m.kwargs, { year: 2020, s: 'slug' });
    assert.deepEqual(m.capturedKwargs, { s: 'slug' });
    assert.equal(m.route, 'n/<int:year>/<slug:s>/');
    const m2 = rs('/n/2020/in/x/s/');
    assert.equal(m2.viewName, 'inner:x');
    assert.equal(m2.route, 'n/<int:year>/in/x/<slug:s>/');
  });

  test('rePath(): named groups give strings, unmatched optional groups are left out', () => {
    assert.deepEqual(rs('/re/2020/').kwargs, { year: '2020' });
    assert.deepEqual(rs('/re/2020/page-4/').kwargs, { year: '2020', page: '4' });
    assert.equal(rs('/re/2020/').route, '^re/(?P<year>[0-9]{4})/(?:page-(?P<page>\\d+)/)?$');
    assert.deepEqual(rs('/q/').kwargs, {});
    assert.deepEqual(rs('/q/5').kwargs, { n: '5' });
  });

  test('rePath(): without named groups, groups are positional args', () => {
    const m = rs('/pos/12/ab/');
    assert.deepEqual(m.args, ['12', 'ab']);
    assert.deepEqual(m.kwargs, {});
  });

  test('rePath(): \\d and \\w are Unicode-aware as in Python', () => {
    const conf2 = { urlpatterns: [rePath('^w/(?P<word>\\w+)/(?P<n>\\d+)/$', v)] };
    assert.deepEqual(resolve('/w/café/٣/', conf2).kwargs, { word: 'café', n: '٣' });
  });

  test('Resolver404 lists every pattern tried, an include counting its own patterns', () => {
    const tried = (p: string) => {
      try {
        rs(p);
      } catch (error) {
        assert.ok(error instanceof Resolver404);
        return error;
      }
      throw new Error('resolved');
    };
    assert.equal(tried('/nothing/').tried.length, 17);
    assert.equal(tried('/nothing/').path, 'nothing/');
    const e = tried('/shop/zz/');
    assert.equal(e.tried.length, 18);
    assert.equal(e.tried.filter((chain) => chain.length === 2).length, 2);
    assert.equal(e.tried[8]![1]!.pattern.describe(), "'books/<int:id>/' [name='book-detail']");
    assert.equal(e.code, 'NUAGES_URL_RESOLVER_404');
  });

  test('a path without the leading slash does not resolve', () => {
    assert.throws(() => rs('a/x/'), (e: unknown) => e instanceof Resolver404 && e.tried.length === 0);
  });

  test('an int too large for a JavaScript number does not match', () => {
    assert.throws(() => rs('/dupk/99999999999999999999999/'), Resolver404);
  });
});
