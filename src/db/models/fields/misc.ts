/** Boolean, UUID, JSON and binary fields. */
import { randomUUID } from 'node:crypto';
import type { DatabaseFeatures, SqlParam } from '../../backends/base/types.ts';
import { Field, type DbConverter, type FieldLookup, type FieldOptions, type FieldTransform } from './field.ts';
import { applyJsonKey, jsonFieldLookup, jsonKeyLookup } from './json-lookups.ts';

const TRUE_TEXT = new Set(['t', 'true', '1', 'True']);
const FALSE_TEXT = new Set(['f', 'false', '0', 'False']);

export class BooleanField<N extends boolean = false> extends Field<boolean, N> {
  readonly internalType: string = 'BooleanField';
  override readonly emptyStringsAllowed = false;

  override toPython(value: unknown): boolean | null {
    if (value === null || value === undefined) return this.null ? null : this.refuse(value);
    if (typeof value === 'boolean') return value;
    if (value === 1 || value === 0) return value === 1;
    if (typeof value === 'string' && TRUE_TEXT.has(value)) return true;
    if (typeof value === 'string' && FALSE_TEXT.has(value)) return false;
    return this.refuse(value);
  }

  private refuse(value: unknown): never {
    throw this.invalid(value, `“${String(value)}” value must be either true or false.`);
  }

  override toDb(value: unknown, features: DatabaseFeatures): SqlParam {
    if (value === null || value === undefined) return null;
    return features.hasNativeBoolean ? (value as unknown as SqlParam) : value ? 1 : 0;
  }

  override dbConverter(features: DatabaseFeatures): DbConverter {
    return features.hasNativeBoolean ? null : (raw) => (raw === null ? null : raw === 1 || raw === 1n || raw === true);
  }
}

const UUID_TEXT = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** UUIDs as canonical lower-case strings; `default: uuid4` gives a random one. */
export class UUIDField<N extends boolean = false> extends Field<string, N> {
  readonly internalType: string = 'UUIDField';
  override readonly emptyStringsAllowed = false;

  override toPython(value: unknown): string | null {
    if (value === null || value === undefined) return null;
    const text = String(value).trim().replace(/^urn:uuid:/i, '').replace(/^\{(.*)\}$/, '$1');
    if (!UUID_TEXT.test(text)) throw this.invalid(value, `“${String(value)}” is not a valid UUID.`);
    const hex = text.replaceAll('-', '').toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  override toDb(value: unknown, features: DatabaseFeatures): SqlParam {
    if (value === null || value === undefined) return null;
    return features.hasNativeUuid ? (value as string) : (value as string).replaceAll('-', '');
  }

  override dbConverter(features: DatabaseFeatures): DbConverter {
    return features.hasNativeUuid ? null : (raw) => (raw === null ? null : this.toPython(raw));
  }
}

/** A random UUID, for `new UUIDField({ default: uuid4 })`. */
export const uuid4 = (): string => randomUUID();

/**
 * Any JSON value. JavaScript `null` is stored as SQL NULL; `undefined` is refused
 * (it has no JSON form) so a typo never saves silently.
 */
export class JSONField<T = unknown, N extends boolean = false> extends Field<T, N> {
  readonly internalType: string = 'JSONField';

  override toPython(value: unknown): T | null {
    if (value === undefined) throw this.invalid(value, 'Value must be valid JSON.');
    return value as T | null;
  }

  override getPrepValue(value: unknown): unknown {
    return value === undefined ? null : value;
  }

  override toDb(value: unknown): SqlParam {
    if (value === null || value === undefined) return null;
    const text = JSON.stringify(value);
    if (text === undefined) throw this.invalid(value, 'Value must be valid JSON.');
    return text;
  }

  override dbConverter(_features?: DatabaseFeatures): DbConverter {
    return (raw) => (raw === null ? null : typeof raw === 'string' ? JSON.parse(raw) : raw);
  }

  /** Any other name after the field is a key (`data__owner`) or an array index (`data__items__0`). */
  override getTransform(name: string): FieldTransform | undefined {
    return { output: jsonKeyOutput, apply: (lhs, features) => applyJsonKey(lhs, name, features) };
  }

  /** `contains`, `containedBy`, `hasKey`, `hasKeys`, `hasAnyKeys` (see json-lookups.ts). */
  override getLookup(name: string): FieldLookup | undefined {
    return jsonFieldLookup(name);
  }
}

/** What a key of a JSONField behaves as: JSON, with the lookups Django gives a key transform. */
class JSONKeyField extends JSONField<unknown, boolean> {
  override getLookup(name: string): FieldLookup | undefined {
    return jsonKeyLookup(name);
  }

  /** SQLite's JSON_EXTRACT gives strings and numbers as SQL values and only objects as JSON text. */
  override dbConverter(features?: DatabaseFeatures): DbConverter {
    if (features?.hasNativeJson) return super.dbConverter(features);
    return (raw) => {
      if (typeof raw !== 'string') return raw;
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    };
  }
}

const jsonKeyOutput = new JSONKeyField({ null: true });

/** Raw bytes as a `Uint8Array` (Buffers are Uint8Arrays). */
export class BinaryField<N extends boolean = false> extends Field<Uint8Array, N> {
  readonly internalType: string = 'BinaryField';

  constructor(options: FieldOptions<Uint8Array> & { null?: N; maxLength?: number } = {}) {
    super({ editable: false, ...options });
  }

  override toPython(value: unknown): Uint8Array | null {
    if (value === null || value === undefined) return null;
    if (value instanceof Uint8Array) return value;
    if (typeof value === 'string') return Buffer.from(value, 'base64');
    throw this.invalid(value, 'Value must be bytes (a Uint8Array or Buffer).');
  }
}
