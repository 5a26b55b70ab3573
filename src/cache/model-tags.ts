/**
 * Models as cache tags: a value stored with `dependsOn: [Book]` carries the tag
 * `model:catalog.book`, and every committed write to a Book outdates that tag
 * (see invalidation.ts).
 */
import type { ModelBase } from '../db/models/base.ts';

/** A model class, or its label as `'app_label.ModelName'`. */
export type ModelReference = typeof ModelBase | { readonly _meta: { readonly labelLower: string } } | string;

/** The tag a model's writes outdate. */
export function modelTag(model: ModelReference): string {
  const label = typeof model === 'string' ? model.toLowerCase() : model._meta.labelLower;
  return `model:${label}`;
}
