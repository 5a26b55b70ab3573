/** Values every bookshop page can use: the site name, the year, where static files live. */
import { settings } from 'nuages/conf';

export function siteInfo(): Record<string, unknown> {
  return {
    siteName: settings.SITE_NAME,
    year: new Date().getFullYear(),
    // STATIC_URL may be relative ('static/'), as in Django; pages need it from the root.
    staticUrl: `/${(settings.STATIC_URL ?? 'static/').replace(/^\/+/, '')}`,
  };
}
