/** Where prefetchRelated keeps to-many rows on an instance, read by related managers. */
import type { ModelBase } from './base.ts';

export function prefetchCache(instance: ModelBase): ReadonlyMap<string, unknown[]> | null {
  return instance._state.prefetched;
}

export function setPrefetched(instance: ModelBase, accessor: string, rows: unknown[]): void {
  (instance._state.prefetched ??= new Map()).set(accessor, rows);
}

export function isPrefetched(instance: ModelBase, accessor: string): boolean {
  return instance._state.prefetched?.has(accessor) ?? false;
}

/** Drops the rows cached for `accessor`, once the relation changed under them. */
export function clearPrefetched(instance: ModelBase, accessor: string): void {
  instance._state.prefetched?.delete(accessor);
}
