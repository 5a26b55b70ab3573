/**
 * Compares two project states (the one the migrations build, and today's
 * models) and lists the operations that turn one into the other.
 *
 * renamed models (asked) → created models (ordered by their relations) →
 * per kept model: renamed fields (asked), removed/added/altered fields,
 * table, options, uniqueTogether, indexes, constraints → deleted models.
 * Then `arrangeForGraph` names each app's migration and adds dependencies.
 */
import { Field } from '../models/fields/field.ts';
import { ForeignKey } from '../models/fields/related.ts';
import { ManyToManyField } from '../models/fields/many-to-many.ts';
import type { Constraint, Index } from '../models/indexes.ts';
import type { MigrationGraph } from './graph.ts';
import { splitKey } from './graph.ts';
import type { MigrationKey } from './migration.ts';
import type { Operation } from './operations/base.ts';
import { AddField, AlterField, RemoveField, RenameField } from './operations/fields.ts';
import {
  AddConstraint, AddIndex, AlterModelOptions, AlterModelTable, AlterUniqueTogether, CreateModel, DeleteModel,
  RemoveConstraint, RemoveIndex, RenameIndex, RenameModel,
} from './operations/models.ts';
import { MigrationQuestioner } from './questioner.ts';
import { Imports, serialize, serializeField } from './serializer.ts';
import { ALTER_OPTION_KEYS, type ModelState, type ProjectState, type StateOptions } from './state.ts';
import { suggestName } from './writer.ts';

/** The phases operations of one app are emitted in, so each finds what it needs. */
const PHASES = [
  'renameModel', 'createModel', 'renameField', 'removeIndex', 'removeConstraint', 'uniqueTogetherBefore', 'removeField',
  'addField', 'alterField', 'alterTable', 'alterOptions', 'uniqueTogether', 'addIndex', 'addConstraint', 'deleteModel',
] as const;
type Phase = (typeof PHASES)[number];

/** A migration makemigrations will write. */
export interface PlannedMigration {
  readonly appLabel: string;
  name: string;
  readonly operations: Operation[];
  readonly dependencies: MigrationKey[];
  readonly initial: boolean;
}

function code(value: unknown): string {
  return value instanceof Field ? serializeField(value, new Imports()) : serialize(value, new Imports());
}

function isRelation(field: Field): field is ForeignKey | ManyToManyField {
  return field instanceof ForeignKey || field instanceof ManyToManyField;
}

/** `app.model` (lower case) a relation field points to, from `appLabel`. */
function targetOf(field: ForeignKey | ManyToManyField, appLabel: string, modelName: string): string {
  const target = typeof field.target === 'string' ? field.target : '';
  if (target === 'self') return `${appLabel}.${modelName.toLowerCase()}`;
  return (target.includes('.') ? target : `${appLabel}.${target}`).toLowerCase();
}

function needsOneOffDefault(field: Field): boolean {
  const auto = (field as { autoNow?: boolean; autoNowAdd?: boolean }).autoNow || (field as { autoNowAdd?: boolean }).autoNowAdd;
  return !field.null && !field.hasDefault() && !field.hasDbDefault() && !(field instanceof ManyToManyField) &&
    !(field.blank && field.emptyStringsAllowed) && !auto && !field.isAuto;
}

/** A copy of a field with a default added (for a one-off default). */
function withDefault(field: Field, value: unknown): Field {
  if (field instanceof ForeignKey) {
    const Ctor = field.constructor as new (to: unknown, options: unknown) => Field;
    return new Ctor(field.target, { ...field.options, default: value });
  }
  const Ctor = field.constructor as new (options: unknown) => Field;
  return new Ctor({ ...field.options, default: value });
}

export class MigrationAutodetector {
  readonly fromState: ProjectState;
  readonly toState: ProjectState;
  readonly questioner: MigrationQuestioner;
  #ops = new Map<string, Map<Phase, Operation[]>>();

  constructor(fromState: ProjectState, toState: ProjectState, questioner: MigrationQuestioner = new MigrationQuestioner()) {
    this.fromState = fromState;
    this.toState = toState;
    this.questioner = questioner;
  }

  #add(appLabel: string, phase: Phase, operation: Operation): void {
    let phases = this.#ops.get(appLabel);
    if (!phases) this.#ops.set(appLabel, (phases = new Map()));
    const list = phases.get(phase) ?? [];
    list.push(operation);
    phases.set(phase, list);
  }

  /** Operations per app label, limited to `appLabels` when given. */
  async changes(appLabels?: ReadonlySet<string>): Promise<Map<string, Operation[]>> {
    this.#ops = new Map();
    const from = this.fromState.clone();
    const to = this.toState;
    const inScope = (key: string) => !appLabels || appLabels.has(splitKey(key)[0]);
    let oldKeys = [...from.models.keys()].filter(inScope);
    const newKeys = [...to.models.keys()].filter(inScope);

    // Renamed models: same fields under a new name, confirmed by the questioner.
    for (const key of newKeys.filter((k) => !oldKeys.includes(k))) {
      const model = to.models.get(key)!;
      for (const oldKey of oldKeys.filter((k) => !newKeys.includes(k))) {
        const old = from.models.get(oldKey)!;
        if (old.appLabel !== model.appLabel || fieldsSignature(old) !== fieldsSignature(model)) continue;
        if (!(await this.questioner.askRenameModel(old, model))) continue;
        const operation = new RenameModel({ oldName: old.name, newName: model.name });
        operation.stateForwards(old.appLabel, from);
        this.#add(model.appLabel, 'renameModel', operation);
        oldKeys = oldKeys.filter((k) => k !== oldKey).concat(key);
        break;
      }
    }

    this.#createdModels(newKeys.filter((k) => !oldKeys.includes(k)).map((k) => to.models.get(k)!));
    for (const key of newKeys.filter((k) => oldKeys.includes(k))) {
      await this.#keptModel(from.models.get(key)!, to.models.get(key)!);
    }
    this.#deletedModels(oldKeys.filter((k) => !newKeys.includes(k)).map((k) => from.models.get(k)!));

    const result = new Map<string, Operation[]>();
    for (const [app, phases] of [...this.#ops].sort(([a], [b]) => a.localeCompare(b))) {
      const list = PHASES.flatMap((phase) => phases.get(phase) ?? []);
      if (list.length) result.set(app, list);
    }
    return result;
  }

  #createdModels(models: ModelState[]): void {
    const created = new Set(models.map((m) => m.key));
    const ordered: ModelState[] = [];
    const visiting = new Set<string>();
    const deferred: [ModelState, string, Field][] = [];
    const visit = (model: ModelState) => {
      if (ordered.includes(model)) return;
      visiting.add(model.key);
      for (const [name, field] of model.fields) {
        if (!isRelation(field)) continue;
        const target = targetOf(field, model.appLabel, model.name);
        if (target === model.key || !created.has(target)) continue;
        // A cycle between new models: this relation is added once both exist.
        if (visiting.has(target)) deferred.push([model, name, field]);
        else visit(models.find((m) => m.key === target)!);
      }
      visiting.delete(model.key);
      ordered.push(model);
    };
    for (const model of [...models].sort((a, b) => a.key.localeCompare(b.key))) visit(model);
    for (const model of ordered) {
      const fields = [...model.fields].filter(([name]) => !deferred.some(([m, n]) => m === model && n === name));
      this.#add(model.appLabel, 'createModel', new CreateModel({ name: model.name, fields, options: model.options }));
    }
    for (const [model, name, field] of deferred) this.#add(model.appLabel, 'addField', new AddField({ modelName: model.nameLower, name, field }));
  }

  #deletedModels(models: ModelState[]): void {
    for (const model of models.sort((a, b) => b.key.localeCompare(a.key))) {
      this.#add(model.appLabel, 'deleteModel', new DeleteModel({ name: model.name }));
    }
  }

  async #keptModel(old: ModelState, model: ModelState): Promise<void> {
    const app = model.appLabel;
    const modelName = model.nameLower;
    const removed = [...old.fields.keys()].filter((name) => !model.fields.has(name));
    const added = [...model.fields.keys()].filter((name) => !old.fields.has(name));
    const renamed = new Map<string, string>();
    for (const name of added) {
      const field = model.fields.get(name)!;
      for (const oldName of removed) {
        if (renamed.has(oldName) || code(old.fields.get(oldName)) !== code(field)) continue;
        if (!(await this.questioner.askRenameField(model, oldName, name, field))) continue;
        renamed.set(oldName, name);
        this.#add(app, 'renameField', new RenameField({ modelName, oldName, newName: name }));
        break;
      }
    }
    const renamedTo = new Set(renamed.values());
    const removedFields = removed.filter((name) => !renamed.has(name));
    for (const name of removedFields) this.#add(app, 'removeField', new RemoveField({ modelName, name }));
    for (const name of added.filter((n) => !renamedTo.has(n))) {
      const field = model.fields.get(name)!;
      if (needsOneOffDefault(field)) {
        const value = await this.questioner.askNotNullAddition(model, name);
        this.#add(app, 'addField', new AddField({ modelName, name, field: withDefault(field, value), preserveDefault: false }));
      } else {
        this.#add(app, 'addField', new AddField({ modelName, name, field }));
      }
    }
    for (const [name, field] of model.fields) {
      const oldField = old.fields.get(name);
      if (!oldField || code(oldField) === code(field)) continue;
      if (oldField.null && !field.null && needsOneOffDefault(field)) {
        const value = await this.questioner.askNotNullAlteration(model, name);
        if (value !== undefined) {
          this.#add(app, 'alterField', new AlterField({ modelName, name, field: withDefault(field, value), preserveDefault: false }));
          continue;
        }
      }
      this.#add(app, 'alterField', new AlterField({ modelName, name, field }));
    }
    this.#options(old, model, new Set(removedFields), renamed);
  }

  #options(old: ModelState, model: ModelState, removedFields: ReadonlySet<string>, renamed: ReadonlyMap<string, string>): void {
    const app = model.appLabel;
    const modelName = model.nameLower;
    if (old.dbTable !== model.dbTable) this.#add(app, 'alterTable', new AlterModelTable({ name: model.name, table: model.options.dbTable }));

    const pick = (options: StateOptions) => Object.fromEntries(ALTER_OPTION_KEYS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
    const oldOptions = pick(old.options);
    // Renamed fields are renamed in the ordering by RenameField itself.
    if (oldOptions['ordering']) {
      oldOptions['ordering'] = (oldOptions['ordering'] as string[]).map((o) => {
        const bare = o.replace(/^-/, '');
        return renamed.has(bare) ? o.replace(bare, renamed.get(bare)!) : o;
      });
    }
    if (code(oldOptions) !== code(pick(model.options))) this.#add(app, 'alterOptions', new AlterModelOptions({ name: model.name, options: pick(model.options) }));

    const rename = (set: readonly string[]) => set.map((n) => renamed.get(n) ?? n);
    const oldSets = (old.options.uniqueTogether ?? []).map(rename);
    const newSets = model.options.uniqueTogether ?? [];
    if (code(oldSets) !== code(newSets)) {
      const kept = oldSets.filter((set) => !set.some((n) => removedFields.has(n)));
      if (kept.length !== oldSets.length) this.#add(app, 'uniqueTogetherBefore', new AlterUniqueTogether({ name: model.name, uniqueTogether: kept }));
      if (code(kept) !== code(newSets)) this.#add(app, 'uniqueTogether', new AlterUniqueTogether({ name: model.name, uniqueTogether: newSets }));
    }

    const oldIndexes = new Map((old.options.indexes ?? []).map((i) => [i.name!, i]));
    const newIndexes = new Map((model.options.indexes ?? []).map((i) => [i.name!, i]));
    // An index is renamed only when everything but its name is the same, its class (Index → GinIndex) included.
    const indexShape = (i: Index) => {
      const { path, name, args } = i.deconstruct();
      return code({ path, name, args: args.map((a) => (a && typeof a === 'object' ? { ...a, name: undefined } : a)) });
    };
    const goneIndexes = [...oldIndexes.values()].filter((i) => code(newIndexes.get(i.name!)) !== code(i));
    const newOnes = [...newIndexes.values()].filter((i) => code(oldIndexes.get(i.name!)) !== code(i));
    for (const index of newOnes) {
      const was = goneIndexes.find((g) => indexShape(g) === indexShape(index) && !newIndexes.has(g.name!));
      if (was) {
        goneIndexes.splice(goneIndexes.indexOf(was), 1);
        this.#add(app, 'addIndex', new RenameIndex({ modelName, oldName: was.name!, newName: index.name! }));
      } else {
        this.#add(app, 'addIndex', new AddIndex({ modelName, index }));
      }
    }
    for (const index of goneIndexes) this.#add(app, 'removeIndex', new RemoveIndex({ modelName, name: index.name! }));

    const oldConstraints = new Map((old.options.constraints ?? []).map((c) => [c.name, c]));
    const newConstraints = new Map((model.options.constraints ?? []).map((c) => [c.name, c]));
    for (const constraint of oldConstraints.values()) {
      if (code(newConstraints.get(constraint.name)) !== code(constraint)) this.#add(app, 'removeConstraint', new RemoveConstraint({ modelName, name: constraint.name }));
    }
    for (const constraint of newConstraints.values()) {
      if (code(oldConstraints.get(constraint.name)) !== code(constraint)) this.#add(app, 'addConstraint', new AddConstraint({ modelName, constraint: constraint as Constraint }));
    }
  }
}

function fieldsSignature(model: ModelState): string {
  return [...model.fields].map(([name, field]) => `${name}=${isRelation(field) ? field.constructor.name : code(field)}`).join(';');
}

/**
 * Names each app's migration (`0002_book_rating`) and adds dependencies: the
 * app's latest migration, and the migrations of other apps its relations need.
 */
export function arrangeForGraph(
  changes: ReadonlyMap<string, Operation[]>,
  graph: MigrationGraph,
  options: { migrationName?: string; now?: Date } = {},
): PlannedMigration[] {
  const planned = new Map<string, PlannedMigration>();
  for (const [app, operations] of changes) {
    const leaf = graph.leafNodes(app)[0];
    const number = leaf ? Number(splitKey(leaf)[1].slice(0, 4)) + 1 : 1;
    const migration: PlannedMigration = {
      appLabel: app,
      name: '',
      operations,
      dependencies: leaf ? [splitKey(leaf)] : [],
      initial: !leaf,
    };
    migration.name = `${String(number).padStart(4, '0')}_${options.migrationName ?? suggestName(migration, options.now)}`;
    planned.set(app, migration);
  }
  for (const migration of planned.values()) {
    const needed = new Set<string>();
    const visit = (operation: Operation) => {
      const fields: Field[] = [];
      if (operation instanceof CreateModel) fields.push(...operation.fields.map(([, f]) => f));
      if (operation instanceof AddField || operation instanceof AlterField) fields.push(operation.field);
      for (const field of fields) {
        if (!isRelation(field) || typeof field.target !== 'string' || !field.target.includes('.')) continue;
        const app = field.target.split('.')[0]!;
        if (app !== migration.appLabel) needed.add(app);
        if (field instanceof ManyToManyField && typeof field.m2mOptions.through === 'string' && field.m2mOptions.through.includes('.')) {
          const throughApp = field.m2mOptions.through.split('.')[0]!;
          if (throughApp !== migration.appLabel) needed.add(throughApp);
        }
      }
    };
    migration.operations.forEach(visit);
    for (const app of [...needed].sort()) {
      const other = planned.get(app);
      if (other) migration.dependencies.push([app, other.name]);
      else {
        const leaf = graph.leafNodes(app)[0];
        if (leaf) migration.dependencies.push(splitKey(leaf));
      }
    }
  }
  return [...planned.values()];
}
