// resolve() remembers the match of a parameterless path; every caller still gets its
// own match and params, and a changed pattern list is seen.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpResponse, type HttpRequest } from '../../src/http/index.ts';
import { clearUrlCaches, include, path, resolve, Resolver404, type Params } from '../../src/urls/index.ts';

const home = (_request: HttpRequest, _params: Params) => new HttpResponse('home');
const other = (_request: HttpRequest, _params: Params) => new HttpResponse('other');
const book = (_request: HttpRequest, _params: Params) => new HttpResponse('book');

describe('resolve() of parameterless paths', () => {
  test('a repeated path gives equal matches, each with its own params object', () => {
    const urlpatterns = [path('about/', home, { name: 'about' }), path('shop/', include([path('cart/', other, { name: 'cart' })], { appName: 'shop' }))];
    const first = resolve('/about/', urlpatterns);
    const second = resolve('/about/', urlpatterns);
    assert.notEqual(first, second);
    assert.notEqual(first.kwargs, second.kwargs);
    assert.equal(second.func, home);
    assert.equal(second.urlName, 'about');
    assert.equal(second.route, 'about/');
    (first.kwargs as Record<string, unknown>)['written'] = 'by a view';
    assert.deepEqual(resolve('/about/', urlpatterns).kwargs, {});
    const cart = resolve('/shop/cart/', urlpatterns);
    assert.equal(resolve('/shop/cart/', urlpatterns).viewName, 'shop:cart');
    assert.equal(resolve('/shop/cart/', urlpatterns).route, 'shop/cart/');
    assert.deepEqual(resolve('/shop/cart/', urlpatterns).appNames, cart.appNames);
  });

  test('paths with parameters are converted afresh each time', () => {
    const urlpatterns = [path('books/<int:id>/', book)];
    assert.deepEqual(resolve('/books/1/', urlpatterns).kwargs, { id: 1 });
    assert.deepEqual(resolve('/books/2/', urlpatterns).kwargs, { id: 2 });
  });

  test('extra kwargs of path() are not shared between matches', () => {
    const urlpatterns = [path('feed/', home, { kwargs: { format: 'rss' } })];
    const first = resolve('/feed/', urlpatterns);
    (first.kwargs as Record<string, unknown>)['format'] = 'changed';
    assert.deepEqual(resolve('/feed/', urlpatterns).kwargs, { format: 'rss' });
  });

  test('a pattern put in front of a remembered one takes over', () => {
    const urlpatterns = [path('page/', home)];
    assert.equal(resolve('/page/', urlpatterns).func, home);
    urlpatterns.unshift(path('page/', other));
    assert.equal(resolve('/page/', urlpatterns).func, other);
  });

  test('a path that does not resolve is never remembered as a match', () => {
    const urlpatterns = [path('here/', home)];
    assert.throws(() => resolve('/missing/', urlpatterns), Resolver404);
    assert.throws(() => resolve('/missing/', urlpatterns), Resolver404);
    urlpatterns.push(path('missing/', other));
    assert.equal(resolve('/missing/', urlpatterns).func, other);
  });

  test('clearUrlCaches() forgets remembered matches', () => {
    const urlpatterns = [path('x/', home)];
    assert.equal(resolve('/x/', urlpatterns).func, home);
    urlpatterns[0] = path('x/', other);
    clearUrlCaches();
    assert.equal(resolve('/x/', urlpatterns).func, other);
  });
});
