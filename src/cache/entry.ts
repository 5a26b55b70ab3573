/**
 * The envelope around a value stored with tags or with a grace period. Plain
 * values are stored bare; only these need the extra fields, so only they pay
 * for them.
 */

/** One tag a value depends on: its key in the store and the token it had at write time. */
export type TagStamp = readonly [tagKey: string, token: string];

export class CacheEntry {
  /** The cached value. */
  readonly value: unknown;
  /** The tags' tokens when the value was computed; a changed token makes it a miss. */
  readonly tags: readonly TagStamp[] | null;
  /** Epoch ms after which the value is stale (served during its grace while one caller refreshes it). */
  readonly freshUntil: number | null;

  constructor(value: unknown, tags: readonly TagStamp[] | null, freshUntil: number | null) {
    this.value = value;
    this.tags = tags;
    this.freshUntil = freshUntil;
  }
}

/**
 * The tokens of some tags, read before a value is computed, so a write that
 * invalidates a tag while the value is being computed makes the stored value a
 * miss rather than a stale hit (`Cache.readTags()`).
 */
export class TagSnapshot {
  readonly stamps: readonly TagStamp[];
  constructor(stamps: readonly TagStamp[]) {
    this.stamps = stamps;
  }
}
