/**
 * `taskBackends`: one backend per alias of `TASKS`, built on first use (Django's
 * `django.tasks.task_backends`). An instance is kept per settings entry, so
 * `overrideSettings({ TASKS })` in a test gets backends of its own.
 */
import { createRequire } from 'node:module';
import { settings } from '../conf/lazy-settings.ts';
import type { TaskBackendSettings } from '../conf/settings.ts';
import type { BaseTaskBackend, TaskBackendClass } from './backend.ts';
import { InvalidTaskBackend } from './errors.ts';
import { DEFAULT_TASK_QUEUE_NAME } from './task.ts';

const requireHere = createRequire(import.meta.url);

// The built-in backends are loaded by name on first use, as Django's import_string does.
// They import task.ts and result.ts, which import this module: importing them here would
// put every backend base class in an import cycle, and a module of the cycle imported first
// would meet a base class before its initialization. require() loads ES modules
// synchronously (none of these uses top-level await) and shares the ESM module cache.
function builtin(file: string, exportName: string): () => TaskBackendClass {
  return () => (requireHere(file) as Record<string, TaskBackendClass>)[exportName];
}

const immediate = builtin('./backends/immediate.ts', 'ImmediateBackend');
const dummy = builtin('./backends/dummy.ts', 'DummyBackend');

/** The backends BACKEND can name; Django's dotted paths are accepted for the same two. */
const BUILTIN_BACKENDS: Record<string, () => TaskBackendClass> = {
  immediate,
  dummy,
  database: builtin('./backends/database.ts', 'DatabaseBackend'),
  bullmq: builtin('./backends/bullmq.ts', 'BullMQBackend'),
  'django.tasks.backends.immediate.ImmediateBackend': immediate,
  'django.tasks.backends.dummy.DummyBackend': dummy,
};

/** Make `BACKEND: name` build `backendClass` (for backends shipped outside this module). */
export function registerTaskBackend(name: string, backendClass: TaskBackendClass): void {
  BUILTIN_BACKENDS[name] = () => backendClass;
}

const built = new WeakMap<TaskBackendSettings, BaseTaskBackend>();
const everyBuilt = new Set<BaseTaskBackend>();

/** Build the backend of one TASKS entry; InvalidTaskBackend names what is wrong. */
export function createTaskBackend(alias: string, entry: TaskBackendSettings): BaseTaskBackend {
  const BackendClass = typeof entry.BACKEND === 'function' ? (entry.BACKEND as unknown as TaskBackendClass) : BUILTIN_BACKENDS[entry.BACKEND]?.();
  if (BackendClass === undefined) {
    const names = Object.keys(BUILTIN_BACKENDS).filter((name) => !name.includes('.'));
    throw new InvalidTaskBackend(
      `TASKS.${alias}.BACKEND is '${String(entry.BACKEND)}', which is not a task backend. Use one of ${names.map((n) => `'${n}'`).join(', ')}, or a BaseTaskBackend subclass.`,
    );
  }
  const queues = entry.QUEUES ?? [DEFAULT_TASK_QUEUE_NAME];
  if (!Array.isArray(queues) || queues.some((queue) => typeof queue !== 'string' || queue === '')) {
    throw new InvalidTaskBackend(`TASKS.${alias}.QUEUES must be a list of queue names, got ${JSON.stringify(queues)}.`);
  }
  return new BackendClass({ alias, queues, options: entry.OPTIONS ?? {} });
}

/**
 * The task backends of `TASKS`, by alias.
 *
 * ```ts
 * import { taskBackends } from 'nuages/tasks';
 * const result = await taskBackends.get('default').getResult(id);
 * ```
 */
export const taskBackends = {
  /** The backend for `alias`; InvalidTaskBackend when TASKS has no such alias. */
  get(alias = 'default'): BaseTaskBackend {
    const entries = settings.TASKS;
    const entry = entries[alias];
    if (entry === undefined) {
      throw new InvalidTaskBackend(
        `The task backend alias '${alias}' is not in TASKS (it has ${Object.keys(entries).map((name) => `'${name}'`).join(', ') || 'no aliases'}). Add TASKS.${alias} to your settings.`,
      );
    }
    let found = built.get(entry);
    if (found === undefined) {
      found = createTaskBackend(alias, entry);
      built.set(entry, found);
      everyBuilt.add(found);
    }
    return found;
  },

  /** The aliases of TASKS, in the order the settings list them. */
  aliases(): string[] {
    return Object.keys(settings.TASKS);
  },

  /** Close every backend built in this process (at shutdown, and between tests). */
  async closeAll(): Promise<void> {
    await Promise.all([...everyBuilt].map((backend) => backend.close()));
  },
};

/**
 * The default backend, `taskBackends.get('default')`, resolved on every use so it follows
 * `overrideSettings({ TASKS })` (Django's default_task_backend).
 */
export const defaultTaskBackend: BaseTaskBackend = new Proxy({} as BaseTaskBackend, {
  get(_target, property) {
    const target = taskBackends.get('default');
    const value = Reflect.get(target, property, target) as unknown;
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
  },
});
