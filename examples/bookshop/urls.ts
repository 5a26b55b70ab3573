/** The bookshop's root URLconf (settings.ROOT_URLCONF). */
import { settings } from 'nuages/conf';
import { include, path } from 'nuages/urls';
import { staticPatterns } from 'nuages/views';
import * as catalog from './catalog/urls.ts';

export const urlpatterns = [
  path('', include(catalog)),
  // Uploaded covers under /media/ while DEBUG is on; nothing otherwise.
  ...staticPatterns(settings.MEDIA_URL, { documentRoot: settings.MEDIA_ROOT }),
];
