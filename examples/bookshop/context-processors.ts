/** Values every bookshop page can use: the site name and the year. */
import { settings } from 'nuages/conf';

export function siteInfo(): Record<string, unknown> {
  return {
    siteName: settings.SITE_NAME,
    year: new Date().getFullYear(),
  };
}
