// Settings in tests: useSettings() for a suite through node:test hooks (a process-wide
// layer under the async-scoped overrides), modifySettings() for list settings, and
// overrideSettings() keeping concurrent flows apart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings, resetSettings, settings } from '../../src/conf/index.ts';
import { popProcessSettings, pushProcessSettings, settingOr } from '../../src/conf/lazy-settings.ts';
import { settingChanged } from '../../src/core/signals.ts';
import { storages } from '../../src/core/files/storages.ts';
import type { FileSystemStorage } from '../../src/core/files/filesystem.ts';
import { modifySettings, TestToolMisuseError, useModifiedSettings, useSettings } from '../../src/test/index.ts';

const MIDDLEWARE = ['nuages/middleware/security#SecurityMiddleware', 'nuages/middleware/common#CommonMiddleware'];

before(() => {
  configure({ SECRET_KEY: 'test', DEBUG: false, ALLOWED_HOSTS: ['a.example'], MIDDLEWARE });
});
after(() => resetSettings());

const changes: Array<{ setting: string; value: unknown; enter: boolean }> = [];
settingChanged.connect(({ setting, value, enter }) => {
  if (setting === 'ALLOWED_HOSTS' || setting === 'DEBUG') changes.push({ setting, value, enter });
}, { dispatchUid: 'tests.test.settings.changes' });

describe('useSettings() in a suite', () => {
  useSettings({ DEBUG: true, ALLOWED_HOSTS: ['suite.example'] });

  test('the suite sees the values set by its before hook', () => {
    assert.equal(settings.DEBUG, true);
    assert.deepEqual(settings.ALLOWED_HOSTS, ['suite.example']);
    assert.equal(settings.isOverridden('DEBUG'), true);
    assert.equal(settingOr('DEBUG', false), true);
  });

  test('an overrideSettings() in a test wins over the suite layer, then the suite value is back', async () => {
    await overrideSettings({ DEBUG: false }, () => {
      assert.equal(settings.DEBUG, false);
      assert.deepEqual(settings.ALLOWED_HOSTS, ['suite.example']);
    });
    assert.equal(settings.DEBUG, true);
  });

  describe('a nested suite', () => {
    useSettings({ ALLOWED_HOSTS: ['nested.example'] });

    test('stacks its layer on the outer one', () => {
      assert.deepEqual(settings.ALLOWED_HOSTS, ['nested.example']);
      assert.equal(settings.DEBUG, true);
    });
  });

  test('the nested layer is gone after its suite', () => {
    assert.deepEqual(settings.ALLOWED_HOSTS, ['suite.example']);
  });
});

describe('after a useSettings() suite', () => {
  test('the installed values are back', () => {
    assert.equal(settings.DEBUG, false);
    assert.deepEqual(settings.ALLOWED_HOSTS, ['a.example']);
    assert.equal(settings.isOverridden('DEBUG'), false);
  });

  test('settingChanged was sent on entry and on exit, with the values then in force', () => {
    assert.deepEqual(changes.slice(0, 2), [
      { setting: 'DEBUG', value: true, enter: true },
      { setting: 'ALLOWED_HOSTS', value: ['suite.example'], enter: true },
    ]);
    assert.deepEqual(changes.slice(-2), [
      { setting: 'DEBUG', value: false, enter: false },
      { setting: 'ALLOWED_HOSTS', value: ['a.example'], enter: false },
    ]);
  });
});

describe('process-wide layers', () => {
  test('popping a layer out of order keeps the ones above it', async () => {
    const lower = await pushProcessSettings({ DEBUG: true, ALLOWED_HOSTS: ['lower.example'] });
    const upper = await pushProcessSettings({ ALLOWED_HOSTS: ['upper.example'] });
    await popProcessSettings(lower);
    assert.equal(settings.DEBUG, false);
    assert.deepEqual(settings.ALLOWED_HOSTS, ['upper.example']);
    await popProcessSettings(upper);
    await popProcessSettings(upper);
    assert.deepEqual(settings.ALLOWED_HOSTS, ['a.example']);
  });

  test('a layer is seen from every async context, unlike overrideSettings()', async () => {
    let seenElsewhere: unknown;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const elsewhere = gate.then(() => (seenElsewhere = settings.DEBUG));
    await overrideSettings({ DEBUG: true }, async () => {
      release();
      await elsewhere;
    });
    assert.equal(seenElsewhere, false);
    const layer = await pushProcessSettings({ DEBUG: true });
    const fromTimer = await new Promise((resolve) => setTimeout(() => resolve(settings.DEBUG), 0));
    await popProcessSettings(layer);
    assert.equal(fromTimer, true);
  });
});

describe('overrideSettings() with concurrent flows', () => {
  test('each flow sees its own values across awaits', async () => {
    const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
    const flow = (hosts: string[]) =>
      overrideSettings({ ALLOWED_HOSTS: hosts }, async () => {
        const seen: unknown[] = [];
        for (let i = 0; i < 3; i++) {
          await tick();
          seen.push(settings.ALLOWED_HOSTS);
        }
        return seen;
      });
    const [one, two] = await Promise.all([flow(['one.example']), flow(['two.example'])]);
    assert.deepEqual(one, [['one.example'], ['one.example'], ['one.example']]);
    assert.deepEqual(two, [['two.example'], ['two.example'], ['two.example']]);
  });
});

describe('modifySettings()', () => {
  test('appends, prepends and removes list items, skipping ones already present', async () => {
    const csrf = 'nuages/middleware/csrf#CsrfViewMiddleware';
    await modifySettings({ MIDDLEWARE: { append: [csrf, MIDDLEWARE[0]], prepend: 'first#First', remove: MIDDLEWARE[1] } }, () => {
      assert.deepEqual(settings.MIDDLEWARE, ['first#First', MIDDLEWARE[0], csrf]);
    });
    assert.deepEqual(settings.MIDDLEWARE, MIDDLEWARE);
  });

  test('edits stack on an enclosing override', async () => {
    await overrideSettings({ ALLOWED_HOSTS: ['x.example'] }, () =>
      modifySettings({ ALLOWED_HOSTS: { append: 'y.example' } }, () => {
        assert.deepEqual(settings.ALLOWED_HOSTS, ['x.example', 'y.example']);
      }),
    );
  });

  test('refuses a setting that is not a list, and an unknown edit', async () => {
    await assert.rejects(modifySettings({ DEBUG: { append: true } }, () => undefined), TestToolMisuseError);
    await assert.rejects(modifySettings({ MIDDLEWARE: { insert: 'x' } as never }, () => undefined), {
      code: 'NUAGES_TEST_MISUSE',
      message: "modifySettings() got 'insert' for MIDDLEWARE; the edits are append, prepend and remove.",
    });
  });

  describe('useModifiedSettings() in a suite', () => {
    useModifiedSettings({ MIDDLEWARE: { remove: MIDDLEWARE[0] } });

    test('the suite sees the edited list', () => {
      assert.deepEqual(settings.MIDDLEWARE, [MIDDLEWARE[1]]);
    });
  });

  test('and the list is whole again after it', () => {
    assert.deepEqual(settings.MIDDLEWARE, MIDDLEWARE);
  });
});

describe('what is built from settings follows an override', () => {
  const staticStorage = () => storages('staticfiles') as FileSystemStorage;

  test('the staticfiles storage, for STATIC_URL and STATIC_ROOT, in each flow', async () => {
    const [inside, outside] = await Promise.all([
      overrideSettings({ STATIC_URL: '/assets/', STATIC_ROOT: '/srv/assets' }, () => [staticStorage().baseUrl, staticStorage().location]),
      overrideSettings({ STATIC_URL: '/other/' }, () => staticStorage().baseUrl),
    ]);
    assert.deepEqual(inside, ['/assets/', '/srv/assets']);
    assert.equal(outside, '/other/');
  });

  test('a suite layer too', async () => {
    const layer = await pushProcessSettings({ STATIC_URL: '/suite/' });
    try {
      assert.equal(staticStorage().baseUrl, '/suite/');
    } finally {
      await popProcessSettings(layer);
    }
    assert.notEqual(staticStorage().baseUrl, '/suite/');
  });
});
