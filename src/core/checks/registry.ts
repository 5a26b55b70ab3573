/**
 * The check registry (Django's django.core.checks.registry): checks are functions
 * registered with tags; `deploy` ones run only under `check --deploy`.
 *
 * registerCheck(fn, { tags, deploy }) → runChecks({ tags, includeDeploymentChecks,
 * appConfigs, databases }) → every selected check called in registration order →
 * their CheckMessage[] concatenated.
 */
import type { AppConfig } from '../../conf/apps.ts';
import type { CheckMessage } from './messages.ts';

/** Django's built-in check tags. */
export const Tags = Object.freeze({
  admin: 'admin',
  asyncSupport: 'async_support',
  caches: 'caches',
  commands: 'commands',
  compatibility: 'compatibility',
  database: 'database',
  files: 'files',
  models: 'models',
  security: 'security',
  signals: 'signals',
  sites: 'sites',
  staticfiles: 'staticfiles',
  templates: 'templates',
  translation: 'translation',
  urls: 'urls',
});

/** What a check function receives. */
export interface CheckContext {
  /** Limit the check to these apps; undefined means the whole project. */
  appConfigs: readonly AppConfig[] | undefined;
  /** Databases the check may query; undefined means none. */
  databases: readonly string[] | undefined;
}

/** A system check. It may be async (e.g. to ask the database or import a module). */
export type CheckFunction = (context: CheckContext) => readonly CheckMessage[] | Promise<readonly CheckMessage[]>;

/** Options of `registerCheck()`. */
export interface RegisterCheckOptions {
  /** Tags `check --tag` selects the check by. */
  tags?: readonly string[];
  /** Run only with `check --deploy` (settings that matter in production). */
  deploy?: boolean;
}

interface Registered {
  readonly fn: CheckFunction;
  readonly tags: readonly string[];
  readonly deploy: boolean;
}

const registry: Registered[] = [];

/**
 * Register a system check and return it. `deploy` checks run only with
 * `check --deploy`. Registering the same function twice keeps one.
 *
 * ```ts
 * registerCheck(() => settings.SHOP_CURRENCY ? [] : [
 *   new CheckError('SHOP_CURRENCY is not set.', { id: 'shop.E001', hint: "Add SHOP_CURRENCY: 'EUR'." }),
 * ], { tags: ['shop'] });
 * ```
 */
export function registerCheck<F extends CheckFunction>(fn: F, options: RegisterCheckOptions = {}): F {
  if (typeof fn !== 'function') throw new TypeError('registerCheck() takes the check function first, then { tags, deploy }.');
  if (!registry.some((r) => r.fn === fn)) {
    registry.push({ fn, tags: [...(options.tags ?? [])], deploy: options.deploy ?? false });
  }
  return fn;
}

/** Remove a registered check (a test that registered its own); returns whether it was registered. */
export function unregisterCheck(fn: CheckFunction): boolean {
  const index = registry.findIndex((r) => r.fn === fn);
  if (index !== -1) registry.splice(index, 1);
  return index !== -1;
}

/** Options of `runChecks()`. */
export interface RunChecksOptions {
  /** Limit model checks to these apps (`check catalog orders`). */
  appConfigs?: readonly AppConfig[];
  /** Run only checks with at least one of these tags. */
  tags?: readonly string[];
  /** Include the `deploy` checks (`check --deploy`). */
  includeDeploymentChecks?: boolean;
  /** Databases the checks may query (`check --database default`); none by default. */
  databases?: readonly string[];
}

/**
 * Run the registered checks, in registration order, and collect their messages
 * (silenced ones included: `isSilenced()` tells them apart).
 *
 * @throws TypeError when a check returns something other than an array.
 */
export async function runChecks(options: RunChecksOptions = {}): Promise<CheckMessage[]> {
  const context: CheckContext = { appConfigs: options.appConfigs, databases: options.databases };
  const messages: CheckMessage[] = [];
  for (const check of selected(options.tags, options.includeDeploymentChecks ?? false)) {
    const found = await check.fn(context);
    if (!Array.isArray(found)) {
      throw new TypeError(
        `The system check ${check.fn.name || '(anonymous)'} did not return an array. Every registered check must return an array of CheckMessage ([] when all is well).`,
      );
    }
    messages.push(...found);
  }
  return messages;
}

/** Whether any check (deploy ones included when asked) carries `tag`. */
export function tagExists(tag: string, includeDeploymentChecks = false): boolean {
  return availableTags(includeDeploymentChecks).has(tag);
}

/** Every tag of the registered checks. */
export function availableTags(includeDeploymentChecks = false): Set<string> {
  return new Set(selected(undefined, includeDeploymentChecks).flatMap((r) => r.tags));
}

function selected(tags: readonly string[] | undefined, deploy: boolean): Registered[] {
  return registry.filter((r) => (deploy || !r.deploy) && (tags === undefined || r.tags.some((t) => tags.includes(t))));
}
