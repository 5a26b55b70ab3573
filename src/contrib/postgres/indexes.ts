/**
 * PostgreSQL index types, as Django's contrib.postgres.indexes: each is an `Index` with an
 * access method (`USING gin`) and the storage parameters that method takes (`WITH (…)`).
 * The schema editor writes them; on another database it refuses them with NotSupportedError.
 */
import type { Deconstruction } from '../../db/models/deconstruct.ts';
import { Index, type IndexOptions } from '../../db/models/indexes.ts';

type StorageValue = string | number | boolean;

/** Options every PostgreSQL index takes: operator classes per field and a fill factor. */
export interface PostgresIndexOptions extends IndexOptions {
  /** One operator class per field, e.g. `['gin_trgm_ops']` for trigram search. */
  opclasses?: readonly string[];
  fillfactor?: number;
}

function storage(entries: Record<string, StorageValue | undefined>): Record<string, StorageValue> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as Record<string, StorageValue>;
}

abstract class PostgresIndex extends Index {
  override readonly opclasses: readonly string[];
  readonly #options: Readonly<Record<string, unknown>>;

  constructor(options: PostgresIndexOptions) {
    super(options);
    this.#options = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.opclasses = options.opclasses ?? [];
    if (this.opclasses.length && this.opclasses.length !== this.fields.length) {
      throw new TypeError(`${new.target.name}: give one operator class per field in opclasses (${this.fields.length} fields, ${this.opclasses.length} opclasses).`);
    }
  }

  /** Written as `new GinIndex({ … })` imported from nuages/contrib/postgres, with every option it was given. */
  override deconstruct(): Deconstruction {
    return { path: 'nuages/contrib/postgres', name: this.constructor.name, args: [{ ...this.#options }] };
  }
}

/** A B-tree index (the default method, named explicitly for its storage parameters). */
export class BTreeIndex extends PostgresIndex {
  override readonly method = 'btree';
  override readonly storageParameters: Readonly<Record<string, StorageValue>>;

  constructor(options: PostgresIndexOptions & { deduplicateItems?: boolean }) {
    super(options);
    this.storageParameters = storage({ fillfactor: options.fillfactor, deduplicate_items: options.deduplicateItems });
  }
}

/** A hash index: equality only, compact for long keys. */
export class HashIndex extends PostgresIndex {
  override readonly method = 'hash';
  override readonly storageParameters: Readonly<Record<string, StorageValue>>;

  constructor(options: PostgresIndexOptions) {
    super(options);
    this.storageParameters = storage({ fillfactor: options.fillfactor });
  }
}

/** A GIN index: for arrays, jsonb (`contains`, `hasKey`) and full-text search. */
export class GinIndex extends PostgresIndex {
  override readonly method = 'gin';
  override readonly storageParameters: Readonly<Record<string, StorageValue>>;

  constructor(options: Omit<PostgresIndexOptions, 'fillfactor'> & { fastupdate?: boolean; ginPendingListLimit?: number }) {
    super(options);
    this.storageParameters = storage({ fastupdate: options.fastupdate, gin_pending_list_limit: options.ginPendingListLimit });
  }
}

/** A GiST index: ranges, geometry, trigram similarity (with `gist_trgm_ops`). */
export class GistIndex extends PostgresIndex {
  override readonly method = 'gist';
  override readonly storageParameters: Readonly<Record<string, StorageValue>>;

  constructor(options: PostgresIndexOptions & { buffering?: boolean }) {
    super(options);
    this.storageParameters = storage({ buffering: options.buffering, fillfactor: options.fillfactor });
  }
}

/** A BRIN index: tiny, for columns that follow the physical row order (timestamps of an append-only table). */
export class BrinIndex extends PostgresIndex {
  override readonly method = 'brin';
  override readonly storageParameters: Readonly<Record<string, StorageValue>>;

  constructor(options: Omit<PostgresIndexOptions, 'fillfactor'> & { autosummarize?: boolean; pagesPerRange?: number }) {
    super(options);
    if (options.pagesPerRange !== undefined && options.pagesPerRange <= 0) throw new TypeError('BrinIndex: pagesPerRange must be a positive integer.');
    this.storageParameters = storage({ autosummarize: options.autosummarize, pages_per_range: options.pagesPerRange });
  }
}
