/**
 * get() by a unique key skips the query tree: its SQL and row mapper are
 * planned once per model, field and connection, and each call only binds the
 * key. This keeps `Model.objects.get({ pk })` close to a hand-written statement.
 */
import type { DatabaseWrapper } from '../../backends/base/connection.ts';
import type { ModelBase } from '../base.ts';
import type { Field } from '../fields/field.ts';
import { instanceMapper, type RowMapper } from '../row-mapper.ts';
import { compilerFor } from './backend.ts';
import { Query } from './query.ts';

type ModelCtor = typeof ModelBase;

export interface KeyPlan {
  readonly sql: string;
  readonly map: RowMapper<unknown>;
}

const keyPlans = new WeakMap<DatabaseWrapper, Map<Field, KeyPlan>>();

/** The compiled `SELECT … WHERE key = ? LIMIT 21` of get() by a unique field, built once. */
export function keyPlan(model: ModelCtor, field: Field, connection: DatabaseWrapper, limit: number): KeyPlan {
  let plans = keyPlans.get(connection);
  if (!plans) keyPlans.set(connection, (plans = new Map()));
  let plan = plans.get(field);
  if (!plan) {
    const query = new Query(model as never, connection.features);
    // The key is the only parameter; its value is bound per call.
    const lhs = { kind: 'col', alias: query.alias, column: field.column, field } as const;
    query.where = { kind: 'where', connector: 'AND', negated: false, children: [{ kind: 'lookup', lookup: 'exact', lhs, rhs: { kind: 'param', value: null } }] };
    query.noOrdering = true;
    query.ordering = [];
    query.setLimits(undefined, limit);
    const compiled = compilerFor(connection).compileSelect(query);
    plan = { sql: compiled.sql, map: instanceMapper(model.prototype, compiled.sql, compiled.columns, connection.features) };
    plans.set(field, plan);
  }
  return plan;
}
