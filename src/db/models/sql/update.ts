/** The SET list of QuerySet.update(): each field with the value or expression it gets. */
import { FieldError } from '../../../core/exceptions.ts';
import { Expression } from '../expressions.ts';
import type { Field } from '../fields/field.ts';
import { ForeignKey } from '../fields/related.ts';
import type { ExprNode } from './nodes.ts';
import type { Query } from './query.ts';

/**
 * Resolves `{ field: value | F(...) }` against `query`. Values are converted by
 * their field (a wrong type names the field); expressions may read only the
 * row's own columns, as UPDATE cannot join (Django refuses the same).
 */
export function updateAssignments(query: Query, values: Record<string, unknown>): [Field, ExprNode][] {
  const meta = query.meta;
  return Object.entries(values).map(([name, value]) => {
    const field = meta.getField(name);
    if (field.primaryKey && meta.pk.isAuto) {
      throw new FieldError(`update() cannot change ${meta.objectName}'s auto primary key.`);
    }
    if (!(value instanceof Expression)) {
      if (field instanceof ForeignKey) return [field, { kind: 'param', value: field.toDb(field.getPrepValue(value), query.features) }];
      return [field, query.resolveValue(value, field)];
    }
    const joinsBefore = query.joins.length;
    const node = query.resolveExpression(value, false).node;
    if (query.joins.length !== joinsBefore) {
      throw new FieldError(`update() value for '${name}' references a related field; UPDATE can only read the row's own columns, as in Django.`);
    }
    return [field, node];
  });
}
