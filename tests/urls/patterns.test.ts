import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { HttpResponse, type HttpRequest } from '../../src/http/index.ts';
import {
  path, rePath, include, resolve, reverse, registerConverter, isValidPath, getResolver,
  InvalidUrlPatternError, UrlconfError, ConverterAlreadyRegisteredError, Resolver404, type Params,
} from '../../src/urls/index.ts';
import { translateRegex, normalizeRegex } from '../../src/urls/regex.ts';

const v = (_request: HttpRequest, _params: Params) => new HttpResponse('');

describe('path() validation', () => {
  test('an unknown converter, a bad parameter name or whitespace in <> is refused at definition', () => {
    assert.throws(() => path('a/<foo:x>/', v), (e: unknown) => e instanceof InvalidUrlPatternError && /unknown converter 'foo'/.test(e.message));
    assert.throws(() => path('a/<int:1x>/', v), /not an identifier/);
    assert.throws(() => path('a/<int: x>/', v), /whitespace/);
    assert.throws(() => path('a/<x>/<x>/', v), /twice/);
  });

  test('a parameter without a converter uses str', () => {
    assert.deepEqual(resolve('/a/b/', [path('a/<x>/', v)]).kwargs, { x: 'b' });
  });

  test('views must be functions or include()', () => {
    assert.throws(() => path('a/', 'view' as never), /must be a function or include/);
    assert.throws(() => path('a/', [] as never), /wrap it in include/);
    assert.throws(() => path('a/', v, { kwargs: [] as never }), /kwargs of the pattern/);
  });

  test('include() with a namespace needs an app name', () => {
    assert.throws(() => include([path('x/', v)], { namespace: 'ns' }), /no app name/);
    assert.equal(include({ urlpatterns: [], appName: 'shop' }).namespace, 'shop');
  });

  test('a module specifier include loads on first use, relative to BASE_DIR', () => {
    const conf = [path('s/', include('tests/urls/fixtures/shortcuts-urls'))];
    assert.equal(reverse('book-detail', { id: 2 }, { urlconf: conf }), '/s/books/2/');
    assert.equal(resolve('/s/books/2/', conf).urlName, 'book-detail');
  });

  test('a missing URLconf module or one without urlpatterns says so', () => {
    assert.throws(() => resolve('/x/', 'tests/urls/fixtures/nope'), (e: unknown) => e instanceof UrlconfError && /was not found/.test(e.message));
    assert.throws(() => resolve('/x/', 'tests/urls/regex.test'), /does not export a urlpatterns array|was not found/);
  });

  test('isValidPath() returns the match or false', () => {
    const conf = [path('a/', v)];
    assert.equal(isValidPath('/a', conf), false);
    assert.equal(isValidPath('/a/', conf) && (isValidPath('/a/', conf) as { route: string }).route, 'a/');
  });

  test('resolvers are built once per URLconf', () => {
    const conf = [path('a/', v)];
    assert.equal(getResolver(conf), getResolver(conf));
  });
});

describe('registerConverter()', () => {
  test('custom converters match, convert and reverse; a refused value does not match', () => {
    const year = {
      regex: '[0-9]{4}',
      toPython: (value: string) => {
        const n = Number(value);
        if (n < 1900) throw new RangeError('too old');
        return n;
      },
      toUrl: (value: unknown) => String(value).padStart(4, '0'),
    };
    registerConverter(year, 'yyyy');
    registerConverter(year, 'yyyy');
    const conf = [path('y/<yyyy:year>/', v, { name: 'year' })];
    assert.deepEqual(resolve('/y/2024/', conf).kwargs, { year: 2024 });
    assert.throws(() => resolve('/y/1800/', conf), Resolver404);
    assert.equal(reverse('year', { year: 2024 }, { urlconf: conf }), '/y/2024/');
    assert.throws(() => registerConverter({ ...year }, 'yyyy'), ConverterAlreadyRegisteredError);
    assert.throws(() => registerConverter({ ...year }, 'int'), ConverterAlreadyRegisteredError);
  });
});

describe('Python regex translation', () => {
  const re = (p: string) => {
    const { source, flags } = translateRegex(p);
    return new RegExp(source, `${flags}u`);
  };

  test('named groups, \\Z, $ before a final newline, inline flags', () => {
    assert.deepEqual({ ...re('^(?P<y>[0-9]{4})/\\Z').exec('2024/')!.groups }, { y: '2024' });
    assert.ok(re('^a$').test('a\n'));
    assert.ok(!re('^a\\Z').test('a\n'));
    assert.ok(re('(?i)^abc$').test('ABC'));
    assert.ok(re('^(?P<x>a)(?P=x)$').test('aa'));
  });

  test('escapes Python allows and a u-flag RegExp does not', () => {
    assert.ok(re('^a\\-b\\#c\\ d\\~$').test('a-b#c d~'));
    assert.ok(re('^x{,2}$').test('xx'));
    assert.ok(re('^a{b$').test('a{b'));
    assert.ok(re('^[]a]+$').test(']a'));
  });

  test('syntax without a JavaScript equivalent is refused with a reason', () => {
    assert.throws(() => rePath('(?x) a', v), (e: unknown) => e instanceof InvalidUrlPatternError && /verbose/.test(e.message));
    assert.throws(() => rePath('^a++$', v), /possessive/);
    assert.throws(() => rePath('^(?>a)$', v), /no JavaScript equivalent/);
    assert.throws(() => rePath('^\\q$', v), /bad escape/);
  });

  test('normalize lists the forms of optional and repeated parts as Django does', () => {
    const forms = normalizeRegex('^a(?:b(?P<x>\\d+))?c{2}\\d+$ignored');
    assert.deepEqual(forms.map((f) => [f.pieces, f.params]), [
      [['acc0'], []],
      [['ab', { param: 'x' }, 'cc0'], ['x']],
    ]);
    assert.deepEqual(normalizeRegex('^(?=x)y.\\w\\s[^a]'), [{ pieces: ['y.x ^'], params: [] }]);
  });
});
