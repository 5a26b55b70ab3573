/** Settings of the reference project. Every value can come from the environment. */
import { fileURLToPath } from 'node:url';
import { defineSettings, env } from 'nuages/conf';
import { debug, request } from 'nuages/template';
import { siteInfo } from './context-processors.ts';

declare module 'nuages/conf' {
  interface Settings {
    /** Shown in every page's header and title. */
    SITE_NAME: string;
  }
}

const BASE_DIR = fileURLToPath(new URL('.', import.meta.url));

export default defineSettings({
  BASE_DIR,
  DEBUG: env.bool('DEBUG', true),
  SECRET_KEY: env.str('SECRET_KEY', 'bookshop-development-key-not-for-production'),
  ALLOWED_HOSTS: env.list('ALLOWED_HOSTS', ['127.0.0.1', 'localhost']),
  INSTALLED_APPS: ['catalog'],
  DATABASES: { default: env.db('DATABASE_URL', `sqlite:///${BASE_DIR}db.sqlite3`.replace('sqlite:////', 'sqlite:////')) },
  // Local memory by default; CACHE_URL=redis://127.0.0.1:6379/1 shares the cache between workers.
  CACHES: { default: env.cache('CACHE_URL', 'locmem://bookshop') },
  TIME_ZONE: env.str('TIME_ZONE', 'Europe/Paris'),
  USE_TZ: true,
  ROOT_URLCONF: 'urls',
  // Outermost first: the duration covers everything below it.
  MIDDLEWARE: [
    './middleware#requestDuration',
    'nuages/middleware/gzip#GZipMiddleware',
    'nuages/middleware/conditional-get#ConditionalGetMiddleware',
    'nuages/middleware/common#CommonMiddleware',
  ],
  TEMPLATES: [
    {
      BACKEND: 'nuages/template',
      DIRS: [],
      APP_DIRS: true,
      OPTIONS: { contextProcessors: [debug, request, siteInfo] },
    },
  ],
  STATIC_URL: 'static/',
  // Uploads (book covers). The folder is created by the first upload and is git-ignored;
  // in DEBUG the URLconf serves it (staticPatterns), in production the web server does.
  MEDIA_ROOT: env.str('MEDIA_ROOT', `${BASE_DIR}media`),
  MEDIA_URL: '/media/',
  SITE_NAME: env.str('SITE_NAME', 'Nuages Bookshop'),
});
