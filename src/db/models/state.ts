/** Per-instance bookkeeping (Django's ModelState): which database, whether unsaved, cached relations. */
export class ModelState {
  /** Alias of the database the instance was loaded from or saved to. */
  db: string | null;
  /** True until the instance is saved or when it was never in the database. */
  adding: boolean;
  /** Related objects loaded by selectRelated, prefetchRelated, assignment or fetchRelated. */
  fieldsCache: Record<string, unknown> | null = null;
  /** Rows of to-many relations loaded by prefetchRelated, by accessor name. */
  prefetched: Map<string, unknown[]> | null = null;
  /** The other instances the same query loaded, for FETCH_PEERS and the N+1 detector. */
  peers: readonly object[] | null = null;
  /** The fetch mode of the QuerySet that loaded this instance (null: the project default). */
  fetchMode: 'FETCH_ONE' | 'FETCH_PEERS' | 'RAISE' | null = null;
  /** The values of file fields, by attribute name, behind the accessors that wrap them in FieldFiles. */
  files: Record<string, unknown> | null = null;

  constructor(db: string | null, adding: boolean) {
    this.db = db;
    this.adding = adding;
  }
}

/**
 * Cached for a to-one relation whose key matches no row (a dangling key with
 * no database constraint): reads as null while the key stays the same.
 */
export class MissingRelated {
  readonly key: unknown;
  constructor(key: unknown) {
    this.key = key;
  }
}
