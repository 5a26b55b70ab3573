/**
 * Task names: how a worker in another process finds the function to run.
 *
 * Django names a task by its module path and function name, which Python can import back.
 * Node cannot import a function by name, so every `task()` registers itself here under a
 * stable name, and the worker imports the modules that declare tasks before it starts:
 * each installed app's `tasks.ts` (Django's autodiscovery pattern), then, for a name still
 * unknown, the module that declared it, whose URL travels with the task.
 *
 * The default name is `<module path from the project root, without extension>#<function
 * name>`, e.g. `shop/tasks#sendReceipt`: the same in every process whatever its working
 * directory, and the same for `.ts` sources and compiled `.js`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getCallSites } from 'node:util';
import { apps } from '../conf/apps.ts';
import { DuplicateTaskNameError, InvalidTask, UnknownTaskError } from './errors.ts';
import type { Task } from './task.ts';

/** A declared task, as the registry holds it. */
export type RegisteredTask = Task<never, unknown, never>;

const registered = new Map<string, RegisteredTask>();
const TASKS_FOLDER = dirname(fileURLToPath(import.meta.url));
const MODULE_EXTENSION = /\.(?:[cm]?ts|[cm]?js)$/;
const MAX_NAME_LENGTH = 255;

/** The URL of the module calling `task()`: the first call site outside this folder. */
export function declaringModule(): string {
  for (const site of getCallSites()) {
    const script = site.scriptName;
    if (!script || script.startsWith('node:')) continue;
    const file = script.startsWith('file:') ? fileURLToPath(script) : script;
    if (dirname(file) === TASKS_FOLDER) continue;
    return script.startsWith('file:') ? script : pathToFileURL(script).href;
  }
  return '';
}

/** The default name of `fn` declared in `moduleUrl`. */
export function defaultTaskName(fn: Function, moduleUrl: string): string {
  if (!fn.name) {
    throw new InvalidTask(
      'A task needs a name, and this function has none (an arrow function passed straight to task()). ' +
        "Write task(async function sendReceipt(…) { … }) or task(fn, { name: 'shop/sendReceipt' }).",
    );
  }
  if (!moduleUrl.startsWith('file:')) return fn.name;
  const file = fileURLToPath(moduleUrl);
  const path = relative(projectRoot(file), file).split(sep).join('/').replace(MODULE_EXTENSION, '');
  return `${path}#${fn.name}`;
}

// The nearest folder above the module holding a package.json: the project, or the package.
function projectRoot(file: string): string {
  let folder = dirname(file);
  for (;;) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    const parent = dirname(folder);
    if (parent === folder) return dirname(file);
    folder = parent;
  }
}

/**
 * Record a task under its name.
 *
 * @throws InvalidTask for an empty or overlong name; DuplicateTaskNameError when another
 *   function holds the name (the same function declared twice, as when its module is
 *   imported under two URLs, is accepted).
 */
export function registerTask(entry: RegisteredTask): void {
  // Compared by source too: one module imported under two URLs declares equal functions.
  if (entry.name.length === 0 || entry.name.length > MAX_NAME_LENGTH) {
    throw new InvalidTask(`A task name must have 1 to ${MAX_NAME_LENGTH} characters, got ${entry.name.length}: '${entry.name.slice(0, 60)}…'.`);
  }
  const existing = registered.get(entry.name);
  if (existing !== undefined && existing.fn !== entry.fn && existing.fn.toString() !== entry.fn.toString()) {
    throw new DuplicateTaskNameError(entry.name);
  }
  registered.set(entry.name, entry);
}

/** The task declared under `name`, if a module of this process declared it. */
export function findTask(name: string): RegisteredTask | undefined {
  return registered.get(name);
}

/**
 * The task declared under `name`, importing `modulePath` (the module that declared it in
 * the enqueuing process) when no module imported so far declares it.
 *
 * @throws UnknownTaskError when no module declares it.
 */
export async function resolveTask(name: string, modulePath: string | null): Promise<RegisteredTask> {
  const found = registered.get(name);
  if (found) return found;
  if (modulePath) {
    try {
      await import(modulePath);
    } catch {
      // The module may not exist in this deployment; the error below says what to do.
    }
  }
  const loaded = registered.get(name);
  if (loaded) return loaded;
  throw new UnknownTaskError(name, modulePath);
}

/**
 * Import every installed app's `tasks.ts` (or .js), as Django imports apps' modules at
 * start-up, so their tasks are registered before a worker claims any. Returns the files imported.
 */
export async function autodiscoverTasks(): Promise<string[]> {
  const imported: string[] = [];
  for (const config of apps.getAppConfigs()) {
    for (const extension of ['.ts', '.js', '.mts', '.mjs']) {
      const file = join(config.path, `tasks${extension}`);
      if (!existsSync(file)) continue;
      await import(pathToFileURL(file).href);
      imported.push(file);
      break;
    }
  }
  return imported;
}
