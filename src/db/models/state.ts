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
  /** The query that loaded this instance, for FETCH_PEERS (set by the ORM when rows come from one query). */
  peers: readonly object[] | null = null;

  constructor(db: string | null, adding: boolean) {
    this.db = db;
    this.adding = adding;
  }
}
