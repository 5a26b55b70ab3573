/**
 * The one byte format every byte-keeping store uses (Redis, Memcached, files, the
 * database), so a value written by one process reads the same in another.
 *
 * Integers are stored as their decimal digits, as Django's Redis and Memcached
 * backends store them, so `incr` works on the server. Everything else is
 * MessagePack (msgpackr) behind a two-byte header: 0xC1 (a byte MessagePack never
 * uses, so no integer's digits and no payload can start with it) and the format
 * version. MessagePack with structured cloning keeps Date, Map, Set, Buffer,
 * typed arrays, bigint and shared references; extensions add Nuages's own value
 * types (Decimal, DateOnly, SafeString) and model instances. A payload that fails to decode (another format version,
 * corruption) is a miss, logged, never an error.
 */
import { addExtension, Packr } from 'msgpackr';
import { apps } from '../conf/apps.ts';
import { ModelBase } from '../db/models/base.ts';
import { ModelState } from '../db/models/state.ts';
import { DateOnly } from '../utils/dates.ts';
import { Decimal } from '../utils/decimal.ts';
import { SafeString } from '../utils/safestring.ts';
import { getLogger } from '../utils/log.ts';
import { CacheEntry } from './entry.ts';

const HEADER = 0xc1;
const FORMAT_VERSION = 1;
const INTEGER = /^-?\d+$/;

const log = getLogger('nuages.cache');

// Records keep plain objects apart from Maps (both are MessagePack maps otherwise); with no
// shared structures each payload carries its own record definitions, so any process reads it.
const packr = new Packr({ structuredClone: true, useRecords: true, mapsAsObjects: false, moreTypes: true });

addExtension({
  Class: Decimal,
  type: 0x4e, // 'N'
  write: (value: Decimal) => [value.toFixed(), value.places ?? null],
  read: ([digits, places]: [string, number | null]) => new Decimal(digits, places ?? undefined),
});

// Before Date's own timestamp type, or a calendar date would come back as a Date.
addExtension({
  Class: DateOnly,
  type: 0x44, // 'D'
  write: (date: DateOnly) => date.getTime(),
  read: (ms: number) => new DateOnly(ms),
});

// Marked-safe HTML must stay safe: a cached fragment is not escaped twice.
addExtension({
  Class: SafeString,
  type: 0x53, // 'S'
  write: (text: SafeString) => text.value,
  read: (value: string) => new SafeString(value),
});

addExtension({
  Class: CacheEntry,
  type: 0x45, // 'E'
  write: (entry: CacheEntry) => [entry.value, entry.tags, entry.freshUntil],
  read: ([value, tags, freshUntil]: [unknown, CacheEntry['tags'], number | null]) => new CacheEntry(value, tags, freshUntil),
});

interface EncodedInstance {
  readonly label: string;
  readonly db: string | null;
  readonly adding: boolean;
  readonly values: Record<string, unknown>;
  readonly related: Record<string, unknown> | null;
  readonly prefetched: [string, unknown[]][] | null;
}

addExtension({
  Class: ModelBase,
  type: 0x4d, // 'M'
  write: (instance: ModelBase) => encodeInstance(instance),
  read: (encoded: EncodedInstance) => decodeInstance(encoded),
});

function encodeInstance(instance: ModelBase): EncodedInstance {
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(instance)) {
    if (key !== '_state') values[key] = (instance as unknown as Record<string, unknown>)[key];
  }
  const state = instance._state;
  const related = state.fieldsCache === null ? null : Object.fromEntries(Object.entries(state.fieldsCache).filter(([, value]) => value === null || value instanceof ModelBase));
  return {
    label: (instance.constructor as typeof ModelBase)._meta.label,
    db: state.db,
    adding: state.adding,
    values,
    related,
    prefetched: state.prefetched === null ? null : [...state.prefetched],
  };
}

function decodeInstance(encoded: EncodedInstance): ModelBase {
  const model = apps.getModel(encoded.label) as unknown as typeof ModelBase;
  const instance = Object.create(model.prototype) as ModelBase;
  instance._state = new ModelState(encoded.db, encoded.adding);
  Object.assign(instance, encoded.values);
  if (encoded.related !== null) instance._state.fieldsCache = { ...encoded.related };
  if (encoded.prefetched !== null) instance._state.prefetched = new Map(encoded.prefetched);
  return instance;
}

/** The bytes (or digits) a byte-keeping store writes for `value`. */
export function encodeValue(value: unknown): Buffer | string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  const body = packr.pack(value);
  const out = Buffer.allocUnsafe(body.length + 2);
  out[0] = HEADER;
  out[1] = FORMAT_VERSION;
  body.copy(out, 2);
  return out;
}

/** Sentinel for a payload that could not be decoded. */
export const UNREADABLE: unique symbol = Symbol('nuages.cache.unreadable');

/**
 * The value `encodeValue()` wrote, or `UNREADABLE` (logged with the key) when the
 * bytes are not a payload of this format version.
 */
export function decodeValue(data: Buffer | string, key: string): unknown {
  if (typeof data === 'string') {
    if (INTEGER.test(data)) return Number(data);
    data = Buffer.from(data, 'latin1');
  }
  if (data.length > 0 && data[0] !== HEADER && INTEGER.test(data.toString('latin1'))) return Number(data.toString('latin1'));
  if (data.length < 2 || data[0] !== HEADER || data[1] !== FORMAT_VERSION) {
    log.warn(`Cache value for key '${key}' is not in Nuages's format (version ${FORMAT_VERSION}); treated as a miss.`, { key });
    return UNREADABLE;
  }
  try {
    return packr.unpack(data.subarray(2));
  } catch (error) {
    log.warn(`Cache value for key '${key}' could not be decoded (${(error as Error).message}); treated as a miss.`, { key });
    return UNREADABLE;
  }
}
