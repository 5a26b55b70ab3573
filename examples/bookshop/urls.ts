/** The bookshop's root URLconf (settings.ROOT_URLCONF). */
import { settings } from 'nuages/conf';
import { include, path } from 'nuages/urls';
import { cspReport, staticPatterns } from 'nuages/views';
import * as accounts from './accounts/urls.ts';
import * as catalog from './catalog/urls.ts';
import * as orders from './orders/urls.ts';

export const urlpatterns = [
  path('', include(catalog)),
  // Django's auth URL names, unnamespaced: the framework's views reverse them as they are.
  path('', include(accounts)),
  path('', include(orders)),
  // Browsers post what the Content Security Policy blocked here (SECURE_CSP's report-uri); logged.
  path('csp-report/', cspReport, { name: 'csp-report' }),
  // Uploaded covers under /media/ while DEBUG is on; nothing otherwise.
  ...staticPatterns(settings.MEDIA_URL, { documentRoot: settings.MEDIA_ROOT }),
];
