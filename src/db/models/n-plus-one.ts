/**
 * The N+1 detector: notices when one relation is loaded row by row for several
 * objects that came from the same query, and says which line did it and what
 * to add to the query.
 *
 * Active when DEBUG is on or under `node --test`. The `N_PLUS_ONE` setting
 * chooses: 'warn' (report on stderr, the default there), 'raise' (throw, for
 * test suites) or 'ignore'.
 */
import { settings } from '../../conf/index.ts';
import { NuagesError } from '../../core/errors.ts';

/** An N+1 query pattern, thrown when the N_PLUS_ONE setting is 'raise'. */
export class NPlusOneError extends NuagesError {
  readonly code = 'NUAGES_DB_N_PLUS_ONE';
}

export type NPlusOneReport = { readonly model: string; readonly relation: string; readonly fix: string; readonly callSite: string; readonly message: string };

type Policy = 'warn' | 'raise' | 'ignore';

const counts = new WeakMap<object, Map<string, number>>();
const listeners = new Set<(report: NPlusOneReport) => void>();

function policy(): Policy {
  const configured = settings.configured ? (settings as unknown as Record<string, unknown>)['N_PLUS_ONE'] : undefined;
  if (configured === 'warn' || configured === 'raise' || configured === 'ignore') return configured;
  const debug = settings.configured && Boolean((settings as unknown as Record<string, unknown>)['DEBUG']);
  return debug || process.env['NODE_TEST_CONTEXT'] ? 'warn' : 'ignore';
}

/** Whether loads are being watched; callers skip capturing call sites otherwise. */
export function detectorActive(): boolean {
  return listeners.size > 0 || policy() !== 'ignore';
}

/** The first stack frame outside Nuages's ORM: the line that asked for the data. */
function callSite(origin: Error): string {
  const lines = (origin.stack ?? '').split('\n').slice(1);
  const user = lines.find((line) => !/[\\/]src[\\/]db[\\/]|node:internal|\(native\)|node_modules/.test(line));
  return (user ?? lines[0] ?? '').trim().replace(/^at /, '');
}

/** Calls `fn` with every report (the debug toolbar and tests listen here). */
export function onNPlusOne(fn: (report: NPlusOneReport) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Counts a one-row load of `relation` for one of `peers`; the second one for the
 * same query and relation is reported.
 */
export function recordLazyLoad(peers: readonly object[], model: string, relation: string, fix: string, origin?: Error): void {
  const mode = policy();
  if (mode === 'ignore' && !listeners.size) return;
  let byRelation = counts.get(peers);
  if (!byRelation) counts.set(peers, (byRelation = new Map()));
  const count = (byRelation.get(relation) ?? 0) + 1;
  byRelation.set(relation, count);
  if (count !== 2) return;
  const site = callSite(origin ?? new Error());
  const message =
    `N+1 queries: ${model}.${relation} is being loaded one object at a time for the ${peers.length} ${model} objects ` +
    `of one query (at ${site}). Add ${fix} to that query, or use fetchMode(FETCH_PEERS).`;
  const report = { model, relation, fix, callSite: site, message };
  for (const listener of listeners) listener(report);
  if (mode === 'raise') throw new NPlusOneError(message);
  if (mode === 'warn') process.emitWarning(message, { code: 'NUAGES_DB_N_PLUS_ONE' });
}
