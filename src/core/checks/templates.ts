/**
 * Template checks (Django 5.2's DjangoTemplates.check()), tag `templates`, per
 * TEMPLATES entry: OPTIONS.stringIfInvalid must be a string (templates.E002),
 * and one `{% load %}` name must not come from two modules (templates.W003) —
 * the later app's library would silently replace the earlier one's.
 */
import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { apps } from '../../conf/apps.ts';
import { settingOr } from '../../conf/lazy-settings.ts';
import type { TemplateSettings } from '../../conf/settings.ts';
import { Engine } from '../../template/engine.ts';
import { CheckError, CheckWarning, type CheckMessage } from './messages.ts';
import { registerCheck, Tags } from './registry.ts';

const BACKENDS = new Set(['nuages/template', 'django']);
const LIBRARY_EXTENSIONS = new Set(['.ts', '.js', '.mjs']);

/** `{% load %}` names of every installed app's templatetags/ folder, with the module each comes from. */
function appLibraries(): Array<[name: string, module: string]> {
  const found: Array<[string, string]> = [];
  for (const config of apps.getAppConfigs()) {
    let files: string[];
    try {
      files = readdirSync(join(config.path, 'templatetags'));
    } catch {
      continue;
    }
    for (const file of files.sort()) {
      const ext = extname(file);
      // The same files the engine loads (engine.ts #loadLibraries).
      if (!LIBRARY_EXTENSIONS.has(ext) || file.endsWith('.d.ts') || file.startsWith('index.') || file.includes('.test.')) continue;
      found.push([basename(file, ext), `${config.name}/templatetags/${basename(file, ext)}`]);
    }
  }
  return found;
}

function checkEngine(entry: TemplateSettings, where: string): CheckMessage[] {
  const options = (entry.OPTIONS ?? {}) as { stringIfInvalid?: unknown; libraries?: Record<string, unknown> };
  const messages: CheckMessage[] = [];
  const value = options.stringIfInvalid;
  if (value !== undefined && typeof value !== 'string') {
    messages.push(
      new CheckError(`'stringIfInvalid' in TEMPLATES OPTIONS must be a string but got: ${JSON.stringify(value) ?? String(value)} (${value === null ? 'null' : typeof value}).`, {
        obj: where,
        id: 'templates.E002',
      }),
    );
  }
  const libraries = new Map<string, Set<string>>();
  const add = (name: string, module: string) => libraries.set(name, (libraries.get(name) ?? new Set()).add(module));
  for (const name of new Engine().loadableLibraries().keys()) add(name, `nuages/template (built-in ${name})`);
  for (const [name, module] of appLibraries()) add(name, module);
  for (const [name, library] of Object.entries(options.libraries ?? {})) {
    add(name, typeof library === 'string' ? library : `${where}.OPTIONS.libraries.${name}`);
  }
  for (const [name, modules] of libraries) {
    if (modules.size < 2) continue;
    const list = [...modules].sort().map((module) => `'${module}'`).join(', ');
    messages.push(new CheckWarning(`'${name}' is used for multiple template tag modules: ${list}`, { obj: where, id: 'templates.W003' }));
  }
  return messages;
}

/** templates.E002 / W003 for every TEMPLATES entry of the Django template language. */
export function checkTemplates(): CheckMessage[] {
  const entries = settingOr<readonly TemplateSettings[]>('TEMPLATES', []);
  return entries.flatMap((entry, index) => (BACKENDS.has(entry.BACKEND) ? checkEngine(entry, `TEMPLATES[${index}]`) : []));
}

registerCheck(checkTemplates, { tags: [Tags.templates] });
