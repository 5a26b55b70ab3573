// Cache and template checks against Django 5.2 (django/checks_oracle.py): caches.E001, W002, W003
// and templates.W003 for the same CACHES and the same two apps' template tag modules.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apps, configure, resetSettings } from '../../../src/conf/index.ts';
import { runChecks, Tags } from '../../../src/core/checks/index.ts';
import { FileBasedCache } from '../../../src/cache/backends/filebased.ts';
import { actual, DJANGO, translateExpected } from './django-fixture.ts';

afterEach(() => {
  resetSettings();
  apps.clear();
});

const FILE_CACHE = 'django.core.cache.backends.filebased.FileBasedCache';

async function messages(tag: string, settings: Record<string, unknown>, deploy = false, withObj = true): Promise<string[]> {
  configure({ DEBUG: true, ...settings });
  return actual(await runChecks({ tags: [tag], includeDeploymentChecks: deploy }), { withObj });
}

describe('cache checks give what Django 5.2 gives for the same CACHES', () => {
  test("no 'default' cache: caches.E001", async () => {
    const found = await messages(Tags.caches, { CACHES: { other: { BACKEND: 'locmem' } } });
    assert.deepEqual(found, translateExpected(DJANGO.caches['no default cache']!));
  });

  test('a file cache on a relative path: caches.W003', async () => {
    const found = await messages(Tags.caches, { CACHES: { default: { BACKEND: FILE_CACHE, LOCATION: 'cache/files' } } });
    assert.deepEqual(found, translateExpected(DJANGO.caches['relative file cache location']!));
  });

  test('file caches in, around or at MEDIA_ROOT and STATIC_ROOT, for deployment: caches.W002', async () => {
    const root = join(tmpdir(), 'nuages-checks-oracle');
    const found = await messages(
      Tags.caches,
      {
        CACHES: {
          default: { BACKEND: 'filebased', LOCATION: join(root, 'media', 'cache') },
          static: { BACKEND: FILE_CACHE, LOCATION: join(root, 'static') },
          outer: { BACKEND: FileBasedCache, LOCATION: root },
        },
        MEDIA_ROOT: join(root, 'media'),
        STATIC_ROOT: join(root, 'static'),
      },
      true,
    );
    assert.deepEqual(found, translateExpected(DJANGO.caches['file caches inside MEDIA_ROOT and STATIC_ROOT']!));
  });

  test('a sibling folder whose name starts like MEDIA_ROOT is not inside it', async () => {
    const found = await messages(
      Tags.caches,
      { CACHES: { default: { BACKEND: 'filebased', LOCATION: '/srv/media-cache' } }, MEDIA_ROOT: '/srv/media' },
      true,
    );
    assert.deepEqual(found, []);
  });
});

describe('template checks', () => {
  const tagapps = join(import.meta.dirname, 'fixtures', 'tagapps');

  test("two apps' templatetags modules of one name: templates.W003, as Django reports it", async () => {
    configure({ DEBUG: true, BASE_DIR: tagapps, INSTALLED_APPS: ['alpha', 'beta'], TEMPLATES: [{ BACKEND: 'nuages/template', APP_DIRS: true }] });
    await apps.populate(['alpha', 'beta'], { baseDir: tagapps });
    const found = actual(await runChecks({ tags: [Tags.templates] }), { withObj: false });
    const expected = DJANGO.templates['same library name in two apps']!.map((m) => ({ ...m, obj: null }));
    assert.deepEqual(found, translateExpected(expected, [["'alpha.templatetags.shop_tags'", "'alpha/templatetags/shop_tags'"], ["'beta.templatetags.shop_tags'", "'beta/templatetags/shop_tags'"]]));
  });

  test('an OPTIONS library under a built-in name, and a stringIfInvalid that is not a string: W003, E002', async () => {
    configure({
      DEBUG: true,
      TEMPLATES: [{ BACKEND: 'nuages/template', OPTIONS: { libraries: { static: './my/static-tags.ts' }, stringIfInvalid: 0 } }],
    });
    const found = (await runChecks({ tags: [Tags.templates] })).map(String);
    assert.deepEqual(found, [
      "TEMPLATES[0]: (templates.E002) 'stringIfInvalid' in TEMPLATES OPTIONS must be a string but got: 0 (number).",
      "TEMPLATES[0]: (templates.W003) 'static' is used for multiple template tag modules: './my/static-tags.ts', 'nuages/template (built-in static)'",
    ]);
  });
});
