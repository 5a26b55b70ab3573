/**
 * `{% load static %}`: `{% static 'css/site.css' %}` (STATIC_URL joined with the
 * path, URL-quoted as Django does), `{% static 'x.png' as logo %}`,
 * `{% get_static_prefix %}` and `{% get_media_prefix %}`.
 *
 * A staticfiles storage with hashed names (ManifestStaticFilesStorage) can take
 * over the URL later through `setStaticUrlResolver()`.
 */
import { settings } from '../../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../../core/errors.ts';
import { Library } from '../library.ts';
import { quote } from '../text/html.ts';

let resolveStaticUrl: (path: string) => string = (path) => joinPrefix(prefix('STATIC_URL'), quote(path));

/** Lets a static files storage decide the URL of a static file (hashed names, a CDN). */
export function setStaticUrlResolver(resolver: (path: string) => string): void {
  resolveStaticUrl = resolver;
}

function prefix(name: 'STATIC_URL' | 'MEDIA_URL'): string {
  const value = settings.configured ? (settings as unknown as Record<string, unknown>)[name] : undefined;
  if (value === null || value === undefined) {
    if (name === 'STATIC_URL') {
      throw new ImproperlyConfigured("{% static %} needs the STATIC_URL setting, e.g. STATIC_URL: '/static/'.");
    }
    return '';
  }
  return String(value);
}

/** urljoin of a prefix ending in '/' with a relative path, as Django's static tag and storage.url() do. */
export function joinPrefix(base: string, path: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path) || path.startsWith('/')) return path;
  return base.endsWith('/') || base === '' ? `${base}${path}` : `${base.slice(0, base.lastIndexOf('/') + 1)}${path}`;
}

/** The URL of a static file, for code outside templates (Django's `static()`). */
export function staticUrl(path: string): string {
  return resolveStaticUrl(path);
}

export const staticLibrary = new Library()
  .simpleTag('static', (path: unknown) => staticUrl(String(path)))
  .simpleTag('get_static_prefix', () => prefix('STATIC_URL'))
  .simpleTag('get_media_prefix', () => prefix('MEDIA_URL'));
