/**
 * The routing scope: what the database routers know about the current unit of work
 * (one HTTP request, one task), carried by the async context.
 *
 * The handler opens a scope per request (`runWithRoutingScope`); the ORM notes each
 * database written (`noteWrite`); `ReplicaRouter` asks `wroteTo(primary)` and sends the
 * reads that follow a write to the primary ("sticky after write"), so a user reads what
 * they just saved even while the replicas lag. Outside any scope nothing is remembered.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The state of one routing scope. */
export interface RoutingScope {
  /** The aliases written in this scope so far. */
  readonly written: Set<string>;
}

const scopes = new AsyncLocalStorage<RoutingScope>();

/**
 * Runs `fn` in a fresh routing scope and returns its result. The HTTP handler calls it
 * once per request; call it yourself around other units of work (a task, a script step)
 * that should read their own writes. A nested call starts a new, empty scope.
 *
 * @example
 * await runWithRoutingScope(async () => {
 *   await order.save();                                 // noted: 'default' written
 *   await Order.objects.get({ pk: order.pk });          // ReplicaRouter reads from 'default'
 * });
 */
export function runWithRoutingScope<T>(fn: () => T): T {
  return scopes.run({ written: new Set() }, fn);
}

/** The scope of the current async context, or undefined outside `runWithRoutingScope()`. */
export function currentRoutingScope(): RoutingScope | undefined {
  return scopes.getStore();
}

/**
 * Records that the current scope wrote to `alias`. The ORM calls it for every save,
 * delete, update and bulk write; call it after writing with raw SQL so the sticky
 * routing sees that write too. Does nothing outside a scope.
 */
export function noteWrite(alias: string): void {
  scopes.getStore()?.written.add(alias);
}

/** Whether the current scope has written to `alias`. */
export function wroteTo(alias: string): boolean {
  return scopes.getStore()?.written.has(alias) ?? false;
}
