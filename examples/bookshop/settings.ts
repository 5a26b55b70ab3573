/** Settings of the reference project. Every value can come from the environment. */
import { fileURLToPath } from 'node:url';
import { defineSettings, env } from 'nuages/conf';
import { csp, debug, request } from 'nuages/template';
import { CSP } from 'nuages/utils/csp';
import { siteInfo } from './context-processors.ts';

declare module 'nuages/conf' {
  interface Settings {
    /** Shown in every page's header and title. */
    SITE_NAME: string;
  }
}

const BASE_DIR = fileURLToPath(new URL('.', import.meta.url));
// HTTPS=true in production, where the site is served over TLS (see `check --deploy`).
const HTTPS = env.bool('HTTPS', false);
const DEBUG = env.bool('DEBUG', true);
// Set, background tasks go to BullMQ on this Redis instead of the database.
const REDIS_URL = env.str('REDIS_URL', '');

export default defineSettings({
  BASE_DIR,
  DEBUG,
  SECRET_KEY: env.str('SECRET_KEY', 'bookshop-development-key-not-for-production'),
  ALLOWED_HOSTS: env.list('ALLOWED_HOSTS', ['127.0.0.1', 'localhost']),
  // Over HTTPS: plain HTTP is redirected, browsers are told to use HTTPS for a year (subdomains
  // included, preload-ready), and the session and CSRF cookies never travel over plain HTTP.
  // Off by default, since `npm start` serves http://127.0.0.1:8000. BEHIND_PROXY=true trusts
  // the proxy's X-Forwarded-Proto to tell HTTPS requests (the proxy must set it).
  SECURE_SSL_REDIRECT: HTTPS,
  SECURE_HSTS_SECONDS: HTTPS ? 365 * 24 * 60 * 60 : 0,
  SECURE_HSTS_INCLUDE_SUBDOMAINS: HTTPS,
  SECURE_HSTS_PRELOAD: HTTPS,
  SESSION_COOKIE_SECURE: HTTPS,
  CSRF_COOKIE_SECURE: HTTPS,
  SECURE_PROXY_SSL_HEADER: env.bool('BEHIND_PROXY', false) ? ['HTTP_X_FORWARDED_PROTO', 'https'] : null,
  // The shop's apps first: their templates (accounts/templates/registration/…) win over the
  // framework's defaults, as in Django, where the first app holding a template name serves it.
  INSTALLED_APPS: [
    'catalog',
    'accounts',
    'orders',
    'nuages/contrib/contenttypes',
    'nuages/contrib/auth',
    'nuages/contrib/sessions',
    'nuages/contrib/messages',
    // Background tasks: the order confirmation mail and the bestseller list (orders/tasks.ts).
    'nuages/tasks',
  ],
  // Background tasks, run by `manage.ts worker`: in a table of the shop's database by default
  // (durable, with no other service to run); REDIS_URL=redis://127.0.0.1:6379 puts them on
  // BullMQ, where the outbox ties a task enqueued in a transaction to its commit.
  // TASKS_BACKEND=immediate runs them inside enqueue() (scripts, tests).
  TASKS: {
    default: {
      BACKEND: env.str('TASKS_BACKEND', REDIS_URL ? 'bullmq' : 'database'),
      QUEUES: ['default', 'mail'],
      OPTIONS: REDIS_URL ? { URL: REDIS_URL, PREFIX: env.str('TASKS_PREFIX', 'bookshop') } : {},
    },
  },
  DATABASES: { default: env.db('DATABASE_URL', `sqlite:///${BASE_DIR}db.sqlite3`.replace('sqlite:////', 'sqlite:////')) },
  // Local memory by default; CACHE_URL=redis://127.0.0.1:6379/1 shares the cache between workers.
  CACHES: { default: env.cache('CACHE_URL', 'locmem://bookshop') },
  TIME_ZONE: env.str('TIME_ZONE', 'Europe/Paris'),
  USE_TZ: true,
  ROOT_URLCONF: 'urls',
  // Outermost first: the duration covers everything below it. Then Django's order: the session
  // before what reads it (auth, messages), auth before messages.
  MIDDLEWARE: [
    'nuages/middleware/security#SecurityMiddleware',
    // Sends SECURE_CSP below on every response, error pages included.
    'nuages/middleware/csp#ContentSecurityPolicyMiddleware',
    './middleware#requestDuration',
    // Before the session and the database: a refused guess costs neither.
    'nuages/ratelimit#RateLimitMiddleware',
    'nuages/middleware/gzip#GZipMiddleware',
    'nuages/middleware/conditional-get#ConditionalGetMiddleware',
    'nuages/contrib/sessions#SessionMiddleware',
    'nuages/middleware/common#CommonMiddleware',
    'nuages/middleware/csrf#CsrfViewMiddleware',
    'nuages/contrib/auth#AuthenticationMiddleware',
    'nuages/contrib/messages#MessageMiddleware',
    'nuages/middleware/clickjacking#XFrameOptionsMiddleware',
  ],
  // Password guessing and reset-mail flooding, per client address. The counters live where the
  // cache does: Redis (shared by every worker) when CACHE_URL says so, else this process's memory.
  RATELIMIT_RULES: [
    { path: '/accounts/login/', method: 'POST', key: 'ip', rate: env.str('LOGIN_RATE', '10/m') },
    { path: '/accounts/password-reset/', method: 'POST', key: 'ip', rate: env.str('PASSWORD_RESET_RATE', '5/m') },
  ],
  RATELIMIT_STORE: { CACHE: 'default' },
  // The addresses of the reverse proxies in front of the shop (e.g. TRUSTED_PROXIES=10.0.0.0/8):
  // only their X-Forwarded-For is believed when limits key on the client's address.
  TRUSTED_PROXIES: env.list('TRUSTED_PROXIES', []),
  // A strict Content Security Policy: scripts, styles and images only from the shop itself, an
  // inline <script> only with nonce="{{ csp_nonce }}", no plugins, no <base> rewriting, no
  // framing, and forms post only to the shop. An injected <script> or onclick= does not run.
  SECURE_CSP: {
    'default-src': [CSP.SELF],
    'script-src': [CSP.SELF, CSP.NONCE],
    'style-src': [CSP.SELF],
    'img-src': [CSP.SELF, 'data:'],
    'object-src': [CSP.NONE],
    'base-uri': [CSP.NONE],
    'frame-ancestors': [CSP.NONE],
    'form-action': [CSP.SELF],
    'report-uri': ['/csp-report/'],
  },
  // Sessions in the database by default (`manage.ts migrate` creates django_session);
  // SESSION_ENGINE=cache keeps them in CACHES['default'] (Redis when CACHE_URL says so).
  SESSION_ENGINE: env.str('SESSION_ENGINE', 'db'),
  LOGIN_URL: 'login',
  LOGIN_REDIRECT_URL: 'catalog:home',
  LOGOUT_REDIRECT_URL: 'catalog:home',
  // Django's four validators, as `startproject` writes them.
  AUTH_PASSWORD_VALIDATORS: [
    { NAME: 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator' },
    { NAME: 'django.contrib.auth.password_validation.MinimumLengthValidator' },
    { NAME: 'django.contrib.auth.password_validation.CommonPasswordValidator' },
    { NAME: 'django.contrib.auth.password_validation.NumericPasswordValidator' },
  ],
  // Password reset links are printed on the console; set EMAIL_BACKEND=smtp… in production.
  EMAIL_BACKEND: env.str('EMAIL_BACKEND', 'console'),
  DEFAULT_FROM_EMAIL: env.str('DEFAULT_FROM_EMAIL', 'shop@bookshop.example'),
  TEMPLATES: [
    {
      BACKEND: 'nuages/template',
      DIRS: [],
      APP_DIRS: true,
      OPTIONS: {
        contextProcessors: [debug, request, csp, 'nuages/contrib/auth#auth', 'nuages/contrib/messages#messagesProcessor', siteInfo],
      },
    },
  ],
  STATIC_URL: 'static/',
  // `manage.ts collectstatic` gathers the static files here (the Dockerfile's static stage).
  STATIC_ROOT: env.str('STATIC_ROOT', `${BASE_DIR}staticfiles`),
  // In production {% static %} names the content-hashed copies collectstatic writes
  // (catalog/site.55e7cbb9ba48.css, cached for a year by nginx or `serve --static`).
  STORAGES: { default: { BACKEND: 'filesystem' }, staticfiles: { BACKEND: DEBUG ? 'staticfiles' : 'manifest' } },
  // Uploads (book covers). The folder is created by the first upload and is git-ignored;
  // in DEBUG the URLconf serves it (staticPatterns), in production the web server does.
  MEDIA_ROOT: env.str('MEDIA_ROOT', `${BASE_DIR}media`),
  MEDIA_URL: '/media/',
  SITE_NAME: env.str('SITE_NAME', 'Nuages Bookshop'),
});
