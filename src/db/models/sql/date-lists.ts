/** The query behind dates() and datetimes(): distinct values of a date column truncated to a unit. */
import { FieldError } from '../../../core/exceptions.ts';
import { QNode } from '../query-utils.ts';
import type { ExprNode, SelectItem } from './nodes.ts';
import type { Query } from './query.ts';

/**
 * A copy of `base` selecting DISTINCT `field` truncated to `kind`, non-null,
 * ordered; `zone` (for datetimes) is the time zone the truncation happens in.
 */
export function truncatedDatesQuery(base: Query, field: string, kind: string, order: 'ASC' | 'DESC', zone: string | null): Query {
  if (order !== 'ASC' && order !== 'DESC') throw new FieldError("order must be 'ASC' or 'DESC'.");
  const query = base.clone();
  const { node } = query.resolveRef(field);
  const truncated: ExprNode = {
    kind: 'func',
    name: 'nuages_date_trunc',
    args: [{ kind: 'param', value: kind }, node, { kind: 'param', value: zone }],
  };
  query.addFilter(new QNode({ [`${field}__isnull`]: false }), false);
  query.valuesSelect = [{ name: 'value', expr: truncated, field: undefined } satisfies SelectItem];
  query.distinct = true;
  query.ordering = [{ expr: truncated, descending: order === 'DESC', nullsFirst: false, nullsLast: false }];
  return query;
}
