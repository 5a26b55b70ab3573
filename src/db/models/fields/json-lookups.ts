/**
 * JSONField's own lookups and key transforms, as Django has them: `data__owner__name`
 * (a key path, `data__items__0` an array index), `contains`, `containedBy`, `hasKey`,
 * `hasKeys`, `hasAnyKeys`, and the standard lookups re-read for a key.
 *
 * PostgreSQL (jsonb) uses its operators: `->`, `->>`, `@>`, `<@`, `?`, `?&`, `?|`.
 * SQLite uses JSON_EXTRACT / JSON_TYPE with a `$."a"[0]` path, as Django does there; the
 * containment lookups have no SQLite form and raise NotSupportedError, as in Django.
 * The SQL is chosen from the connection's features when the filter is built.
 */
import { FieldError } from '../../../core/exceptions.ts';
import type { DatabaseFeatures } from '../../backends/base/types.ts';
import { NotSupportedError } from '../../errors.ts';
import { likePattern, PATTERN_LOOKUPS } from '../lookups.ts';
import type { ExprNode, LookupNode, WhereChild } from '../sql/nodes.ts';
import type { FieldLookup, LookupContext } from './field.ts';

/** A key or an array index along a path from the JSON column. */
export type JsonKey = string | number;

interface KeyPath {
  readonly base: ExprNode;
  readonly keys: readonly JsonKey[];
}

/** Key transform nodes remember their column and path, so the next key extends the path. */
const keyPaths = new WeakMap<ExprNode, KeyPath>();

/** `'0'` names an array index, as in Django; other keys are object keys. */
export function jsonKey(name: string): JsonKey {
  return /^\d+$/.test(name) ? Number(name) : name;
}

/** SQLite's JSON path for keys: `$."owner"."name"`, `$."items"[0]`. */
function sqlitePath(keys: readonly JsonKey[]): string {
  return `$${keys.map((k) => (typeof k === 'number' ? `[${k}]` : `.${JSON.stringify(k)}`)).join('')}`;
}

function param(value: JsonKey | string): ExprNode {
  return { kind: 'param', value };
}

/** The JSON value at `keys` below `base` (jsonb on PostgreSQL, JSON_EXTRACT's value on SQLite). */
function keyNode(base: ExprNode, keys: readonly JsonKey[], features: DatabaseFeatures, asText = false): ExprNode {
  let node: ExprNode;
  if (features.hasNativeJson) {
    const ops = keys.map((_, i) => (asText && i === keys.length - 1 ? '->>' : '->'));
    node = { kind: 'raw', sql: `(%s ${ops.map((op) => `${op} %s`).join(' ')})`, params: [base, ...keys.map(param)] };
  } else {
    // JSON_EXTRACT gives true/false/null as 1/0/NULL; Django reads those three as their JSON_TYPE text.
    const path = param(sqlitePath(keys));
    node = {
      kind: 'raw',
      sql: "(CASE WHEN JSON_TYPE(%s, %s) IN ('false', 'true', 'null') THEN JSON_TYPE(%s, %s) ELSE JSON_EXTRACT(%s, %s) END)",
      params: [base, path, base, path, base, path],
    };
  }
  if (!asText) keyPaths.set(node, { base, keys });
  return node;
}

/** Applies key `name` to `lhs`, extending the path when `lhs` is already a key. */
export function applyJsonKey(lhs: ExprNode, name: string, features: DatabaseFeatures): ExprNode {
  const path = keyPaths.get(lhs);
  return path ? keyNode(path.base, [...path.keys, jsonKey(name)], features) : keyNode(lhs, [jsonKey(name)], features);
}

function condition(sql: string, params: readonly ExprNode[]): LookupNode {
  return { kind: 'lookup', lookup: 'expression', lhs: { kind: 'raw', sql, params }, rhs: null };
}

function jsonText(value: unknown, context: LookupContext): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new FieldError(`The filter ${context.path} got ${String(value)}, which has no JSON form; pass a JSON value.`);
  return text;
}

function keyList(value: unknown, context: LookupContext, lookup: string): string[] {
  if (!Array.isArray(value) || !value.every((k) => typeof k === 'string' || typeof k === 'number')) {
    throw new FieldError(`The ${lookup} lookup in ${context.path} takes an array of key names, like ['owner', 'tags']; got ${JSON.stringify(value)}.`);
  }
  return value.map(String);
}

/** `hasKey`/`hasKeys`/`hasAnyKeys`: whether the JSON object (or the key it is under) has the keys. */
function hasKeys(lhs: ExprNode, keys: readonly string[], all: boolean, context: LookupContext): WhereChild {
  if (!keys.length) return all ? { kind: 'where', connector: 'AND', negated: false, children: [] } : { kind: 'nothing' };
  if (context.features.hasNativeJson) {
    if (keys.length === 1) return condition('%s ? %s', [lhs, param(keys[0]!)]);
    const array = `ARRAY[${keys.map(() => '%s::text').join(', ')}]`;
    return condition(`%s ${all ? '?&' : '?|'} ${array}`, [lhs, ...keys.map(param)]);
  }
  const path = keyPaths.get(lhs);
  const base = path?.base ?? lhs;
  const prefix = path?.keys ?? [];
  const children = keys.map((k) => condition('JSON_TYPE(%s, %s) IS NOT NULL', [base, param(sqlitePath([...prefix, jsonKey(k)]))]));
  return children.length === 1 ? children[0]! : { kind: 'where', connector: all ? 'AND' : 'OR', negated: false, children };
}

function containment(operator: '@>' | '<@', name: string): FieldLookup {
  return (lhs, value, context) => {
    if (!context.features.hasNativeJson) {
      throw new NotSupportedError(
        `The ${name} lookup in ${context.path} is not supported on SQLite: JSON containment needs PostgreSQL's jsonb. ` +
          `On SQLite, compare keys instead (e.g. data__owner__name: 'Bob') or use hasKey.`,
      );
    }
    if (value === null) throw new FieldError(`The ${name} lookup in ${context.path} takes a JSON value, not null.`);
    return condition(`%s ${operator} %s`, [lhs, param(jsonText(value, context))]);
  };
}

/** The lookups a JSONField itself adds; `contains` means JSON containment, not LIKE. */
const FIELD_LOOKUPS: Readonly<Record<string, FieldLookup>> = {
  contains: containment('@>', 'contains'),
  containedBy: containment('<@', 'containedBy'),
  hasKey: (lhs, value, context) => hasKeys(lhs, [String(value)], true, context),
  hasKeys: (lhs, value, context) => hasKeys(lhs, keyList(value, context, 'hasKeys'), true, context),
  hasAnyKeys: (lhs, value, context) => hasKeys(lhs, keyList(value, context, 'hasAnyKeys'), false, context),
};

/** The lookups of a JSONField column: Django's JSON lookups, or undefined for the standard ones. */
export function jsonFieldLookup(name: string): FieldLookup | undefined {
  return FIELD_LOOKUPS[name];
}

/**
 * The value compared with a key on SQLite. Equality goes through JSON_EXTRACT of its JSON
 * text so objects and numbers line up; true/false/null as the JSON_TYPE words the key side
 * reads them as. Ordering compares the plain value, as Django does.
 */
function sqliteValue(value: unknown, equality: boolean, context: LookupContext): ExprNode {
  if (typeof value === 'boolean' || value === null) return param(String(value));
  if (!equality) return context.param(value);
  return { kind: 'raw', sql: "JSON_EXTRACT(%s, '$')", params: [param(jsonText(value, context))] };
}

function keyOf(lhs: ExprNode): KeyPath {
  const path = keyPaths.get(lhs);
  if (!path) throw new Error('A JSON key lookup was applied to something that is not a key transform.');
  return path;
}

const COMPARISONS = ['exact', 'gt', 'gte', 'lt', 'lte'] as const;

/**
 * The lookups after a key (`data__owner__name…`): `exact`, `in` and comparisons compare JSON
 * values (so `data__n: 1` does not match the string "1", and `null` matches a JSON null);
 * `isnull` asks whether the key is there; the text lookups (`icontains`, `startswith`,
 * `regex`…) read the value as text; JSON's own lookups apply to the nested value.
 */
export function jsonKeyLookup(name: string): FieldLookup | undefined {
  if (name in FIELD_LOOKUPS) return FIELD_LOOKUPS[name];
  if (name === 'isnull') {
    return (lhs, value, context) => {
      if (typeof value !== 'boolean') throw new FieldError(`The isnull lookup takes true or false; ${context.path} got ${JSON.stringify(value)}.`);
      if (context.features.hasNativeJson) return { kind: 'lookup', lookup: value ? 'isnull' : 'isnotnull', lhs, rhs: null };
      const { base, keys } = keyOf(lhs);
      return condition(`JSON_TYPE(%s, %s) IS ${value ? '' : 'NOT '}NULL`, [base, param(sqlitePath(keys))]);
    };
  }
  if ((COMPARISONS as readonly string[]).includes(name)) {
    return (lhs, value, context) => {
      if (value === undefined) throw new FieldError(`Filter ${context.path} got undefined; pass null to match a JSON null.`);
      const native = context.features.hasNativeJson;
      const rhs = native ? param(jsonText(value, context)) : sqliteValue(value, name === 'exact', context);
      return { kind: 'lookup', lookup: name, lhs, rhs };
    };
  }
  if (name === 'in') {
    return (lhs, value, context) => {
      if (!Array.isArray(value)) throw new FieldError(`The lookup ${context.path} takes a list of values; got ${JSON.stringify(value)}.`);
      if (!value.length) return { kind: 'nothing' };
      const native = context.features.hasNativeJson;
      const rhs = value.map((v) => (native ? param(jsonText(v, context)) : sqliteValue(v, true, context)));
      return { kind: 'lookup', lookup: 'in', lhs, rhs };
    };
  }
  if (PATTERN_LOOKUPS.has(name) || name === 'regex' || name === 'iregex') {
    return (lhs, value, context) => {
      if (value === null || value === undefined) throw new FieldError(`The ${name} lookup in ${context.path} takes a string.`);
      const { base, keys } = keyOf(lhs);
      const text = keyNode(base, keys, context.features, true);
      const rhs = PATTERN_LOOKUPS.has(name) ? likePattern(name, String(value)) : String(value);
      return { kind: 'lookup', lookup: name, lhs: text, rhs: param(rhs) };
    };
  }
  return undefined;
}
