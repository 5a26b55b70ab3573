import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  apps,
  configure,
  defineSettings,
  ImproperlyConfigured,
  overrideSettings,
  resetSettings,
  settings,
  setup,
} from '../../src/conf/index.ts';
import { settingChanged } from '../../src/core/signals.ts';

const fixtures = join(import.meta.dirname, 'fixtures');

afterEach(() => {
  resetSettings();
  apps.clear();
  delete process.env['NUAGES_SETTINGS_MODULE'];
});

describe('defineSettings', () => {
  test('merges Django defaults under the given values', () => {
    const s = defineSettings({ DEBUG: true, INSTALLED_APPS: ['catalog'] });
    assert.equal(s.DEBUG, true);
    assert.deepEqual(s.INSTALLED_APPS, ['catalog']);
    assert.equal(s.TIME_ZONE, 'UTC');
    assert.equal(s.USE_TZ, true);
    assert.equal(s.DEFAULT_AUTO_FIELD, 'BigAutoField');
    assert.equal(s.LANGUAGE_CODE, 'en-us');
    assert.deepEqual(s.DATABASES, {});
    assert.deepEqual(s.CACHES, { default: { BACKEND: 'locmem' } });
  });

  test('keeps project settings in UPPER_CASE', () => {
    const s = defineSettings({ SHOP_CURRENCY: 'EUR', MAX_2FA_TRIES: 3 });
    assert.equal(s['SHOP_CURRENCY'], 'EUR');
    assert.equal(s['MAX_2FA_TRIES'], 3);
  });

  test('rejects a lower-case key, naming it and the fix', () => {
    assert.throws(
      // @ts-expect-error lower-case names are not settings
      () => defineSettings({ debug: true }),
      (err: Error & { code?: string }) => {
        assert.ok(err instanceof ImproperlyConfigured);
        assert.equal(err.code, 'NUAGES_INVALID_SETTING');
        assert.match(err.message, /'debug'/);
        assert.match(err.message, /'DEBUG'/);
        return true;
      },
    );
  });

  test('rejects a mixed-case key as Django would ignore it', () => {
    // @ts-expect-error mixed-case names are not settings
    assert.throws(() => defineSettings({ Debug: true }), /must be UPPER_CASE/);
  });

  test('a value of the wrong type is a type error', () => {
    // @ts-expect-error DEBUG is a boolean
    const s = defineSettings({ DEBUG: 'yes' });
    assert.throws(() => configure(s), /DEBUG must be a boolean, got "yes"/);
  });

  test('undefined keeps the default', () => {
    assert.equal(defineSettings({ TIME_ZONE: undefined }).TIME_ZONE, 'UTC');
  });
});

describe('settings before configuration', () => {
  test('reading a setting throws, naming NUAGES_SETTINGS_MODULE and configure()', () => {
    assert.throws(
      () => settings.DEBUG,
      (err: Error & { code?: string }) => {
        assert.ok(err instanceof ImproperlyConfigured);
        assert.equal(err.code, 'NUAGES_SETTINGS_NOT_CONFIGURED');
        assert.match(err.message, /Requested setting DEBUG/);
        assert.match(err.message, /NUAGES_SETTINGS_MODULE/);
        assert.match(err.message, /configure\(/);
        return true;
      },
    );
    assert.equal(settings.configured, false);
  });

  test('setup() without a module or configure() explains the three ways out', async () => {
    await assert.rejects(setup(), /NUAGES_SETTINGS_MODULE.*settingsModule.*configure/s);
  });
});

describe('configure', () => {
  test('installs settings that read back with defaults', () => {
    configure({ DEBUG: true, ALLOWED_HOSTS: ['example.com'] });
    assert.equal(settings.configured, true);
    assert.equal(settings.DEBUG, true);
    assert.deepEqual(settings.ALLOWED_HOSTS, ['example.com']);
    assert.equal(settings.USE_TZ, true);
  });

  test('an unknown setting reads as undefined', () => {
    configure({ DEBUG: true });
    assert.equal((settings as unknown as Record<string, unknown>)['NOT_SET_ANYWHERE'], undefined);
    assert.equal('NOT_SET_ANYWHERE' in settings, false);
    assert.equal('DEBUG' in settings, true);
  });

  test('a second configure() is refused', () => {
    configure({ DEBUG: true });
    assert.throws(() => configure({ DEBUG: true }), { code: 'NUAGES_SETTINGS_ALREADY_CONFIGURED' });
  });

  test('assigning a setting is refused with the way to override', () => {
    configure({ DEBUG: true });
    assert.throws(() => {
      (settings as unknown as Record<string, unknown>)['DEBUG'] = false;
    }, /overrideSettings/);
  });

  test('an empty SECRET_KEY with DEBUG off names SECRET_KEY', () => {
    assert.throws(() => configure({}), (err: Error & { code?: string; setting?: string }) => {
      assert.equal(err.code, 'NUAGES_INVALID_SETTING');
      assert.equal(err.setting, 'SECRET_KEY');
      assert.match(err.message, /SECRET_KEY setting must not be empty when DEBUG is false/);
      return true;
    });
    assert.equal(settings.configured, false);
  });

  test('DATABASES without a default database is refused', () => {
    assert.throws(
      () => configure({ DEBUG: true, DATABASES: { replica: { ENGINE: 'sqlite', NAME: 'r.db' } } }),
      /DATABASES defines 'replica' but no 'default' database/,
    );
  });

  test('an unknown ENGINE lists the backends', () => {
    assert.throws(
      // @ts-expect-error ENGINE is 'sqlite' | 'postgres'
      () => configure({ DEBUG: true, DATABASES: { default: { ENGINE: 'mysql', NAME: 'x' } } }),
      /DATABASES\.default\.ENGINE is "mysql".*'sqlite', 'postgres'/,
    );
  });

  test('a database without NAME is refused', () => {
    assert.throws(
      // @ts-expect-error NAME is required
      () => configure({ DEBUG: true, DATABASES: { default: { ENGINE: 'sqlite' } } }),
      /DATABASES\.default\.NAME must be a non-empty string/,
    );
  });

  test('an empty DATABASES is allowed, as in Django', () => {
    configure({ DEBUG: true, DATABASES: {} });
    assert.deepEqual(settings.DATABASES, {});
  });

  test('an unknown TIME_ZONE is refused', () => {
    assert.throws(() => configure({ DEBUG: true, TIME_ZONE: 'Mars/Olympus' }), /'Mars\/Olympus'.*IANA/);
  });

  test('INSTALLED_APPS must be strings, without duplicates', () => {
    // @ts-expect-error entries are strings
    assert.throws(() => configure({ DEBUG: true, INSTALLED_APPS: [42] }), /INSTALLED_APPS must be an array of strings/);
    assert.throws(
      () => configure({ DEBUG: true, INSTALLED_APPS: ['catalog', './catalog'] }),
      /lists '\.\/catalog' more than once/,
    );
  });
});

describe('overrideSettings', () => {
  test('replaces settings inside the callback and restores them after', async () => {
    configure({ DEBUG: false, SECRET_KEY: 'k' });
    const inside = await overrideSettings({ DEBUG: true, EXTRA_FLAG: 1 }, () => {
      assert.equal(settings.isOverridden('DEBUG'), true);
      return [settings.DEBUG, (settings as unknown as Record<string, unknown>)['EXTRA_FLAG']];
    });
    assert.deepEqual(inside, [true, 1]);
    assert.equal(settings.DEBUG, false);
    assert.equal(settings.isOverridden('DEBUG'), false);
  });

  test('restores after the callback throws', async () => {
    configure({ DEBUG: false, SECRET_KEY: 'k' });
    await assert.rejects(
      overrideSettings({ DEBUG: true }, async () => {
        throw new Error('inside');
      }),
      /inside/,
    );
    assert.equal(settings.DEBUG, false);
  });

  test('nests, the inner layer over the outer', async () => {
    configure({ DEBUG: false, SECRET_KEY: 'k', TIME_ZONE: 'UTC' });
    await overrideSettings({ DEBUG: true }, async () => {
      await overrideSettings({ TIME_ZONE: 'Europe/Paris' }, () => {
        assert.equal(settings.DEBUG, true);
        assert.equal(settings.TIME_ZONE, 'Europe/Paris');
      });
      assert.equal(settings.TIME_ZONE, 'UTC');
    });
  });

  test('concurrent overrides do not see each other', async () => {
    configure({ DEBUG: false, SECRET_KEY: 'k', LANGUAGE_CODE: 'en-us' });
    const seen: string[] = [];
    const tick = () => new Promise((resolve) => setTimeout(resolve, 2));
    await Promise.all(
      ['fr', 'de'].map((code) =>
        overrideSettings({ LANGUAGE_CODE: code }, async () => {
          await tick();
          seen.push(`${code}:${settings.LANGUAGE_CODE}`);
          await tick();
          seen.push(`${code}:${settings.LANGUAGE_CODE}`);
        }),
      ),
    );
    assert.deepEqual(seen.sort(), ['de:de', 'de:de', 'fr:fr', 'fr:fr']);
    assert.equal(settings.LANGUAGE_CODE, 'en-us');
  });

  test('sends settingChanged on entry and on exit with the value then in force', async () => {
    configure({ DEBUG: false, SECRET_KEY: 'k' });
    const events: string[] = [];
    const receiver = ({ setting, value, enter }: { setting: string; value: unknown; enter: boolean }) => {
      events.push(`${setting}=${String(value)} enter=${enter} now=${String(settings.DEBUG)}`);
    };
    settingChanged.connect(receiver);
    try {
      await overrideSettings({ DEBUG: true }, () => events.push('body'));
    } finally {
      settingChanged.disconnect(receiver);
    }
    assert.deepEqual(events, ['DEBUG=true enter=true now=true', 'body', 'DEBUG=false enter=false now=false']);
  });

  test('rejects lower-case names and needs configured settings', async () => {
    await assert.rejects(overrideSettings({ DEBUG: true }, () => {}), { code: 'NUAGES_SETTINGS_NOT_CONFIGURED' });
    configure({ DEBUG: true });
    // @ts-expect-error lower-case names are not settings
    await assert.rejects(overrideSettings({ debug: false }, () => {}), /must be UPPER_CASE/);
  });
});

describe('setup', () => {
  test('loads NUAGES_SETTINGS_MODULE, defaults BASE_DIR to its folder and populates apps', async () => {
    process.env['NUAGES_SETTINGS_MODULE'] = join(fixtures, 'settings_default.ts');
    await setup();
    assert.equal(settings.DEBUG, true);
    assert.equal(settings.BASE_DIR, fixtures);
    assert.equal((settings as unknown as Record<string, unknown>)['SHOP_CURRENCY'], 'EUR');
    assert.equal(apps.ready, true);
    assert.deepEqual(apps.getAppConfigs().map((c) => c.label), ['catalog', 'orders']);
  });

  test('accepts a file URL and named exports, ignoring lower-case ones', async () => {
    await setup({ settingsModule: pathToFileURL(join(fixtures, 'settings_named.ts')).href });
    assert.equal(settings.SECRET_KEY, 'named-exports-secret');
    assert.equal((settings as unknown as Record<string, unknown>)['helper'], undefined);
    assert.equal(apps.ready, true);
  });

  test('a path without extension finds the .ts file', async () => {
    await setup({ settingsModule: join(fixtures, 'settings_named') });
    assert.equal(settings.SECRET_KEY, 'named-exports-secret');
  });

  test('a missing module names the places looked at', async () => {
    await assert.rejects(setup({ settingsModule: join(fixtures, 'nope.ts') }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'NUAGES_SETTINGS_MODULE');
      assert.match(err.message, /nope\.ts/);
      return true;
    });
  });

  test('a module that throws on import is reported with its path and cause', async () => {
    await assert.rejects(setup({ settingsModule: join(fixtures, 'settings_broken.ts') }), (err: Error) => {
      assert.match(err.message, /settings_broken\.ts.*settings exploded on import/);
      assert.ok(err.cause instanceof Error);
      return true;
    });
  });

  test('configure() first takes precedence over the environment', async () => {
    process.env['NUAGES_SETTINGS_MODULE'] = join(fixtures, 'nope.ts');
    configure({ DEBUG: true });
    await setup();
    assert.equal(apps.ready, true);
  });
});
