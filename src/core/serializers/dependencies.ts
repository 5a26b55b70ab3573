/**
 * The order dumpdata writes models in when natural keys are used (Django's
 * sort_dependencies): a model after the models its natural keys need, so loading
 * the fixture finds each natural key's row already there.
 */
import { NuagesError } from '../errors.ts';
import type { ModelBase } from '../../db/models/base.ts';
import { ForeignKey } from '../../db/models/fields/related.ts';
import { hasNaturalKey, naturalKeyDependencies } from './natural-keys.ts';

type ModelCtor = typeof ModelBase;

/** Models whose natural keys need each other in a circle, so no order works. */
export class DependencyCycleError extends NuagesError {
  readonly code = 'NUAGES_SERIALIZATION_DEPENDENCY_CYCLE';
}

/**
 * What `model` needs written first: the models its `naturalKeyDependencies` name, and
 * the models with natural keys its foreign keys and automatic many-to-many fields point
 * to (a relation to itself does not count).
 */
function dependenciesOf(model: ModelCtor): ModelCtor[] {
  const deps = hasNaturalKey(model) ? naturalKeyDependencies(model) : [];
  const related = [
    ...model._meta.fields.filter((f): f is ForeignKey => f instanceof ForeignKey),
    ...model._meta.autoCreatedManyToMany,
  ];
  for (const field of related) {
    const remote = field.remoteModel as unknown as ModelCtor;
    if (remote !== model && hasNaturalKey(remote)) deps.push(remote);
  }
  return deps;
}

/**
 * `models` reordered so that each comes after the models it depends on, as Django orders
 * them (the same passes, so the same order for the same input). With `allowCycles`, a
 * circle is broken by taking the model that stalled last (dumpdata does); without, it fails.
 *
 * @throws DependencyCycleError naming the models that depend on each other.
 */
export function sortDependencies(models: readonly ModelCtor[], options: { allowCycles?: boolean } = {}): ModelCtor[] {
  const present = new Set(models);
  const sorted: ModelCtor[] = [];
  // A stack read from its end: each pass walks what the last one left in the other direction, as Django's does.
  let pending = models.map((model) => ({ model, deps: dependenciesOf(model) })).reverse();
  while (pending.length) {
    const skipped: typeof pending = [];
    let changed = false;
    while (pending.length) {
      const entry = pending.pop()!;
      if (entry.deps.every((dep) => !present.has(dep) || sorted.includes(dep))) {
        sorted.push(entry.model);
        changed = true;
      } else {
        skipped.push(entry);
      }
    }
    if (!changed) {
      if (!options.allowCycles) {
        const names = [...skipped].sort((a, b) => (a.model.name < b.model.name ? -1 : 1)).map(({ model }) => `${model._meta.appLabel}.${model._meta.objectName}`);
        throw new DependencyCycleError(`Can't resolve dependencies for ${names.join(', ')} in serialized app list.`);
      }
      sorted.push(skipped.pop()!.model);
    }
    pending = skipped;
  }
  return sorted;
}
