/**
 * Changing settings in tests, the three ways Django's override_settings and
 * modify_settings offer:
 *
 * - a block: `overrideSettings(patch, fn)` (from nuages/conf) or `modifySettings(ops, fn)`,
 *   seen only by `fn`'s async context, so concurrent tests keep their own values;
 * - a suite or file: `useSettings(patch)` / `useModifiedSettings(ops)` called inside a
 *   `describe()` (or at the top of a file) register node:test `before`/`after` hooks.
 *   Hooks run in another async context than the tests, so these set a process-wide
 *   layer, under any block override: every test of the process sees it while the suite runs.
 */
import { after, before } from 'node:test';
import {
  overrideSettings,
  popProcessSettings,
  pushProcessSettings,
  settings,
  type ProcessSettingsLayer,
} from '../conf/lazy-settings.ts';
import type { SettingsInput } from '../conf/settings.ts';
import { TestToolMisuseError } from './errors.ts';

/** Edits to a list setting; each takes one item or several. Applied in the order written. */
export interface ListEdit {
  /** Added at the end, unless already present. */
  readonly append?: unknown;
  /** Added at the start (in the order given), unless already present. */
  readonly prepend?: unknown;
  /** Taken out wherever present. */
  readonly remove?: unknown;
}

/** Setting name → the edits to its list. */
export type ListEdits = Readonly<Record<string, ListEdit>>;

const EDIT_KINDS = new Set(['append', 'prepend', 'remove']);

function itemsOf(value: unknown): unknown[] {
  return Array.isArray(value) ? [...value] : [value];
}

/**
 * The new value of each edited setting, computed from the values in force now (so
 * edits stack on an enclosing override, as Django's do).
 *
 * @throws TestToolMisuseError for a setting that is not a list or an unknown edit kind.
 */
export function editedSettings(edits: ListEdits): SettingsInput {
  const patch: Record<string, unknown> = {};
  for (const [name, edit] of Object.entries(edits)) {
    const current: unknown = (settings as unknown as Record<string, unknown>)[name] ?? [];
    if (!Array.isArray(current)) {
      throw new TestToolMisuseError(`modifySettings() edits list settings; ${name} is ${typeof current}. Use overrideSettings({ ${name}: … }) instead.`);
    }
    let value: unknown[] = [...(current as unknown[])];
    for (const [kind, given] of Object.entries(edit)) {
      if (!EDIT_KINDS.has(kind)) {
        throw new TestToolMisuseError(`modifySettings() got '${kind}' for ${name}; the edits are append, prepend and remove.`);
      }
      const items = itemsOf(given);
      if (kind === 'remove') value = value.filter((item) => !items.includes(item));
      else {
        const added = items.filter((item) => !value.includes(item));
        value = kind === 'append' ? [...value, ...added] : [...added, ...value];
      }
    }
    patch[name] = value;
  }
  return patch as SettingsInput;
}

/**
 * Runs `fn` with list settings edited: items appended, prepended or removed
 * (Django's modify_settings), then restores them. Seen only in `fn`'s async context.
 *
 * @throws TestToolMisuseError (as a rejection) for a setting that is not a list.
 *
 * @example
 * await modifySettings({ MIDDLEWARE: { remove: 'nuages/middleware/csrf#CsrfViewMiddleware' } }, async () => {
 *   assert.equal((await new Client().post('/comment/', {})).status, 302);
 * });
 */
export async function modifySettings<R>(edits: ListEdits, fn: () => R | Promise<R>): Promise<Awaited<R>> {
  return await overrideSettings(editedSettings(edits), fn);
}

/** Pushes the layer `patchFor()` computes in a `before` hook and pops it in an `after` hook. */
function useLayer(patchFor: () => SettingsInput): void {
  let layer: ProcessSettingsLayer | undefined;
  before(async () => {
    layer = await pushProcessSettings(patchFor());
  });
  after(async () => {
    if (layer !== undefined) await popProcessSettings(layer);
    layer = undefined;
  });
}

/**
 * Replaces settings for the suite it is called in (inside `describe()`), or for the
 * whole file (at its top level), through node:test hooks. The values are process-wide
 * while the suite runs: use `overrideSettings()` inside a test for values that must
 * not be seen by tests running at the same time.
 *
 * @example
 * describe('signup in production mode', () => {
 *   useSettings({ DEBUG: false, ALLOWED_HOSTS: ['shop.example'] });
 *   test('hides the debug page', async () => { … });
 * });
 */
export function useSettings(patch: SettingsInput): void {
  useLayer(() => patch);
}

/**
 * Edits list settings (see {@link modifySettings}) for the suite it is called in, or
 * the whole file, through node:test hooks; the edits apply to the values in force when
 * the suite starts.
 *
 * @example
 * describe('without sessions', () => {
 *   useModifiedSettings({ INSTALLED_APPS: { remove: 'nuages/contrib/sessions' } });
 * });
 */
export function useModifiedSettings(edits: ListEdits): void {
  useLayer(() => editedSettings(edits));
}
