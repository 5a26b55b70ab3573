/**
 * EMAIL_BACKEND → a backend instance (Django's get_connection). The setting takes a short
 * name ('smtp', 'console', 'file', 'locmem', 'dummy'), Django's dotted name of one of
 * those, an EmailBackend subclass, or a module path ('./mail/backends#SesBackend', from
 * BASE_DIR), which is imported when the connection is first used.
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import { moduleTarget, parseImportString } from '../../utils/module-loading.ts';
import { ImproperlyConfigured } from '../errors.ts';
import { EmailBackend, type EmailBackendOptions } from './backends/base.ts';
import { ConsoleEmailBackend } from './backends/console.ts';
import { DummyEmailBackend } from './backends/dummy.ts';
import { FileEmailBackend } from './backends/file.ts';
import { LocmemEmailBackend } from './backends/locmem.ts';
import { SmtpEmailBackend } from './backends/smtp.ts';
import type { EmailMessage } from './message.ts';

/** A backend class, as EMAIL_BACKEND or `getConnection()` may name it. */
export type EmailBackendClass = new (options?: EmailBackendOptions & Record<string, unknown>) => EmailBackend;

const BUILT_IN: Readonly<Record<string, EmailBackendClass>> = {
  smtp: SmtpEmailBackend as EmailBackendClass,
  console: ConsoleEmailBackend as EmailBackendClass,
  file: FileEmailBackend as EmailBackendClass,
  locmem: LocmemEmailBackend,
  dummy: DummyEmailBackend,
};

// Django's names for the same backends, so a settings file ported from Django keeps working.
const DJANGO_NAMES: Readonly<Record<string, string>> = {
  'django.core.mail.backends.smtp.EmailBackend': 'smtp',
  'django.core.mail.backends.console.EmailBackend': 'console',
  'django.core.mail.backends.filebased.EmailBackend': 'file',
  'django.core.mail.backends.locmem.EmailBackend': 'locmem',
  'django.core.mail.backends.dummy.EmailBackend': 'dummy',
};

let routedToOutbox = false;

/**
 * Sends every connection made from EMAIL_BACKEND to the locmem outbox instead, whatever
 * the setting says (Django's test runner does the same); `useMailOutbox()` in
 * `nuages/test` turns it on for a test file. An explicit `getConnection('smtp')` is kept.
 */
export function routeMailToOutbox(on: boolean): void {
  routedToOutbox = on;
}

/**
 * The backend EMAIL_BACKEND names, or `backend`; `options` go to its constructor
 * (`failSilently`, and the backend's own: `{ host, port, username, password }` for SMTP,
 * `{ filePath }` for file, `{ stream }` for console).
 *
 * ```ts
 * const connection = getConnection('smtp', { host: 'mail.example.com', failSilently: true });
 * ```
 * @throws ImproperlyConfigured for a name that is no backend.
 */
export function getConnection(
  backend?: string | EmailBackendClass | null,
  options: EmailBackendOptions & Record<string, unknown> = {},
): EmailBackend {
  if (backend === undefined || backend === null) {
    if (routedToOutbox) return new LocmemEmailBackend(options);
    backend = settingOr<string | EmailBackendClass>('EMAIL_BACKEND', 'console');
  }
  if (typeof backend === 'function') return new backend(options);
  const Builtin = BUILT_IN[DJANGO_NAMES[backend] ?? backend];
  if (Builtin !== undefined) return new Builtin(options);
  if (backend.includes('/') || backend.includes('#')) return new ImportedEmailBackend(backend, options);
  throw new ImproperlyConfigured(
    `EMAIL_BACKEND '${backend}' is not a known email backend. Use one of: ${Object.keys(BUILT_IN).join(', ')}, ` +
      `a module path such as './mail/backends#MyBackend', or an EmailBackend subclass.`,
  );
}

/** A backend named by a module path: imported on first use, then every call forwarded to it. */
class ImportedEmailBackend extends EmailBackend {
  readonly spec: string;
  readonly #options: EmailBackendOptions & Record<string, unknown>;
  #target: Promise<EmailBackend> | undefined;

  constructor(spec: string, options: EmailBackendOptions & Record<string, unknown>) {
    super(options);
    this.spec = spec;
    this.#options = options;
  }

  /** The backend the module path names, constructed with the options. */
  target(): Promise<EmailBackend> {
    this.#target ??= this.#load();
    return this.#target;
  }

  async #load(): Promise<EmailBackend> {
    const { module, exportName } = parseImportString(this.spec);
    let exported: unknown;
    try {
      exported = ((await import(moduleTarget(module))) as Record<string, unknown>)[exportName];
    } catch (error) {
      throw new ImproperlyConfigured(`EMAIL_BACKEND '${this.spec}' could not be imported (${(error as Error).message}); write 'module#ExportName', a relative path being resolved from BASE_DIR.`, { cause: error });
    }
    if (typeof exported !== 'function' || !(exported.prototype instanceof EmailBackend)) {
      throw new ImproperlyConfigured(`EMAIL_BACKEND '${this.spec}' does not name an EmailBackend subclass; export a class that extends EmailBackend from 'nuages/core/mail'.`);
    }
    return new (exported as EmailBackendClass)(this.#options);
  }

  override async open(): Promise<boolean> {
    return (await this.target()).open();
  }

  override async close(): Promise<void> {
    if (this.#target !== undefined) await (await this.#target).close();
  }

  async sendMessages(messages: readonly EmailMessage[]): Promise<number> {
    return (await this.target()).sendMessages(messages);
  }
}
