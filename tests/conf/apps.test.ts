import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AppConfig, Apps, apps, MODEL_MARKER, type ModelClass } from '../../src/conf/index.ts';
import { log } from './fixtures/log.ts';

const baseDir = join(import.meta.dirname, 'fixtures');

function model(name: string, options: { abstract?: boolean } = {}): ModelClass {
  const cls = { [name]: class { static readonly [MODEL_MARKER] = true; static readonly abstract = options.abstract ?? false; } }[name]!;
  return cls;
}

beforeEach(() => {
  apps.clear();
  log.length = 0;
});
afterEach(() => apps.clear());

describe('populate', () => {
  test('imports apps in order, registers exported models, then runs ready()', async () => {
    await apps.populate(['catalog', './orders', 'plain'], { baseDir });
    assert.equal(apps.ready, true);
    assert.deepEqual(apps.getAppConfigs().map((c) => c.label), ['catalog', 'orders', 'plain']);
    assert.deepEqual(apps.getModels('catalog').map((m) => m.name), ['Author', 'Book']);
    assert.deepEqual(apps.getModels('orders').map((m) => m.name), ['Order']);
    assert.deepEqual(apps.getModels().map((m) => m.name), ['Author', 'Book', 'Order']);
    // ready() ran after every app's models were registered.
    assert.ok(log.includes('catalog.ready models=3'), log.join(' | '));
  });

  test('an AppConfig subclass sets verbose name and auto field; others get defaults', async () => {
    await apps.populate(['catalog', 'orders'], { baseDir });
    const catalog = apps.getAppConfig('catalog');
    assert.equal(catalog.constructor.name, 'CatalogConfig');
    assert.equal(catalog.name, 'catalog');
    assert.equal(catalog.verboseName, 'Book catalogue');
    assert.equal(catalog.defaultAutoField, 'AutoField');
    assert.equal(catalog.path, join(baseDir, 'catalog'));
    const orders = apps.getAppConfig('orders');
    assert.ok(orders instanceof AppConfig);
    assert.equal(orders.name, 'orders');
    assert.equal(orders.verboseName, 'Orders');
    assert.deepEqual(orders.getModels().map((m) => m.name), ['Order']);
    assert.equal(orders.getModel('order').name, 'Order');
  });

  test("an app's models are registered in the order models.ts defines them, as Django's are", async () => {
    await apps.populate(['ordered'], { baseDir });
    assert.deepEqual(apps.getModels('ordered').map((m) => m.name), ['Zebra', 'Apple', 'Mango']);
  });

  test('abstract models, helpers and constants are not registered', async () => {
    await apps.populate(['catalog'], { baseDir });
    assert.throws(() => apps.getModel('catalog.TimeStamped'), { code: 'NUAGES_MODEL_LOOKUP' });
  });

  test('a model re-exported by another app stays in its own app', async () => {
    await apps.populate(['catalog', 'orders'], { baseDir });
    const author = apps.getModel('catalog.Author');
    assert.equal(apps.appLabelOf(author), 'catalog');
    assert.throws(() => apps.getModel('orders.Author'), /Its models are: Order/);
  });

  test('lazy references in models.ts resolve as models register', async () => {
    await apps.populate(['catalog', 'orders'], { baseDir });
    const order = apps.getModel('orders.Order') as unknown as { book: unknown };
    assert.equal(order.book, apps.getModel('catalog', 'Book'));
    assert.deepEqual(apps.pendingReferences(), []);
  });

  test('is idempotent; concurrent calls share one run', async () => {
    await Promise.all([apps.populate(['catalog'], { baseDir }), apps.populate(['catalog'], { baseDir })]);
    await apps.populate(['catalog'], { baseDir });
    assert.equal(log.filter((l) => l.startsWith('catalog.ready')).length, 1);
  });

  test('calling populate() from an app ready() is refused', async () => {
    await assert.rejects(apps.populate(['reentrant'], { baseDir }), { code: 'NUAGES_POPULATE_REENTRANT' });
    assert.equal(apps.ready, false);
  });

  test('duplicate labels name both apps and the fix', async () => {
    await assert.rejects(apps.populate(['dup_a', 'dup_b'], { baseDir }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'NUAGES_DUPLICATE_APP_LABEL');
      assert.match(err.message, /'dup_a' and 'dup_b' are both labelled 'shared'/);
      assert.match(err.message, /label = /);
      return true;
    });
    // The failed run left the registry retryable.
    assert.equal(apps.getAppConfigs().length, 0);
    await apps.populate(['dup_a'], { baseDir });
    assert.equal(apps.getAppConfig('shared').name, 'dup_a');
  });

  test('an unknown app names the folder and the package looked for', async () => {
    await assert.rejects(apps.populate(['no_such_app'], { baseDir }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'NUAGES_APP_NOT_FOUND');
      assert.match(err.message, /'no_such_app'/);
      assert.match(err.message, /no folder .*fixtures\/no_such_app/);
      assert.match(err.message, /no package 'no_such_app'/);
      return true;
    });
    await assert.rejects(apps.populate(['./missing'], { baseDir }), (err: Error) => {
      assert.doesNotMatch(err.message, /package/);
      return true;
    });
  });

  test('a package specifier resolves to the package folder', async () => {
    await apps.populate(['nuages/core/signals'], { baseDir });
    const config = apps.getAppConfig('signals');
    assert.equal(config.name, 'nuages/core/signals');
    assert.equal(config.path, join(import.meta.dirname, '..', '..', 'src', 'core'));
    assert.equal(apps.isInstalled('nuages/core/signals'), true);
  });

  test('a label that is not an identifier asks for one in apps.ts', async () => {
    await assert.rejects(apps.populate(['bad-label'], { baseDir }), /'bad-label'.*not a valid identifier.*label = 'bad_label'/s);
  });

  test('an apps.ts whose default export is not an AppConfig is refused', async () => {
    await assert.rejects(apps.populate(['bad_config'], { baseDir }), { code: 'NUAGES_INVALID_APP_CONFIG' });
  });

  test('an error in models.ts propagates', async () => {
    await assert.rejects(apps.populate(['failing'], { baseDir }), /models\.ts of failing exploded/);
    assert.equal(apps.ready, false);
  });

  test('isInstalled matches INSTALLED_APPS names with or without ./', async () => {
    await apps.populate(['./catalog'], { baseDir });
    assert.equal(apps.isInstalled('catalog'), true);
    assert.equal(apps.isInstalled('./catalog'), true);
    assert.equal(apps.isInstalled('orders'), false);
  });
});

describe('register and lookups', () => {
  test('register keys by label and lower-cased model name; getModel is case-insensitive', () => {
    const Book = model('Book');
    apps.register('library', Book);
    assert.equal(apps.getModel('library.Book'), Book);
    assert.equal(apps.getModel('library.BOOK'), Book);
    assert.equal(apps.getModel('library', 'book'), Book);
    assert.equal(apps.appLabelOf(Book), 'library');
    assert.equal(apps.appLabelOf(model('Other')), undefined);
  });

  test('registering the same class twice is a no-op; another class under the key is an error', () => {
    const Book = model('Book');
    apps.register('library', Book);
    apps.register('library', Book);
    assert.equal(apps.getModels('library').length, 1);
    assert.throws(() => apps.register('library', model('Book')), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'NUAGES_CONFLICTING_MODELS');
      assert.match(err.message, /Conflicting 'book' models in application 'library'/);
      return true;
    });
  });

  test('unknown app and unknown model errors list what exists', () => {
    apps.register('library', model('Book'));
    apps.register('library', model('Shelf'));
    assert.throws(() => apps.getModel('libary.Book'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'NUAGES_APP_LOOKUP');
      assert.match(err.message, /No installed app with label 'libary'\. Installed labels: library\./);
      return true;
    });
    assert.throws(() => apps.getModel('library.Boook'), /App 'library' doesn't have a 'Boook' model\. Its models are: Book, Shelf\./);
    assert.throws(() => apps.getModel('Book'), /not a model reference.*'app_label\.ModelName'/);
    assert.throws(() => apps.getModels('nope'), { code: 'NUAGES_APP_LOOKUP' });
  });

  test('getAppConfig before populate says the registry is not ready', () => {
    assert.throws(() => apps.getAppConfig('catalog'), { code: 'NUAGES_APP_REGISTRY_NOT_READY' });
    assert.equal(apps.findAppConfig('catalog'), undefined);
  });

  test('getAppConfig after populate lists labels for an unknown one', async () => {
    await apps.populate(['catalog'], { baseDir });
    assert.throws(() => apps.getAppConfig('shop'), /No installed app with label 'shop'\. Installed labels: catalog\./);
  });

  test('separate registries do not share models', () => {
    const other = new Apps();
    other.register('library', model('Book'));
    assert.throws(() => apps.getModel('library.Book'), { code: 'NUAGES_APP_LOOKUP' });
    assert.equal(other.getModels().length, 1);
  });
});

describe('lazyModel', () => {
  test('runs now when the model is registered', () => {
    const Book = model('Book');
    apps.register('library', Book);
    let got: unknown;
    apps.lazyModel('library.Book', (cls) => (got = cls));
    assert.equal(got, Book);
  });

  test('waits for registration, then runs every waiting callback once', () => {
    const calls: string[] = [];
    apps.lazyModel('library.Book', () => calls.push('first'));
    apps.lazyModel('library.book', () => calls.push('second'), { description: 'the field library.Loan.book' });
    assert.equal(apps.pendingReferences().length, 2);
    assert.equal(apps.pendingReferences()[1]!.description, 'the field library.Loan.book');
    apps.register('library', model('Book'));
    apps.register('library', model('Shelf'));
    assert.deepEqual(calls, ['first', 'second']);
    assert.deepEqual(apps.pendingReferences(), []);
  });

  test("a bare 'Model' reference uses fromApp", () => {
    let got: unknown;
    apps.lazyModel('Shelf', (cls) => (got = cls), { fromApp: 'library' });
    assert.deepEqual(apps.pendingReferences()[0], {
      ref: 'Shelf', appLabel: 'library', modelName: 'Shelf', fromApp: 'library', description: undefined,
    });
    const Shelf = model('Shelf');
    apps.register('library', Shelf);
    assert.equal(got, Shelf);
    assert.throws(() => apps.lazyModel('Shelf', () => {}), /pass \{ fromApp \}/);
    assert.throws(() => apps.lazyModel('a.b.c', () => {}), { code: 'NUAGES_MODEL_LOOKUP' });
  });

  test('circular references resolve whichever side registers first', () => {
    const Author = model('Author');
    const Book = model('Book');
    const links: string[] = [];
    // Author → Book and Book → Author, each declared before either exists.
    apps.lazyModel('library.Book', (cls) => links.push(`Author.favourite=${cls.name}`));
    apps.lazyModel('library.Author', (cls) => links.push(`Book.author=${cls.name}`));
    apps.register('library', Author);
    assert.deepEqual(links, ['Book.author=Author']);
    apps.register('library', Book);
    assert.deepEqual(links, ['Book.author=Author', 'Author.favourite=Book']);
    assert.deepEqual(apps.pendingReferences(), []);
  });

  test('a callback that registers another model resolves that model’s waiters', () => {
    const order: string[] = [];
    apps.lazyModel('library.Loan', () => order.push('loan ready'));
    apps.lazyModel('library.Book', () => {
      order.push('book ready');
      apps.register('library', model('Loan'));
    });
    apps.register('library', model('Book'));
    assert.deepEqual(order, ['book ready', 'loan ready']);
  });

  test('never-registered references stay listed for check', () => {
    apps.lazyModel('library.Ghost', () => {}, { description: 'the field library.Loan.ghost' });
    assert.deepEqual(apps.pendingReferences().map((p) => p.ref), ['library.Ghost']);
  });
});
