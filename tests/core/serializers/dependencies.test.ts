/**
 * sortDependencies(): dumpdata's order with natural keys, pass for pass as Django's (the
 * full case is the shelf app in dumpdata.test.ts against Django's own dump); here the
 * circles, on models of a registry of their own.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Apps } from '../../../src/conf/apps.ts';
import { DependencyCycleError, sortDependencies } from '../../../src/core/serializers/index.ts';
import { CASCADE, CharField, ForeignKey, ManyToManyField, Model, type ModelBase } from '../../../src/db/index.ts';

const registry = new Apps();
const options = { appLabel: 'cyc', apps: registry };

class Egg extends Model<Egg>()({ name: new CharField({ maxLength: 10 }), hen: new ForeignKey<Hen, true>('cyc.Hen', { onDelete: CASCADE, null: true }) }, options) {
  naturalKey(): [string] {
    return [this.name];
  }
}
class Hen extends Model<Hen>()({ name: new CharField({ maxLength: 10 }), egg: new ForeignKey(() => Egg, { onDelete: CASCADE, null: true }) }, options) {
  naturalKey(): [string] {
    return [this.name];
  }
}
class Nest extends Model<Nest>()({ hens: new ManyToManyField(() => Hen), eggs: new ManyToManyField(() => Egg) }, options) {}
class Straw extends Model<Straw>()({ nest: new ForeignKey(() => Nest, { onDelete: CASCADE }) }, options) {}

const models = [Straw, Nest, Egg, Hen] as unknown as (typeof ModelBase)[];
for (const model of models) void model._meta; // registered, so 'cyc.Hen' resolves

describe('sortDependencies', () => {
  test('models whose natural keys need each other cannot be ordered: Django\'s error, names sorted', () => {
    assert.throws(() => sortDependencies(models), (error: Error) =>
      error instanceof DependencyCycleError && error.message === "Can't resolve dependencies for cyc.Egg, cyc.Hen, cyc.Nest in serialized app list.");
  });

  test('with allowCycles the model that stalled last is taken, pass after pass (Django 5.2 gives this order)', () => {
    // Pass 1: Straw; Nest, Egg and Hen wait. Pass 2 walks them backwards (Hen, Egg, Nest):
    // none is ready, so Nest, the last to stall, is taken. Pass 3 (Egg, Hen) takes Hen; then Egg.
    assert.deepEqual(sortDependencies(models, { allowCycles: true }).map((m) => m.name), ['Straw', 'Nest', 'Hen', 'Egg']);
  });

  test('a relation to a model outside the list does not hold anything back', () => {
    assert.deepEqual(sortDependencies([Straw, Nest] as unknown as (typeof ModelBase)[]).map((m) => m.name), ['Straw', 'Nest']);
  });
});
