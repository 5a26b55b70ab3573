// URL checks against Django 5.2: the URLconfs of django/checks_oracle.py, written with
// path()/rePath()/include() in fixtures/urls/, give the same IDs and messages.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { configure, resetSettings } from '../../../src/conf/index.ts';
import { runChecks, Tags } from '../../../src/core/checks/index.ts';
import { clearUrlCaches } from '../../../src/urls/index.ts';
import { actual, DJANGO, translateExpected } from './django-fixture.ts';

const URLS = join(import.meta.dirname, 'fixtures', 'urls');
const URLCONFS: Record<string, string> = {
  'route problems': 'routes.ts',
  'entries that are not patterns': 'entries.ts',
  'namespace used twice': 'namespaces.ts',
};

afterEach(() => {
  resetSettings();
  clearUrlCaches();
});

async function urlMessages(settings: Record<string, unknown>): Promise<string[]> {
  configure({ DEBUG: true, BASE_DIR: URLS, ...settings });
  return actual(await runChecks({ tags: [Tags.urls] }));
}

describe('URL checks give what Django 5.2 gives for the same URLconf', () => {
  test('route problems: urls.W002 (also inside an include), W003, W010, 2_0.W001', async () => {
    assert.deepEqual(await urlMessages({ ROOT_URLCONF: URLCONFS['route problems'] }), translateExpected(DJANGO.urls['route problems']!));
  });

  test('without APPEND_SLASH a leading slash is allowed, and the include ending in $ is urls.W001', async () => {
    const found = await urlMessages({ ROOT_URLCONF: URLCONFS['route problems'], APPEND_SLASH: false });
    assert.deepEqual(found, translateExpected(DJANGO.urls['route problems without APPEND_SLASH']!));
  });

  test('a namespace used twice: urls.W005', async () => {
    assert.deepEqual(await urlMessages({ ROOT_URLCONF: URLCONFS['namespace used twice'] }), translateExpected(DJANGO.urls['namespace used twice']!));
  });

  test('STATIC_URL and MEDIA_URL without a trailing slash: urls.E006', async () => {
    const found = await urlMessages({ STATIC_URL: 'static', MEDIA_URL: 'media' });
    assert.deepEqual(found, translateExpected(DJANGO.urls['STATIC_URL and MEDIA_URL without a slash']!));
  });

  test('an entry that is not a pattern: urls.E004, with Django’s hint for a string and Nuages’s for an array', async () => {
    const found = await urlMessages({ ROOT_URLCONF: URLCONFS['entries that are not patterns'] });
    const array = JSON.stringify([
      'urls.E004',
      'ERROR',
      null,
      "Your URL pattern ['tuple/', the function view] is invalid. Ensure that urlpatterns is a list of path() and/or rePath() instances.",
      'Try using path() instead of an array.',
    ]);
    assert.deepEqual(found, [...translateExpected(DJANGO.urls['entries that are not patterns']!), array].sort());
  });

  test('no ROOT_URLCONF, no URL messages', async () => {
    assert.deepEqual(await urlMessages({}), []);
  });
});
