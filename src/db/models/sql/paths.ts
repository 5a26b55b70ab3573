/**
 * How a relation name in a `__` path becomes joins (Django's PathInfo).
 *
 * Forward ForeignKey/OneToOne: one join to the related table. Reverse
 * ForeignKey/OneToOne: one join to the table holding the key. Many-to-many,
 * either side: two joins, through the join table. Each hop says whether it
 * can multiply rows (multi-valued), which decides join reuse and exclude().
 */
import type { Field } from '../fields/field.ts';
import { ManyToManyField } from '../fields/many-to-many.ts';
import { ForeignKey, OneToOneField } from '../fields/related.ts';
import type { Options } from '../options.ts';

export interface Hop {
  readonly table: string;
  readonly parentColumn: string;
  readonly column: string;
  /** Metadata of the model joined in. */
  readonly meta: Options;
  readonly multi: boolean;
  /** Whether the joined row can be missing (nullable key or reverse side). */
  readonly nullable: boolean;
  readonly key: string;
}

export interface RelationPath {
  readonly hops: readonly Hop[];
  /**
   * When a path ends at the relation, the column compared without the last join
   * (the key already stored in the parent or the join table), and its field.
   */
  readonly trim: { readonly field: Field; readonly hopsBefore: number } | undefined;
  /** Field of the final model that `rel: value` and `rel__in` compare: its primary key. */
  readonly targetField: Field;
  readonly multi: boolean;
}

function metaOf(model: unknown): Options {
  return (model as { _meta: Options })._meta;
}

/** The joins for relation `name` from `meta`, or undefined when `name` is no relation. */
export function relationPath(meta: Options, name: string): RelationPath | undefined {
  const field = meta.findField(name);
  if (field instanceof ForeignKey && field.name === name) {
    const remote = metaOf(field.remoteModel);
    return {
      hops: [{ table: remote.dbTable, parentColumn: field.column, column: field.targetField.column, meta: remote, multi: false, nullable: field.null, key: `f:${name}` }],
      trim: { field, hopsBefore: 0 },
      targetField: field.targetField,
      multi: false,
    };
  }
  if (field instanceof ManyToManyField) return manyToManyPath(field, false);
  const related = meta.findRelatedObject(name);
  if (!related) return undefined;
  if (related.field instanceof ManyToManyField) return manyToManyPath(related.field, true);
  const fk = related.field;
  const child = metaOf(related.relatedModel);
  const multi = !(fk instanceof OneToOneField);
  return {
    hops: [{ table: child.dbTable, parentColumn: fk.targetField.column, column: fk.column, meta: child, multi, nullable: true, key: `r:${child.label}.${fk.name}` }],
    trim: undefined,
    targetField: child.pk,
    multi,
  };
}

function manyToManyPath(field: ManyToManyField, reverse: boolean): RelationPath {
  const through = metaOf(field.throughModel);
  const [near, far] = reverse ? [field.targetFkey, field.sourceFkey] : [field.sourceFkey, field.targetFkey];
  const end = metaOf(far.remoteModel);
  const key = `${reverse ? 'rm' : 'm'}:${field.model!._meta.label}.${field.name}`;
  return {
    hops: [
      { table: through.dbTable, parentColumn: near.targetField.column, column: near.column, meta: through, multi: true, nullable: true, key: `${key}:through` },
      { table: end.dbTable, parentColumn: far.column, column: far.targetField.column, meta: end, multi: false, nullable: true, key },
    ],
    trim: { field: far, hopsBefore: 1 },
    targetField: far.targetField,
    multi: true,
  };
}
