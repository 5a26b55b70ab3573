/**
 * Static files checks, tag `staticfiles`, with Django 5.2's ids:
 * STATICFILES_DIRS is a list (E001), does not contain STATIC_ROOT (E002),
 * prefixes do not end in '/' (E003), its folders exist (W004). For deployment
 * (`check --deploy`): with the manifest storage and DEBUG off, staticfiles.json
 * is under STATIC_ROOT (staticfiles.W005), and every `{% static 'name' %}` of
 * the project's templates names a file the finders have (staticfiles.E006);
 * both are Nuages ids: in production such a page would fail, not just miss a file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { apps } from '../../conf/apps.ts';
import { settingOr } from '../../conf/lazy-settings.ts';
import type { TemplateSettings } from '../../conf/settings.ts';
import { CheckError, CheckWarning, type CheckMessage } from '../../core/checks/messages.ts';
import { registerCheck, Tags } from '../../core/checks/registry.ts';
import { staticStorageConfig } from './collect.ts';
import { filesUnder, findAll } from './finders.ts';
import { MANIFEST_NAME } from './storage.ts';

/** staticfiles.E001–E003 and W004: the shape of STATICFILES_DIRS. */
export function checkStaticfilesDirs(): CheckMessage[] {
  const dirs = settingOr<unknown>('STATICFILES_DIRS', []);
  if (!Array.isArray(dirs)) {
    return [new CheckError('The STATICFILES_DIRS setting is not a tuple or list.', { id: 'staticfiles.E001', hint: "Write it as a list: STATICFILES_DIRS: ['assets']." })];
  }
  const base = settingOr<string>('BASE_DIR', process.cwd());
  const root = settingOr<string | null>('STATIC_ROOT', null);
  const messages: CheckMessage[] = [];
  for (const entry of dirs as unknown[]) {
    const [prefix, path] = Array.isArray(entry) ? [String(entry[0]), String(entry[1])] : [undefined, String(entry)];
    if (prefix !== undefined && prefix.endsWith('/')) {
      messages.push(new CheckError(`The prefix '${prefix}' in the STATICFILES_DIRS setting must not end with a slash.`, { id: 'staticfiles.E003' }));
    }
    if (root && resolve(base, root) === resolve(base, path)) {
      messages.push(new CheckError('The STATICFILES_DIRS setting should not contain the STATIC_ROOT setting.', { id: 'staticfiles.E002', hint: 'collectstatic copies STATICFILES_DIRS into STATIC_ROOT; give STATIC_ROOT its own folder.' }));
    } else if (!existsSync(resolve(base, path))) {
      messages.push(new CheckWarning(`The directory '${resolve(base, path)}' in the STATICFILES_DIRS setting does not exist.`, { id: 'staticfiles.W004' }));
    }
  }
  return messages;
}

/** staticfiles.W005 (deploy): the manifest storage without a manifest would fail every {% static %}. */
export function checkManifestCollected(): CheckMessage[] {
  if (settingOr<boolean>('DEBUG', false)) return [];
  const config = staticStorageConfig();
  if (!config.manifest) return [];
  if (config.root !== null && existsSync(join(config.root, MANIFEST_NAME))) return [];
  return [
    new CheckWarning(`The staticfiles manifest '${join(config.root ?? 'STATIC_ROOT', MANIFEST_NAME)}' does not exist; every {% static %} will fail.`, {
      id: 'staticfiles.W005',
      hint: "Run 'manage.ts collectstatic' before starting the server (STATIC_ROOT must be set).",
    }),
  ];
}

// {% static 'css/site.css' %} or "…", optionally `as name`; a variable argument cannot be checked.
const STATIC_TAG = /\{%\s*static\s+(['"])([^'"]+)\1/g;

/** The folders the project's templates come from: each engine's DIRS, and the apps' templates/ with APP_DIRS. */
function templateFolders(): string[] {
  const base = settingOr<string>('BASE_DIR', process.cwd());
  const folders = new Set<string>();
  for (const entry of settingOr<TemplateSettings[]>('TEMPLATES', [])) {
    for (const dir of entry.DIRS ?? []) folders.add(resolve(base, dir));
    if (entry.APP_DIRS) for (const config of apps.getAppConfigs()) folders.add(join(config.path, 'templates'));
  }
  return [...folders];
}

/** staticfiles.E006 (deploy): a template names a static file no finder has; collectstatic would not collect it. */
export function checkTemplateStaticReferences(): CheckMessage[] {
  const known = new Set(findAll().map((file) => file.name));
  const messages: CheckMessage[] = [];
  for (const folder of templateFolders()) {
    for (const file of filesUnder(folder)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(STATIC_TAG)) {
        const name = match[2]!.replace(/[?#].*$/, '');
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name) || name.startsWith('/') || known.has(name)) continue;
        const line = text.slice(0, match.index).split('\n').length;
        messages.push(
          new CheckError(`The template '${relative(folder, file)}' (line ${line}) names the static file '${name}', which no static folder has.`, {
            id: 'staticfiles.E006',
            hint: "Add it to an app's static/ folder or STATICFILES_DIRS, or correct the name; in production the page would fail.",
          }),
        );
      }
    }
  }
  return messages;
}

registerCheck(checkStaticfilesDirs, { tags: [Tags.staticfiles] });
registerCheck(checkTemplateStaticReferences, { tags: [Tags.staticfiles], deploy: true });
registerCheck(checkManifestCollected, { tags: [Tags.staticfiles], deploy: true });
