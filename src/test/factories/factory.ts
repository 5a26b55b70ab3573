/**
 * `factory(Model, declarations, options)`: test objects with sensible defaults, in the
 * spirit of factory_boy's DjangoModelFactory.
 *
 * build()/create() → overrides split (traits, fields, `name__x`) → declarations merged
 * (factory, traits, call) and checked against the model → subFactory objects made →
 * attributes resolved (resolve.ts) → `new Model()` or `Model.objects.create()` /
 * `getOrCreate()` → postGeneration hooks and relatedFactory objects.
 */
import type { ModelBase, QuerySet } from '../../db/index.ts';
import {
  declarationOf, factoryOf, kindOf, type Declarations, type FactoryAttributes, type FactoryModel, type Made, type RelatedFactory,
  type AttributeDeclaration,
} from './declarations.ts';
import { FactoryDeclarationError, FactoryFieldError, FactoryTraitError } from './errors.ts';
import { makeSubObjects, resolveAttributes, type ResolveContext, type Strategy } from './resolve.ts';

/** What a postGeneration hook is told besides the object and the value passed under its name. */
export interface PostGenerationContext {
  /** True under create(), false under build(). */
  readonly create: boolean;
  /** `tags__x`-style overrides given at the call, keyed without the prefix. */
  readonly overrides: Readonly<Record<string, unknown>>;
}

/**
 * Runs once the object is made (saved, under create()): `extracted` is the value passed
 * under the hook's name (`create({ tags: [a, b] })`), undefined when none was.
 */
export type PostGenerationHook<M extends FactoryModel> = (
  obj: Made<M>,
  extracted: unknown,
  context: PostGenerationContext,
) => unknown;

/** The options of `factory()`: traits, what runs after the object is made, get-or-create keys. */
export interface FactoryOptions<M extends FactoryModel, T extends string, P extends string> {
  /** Named groups of declarations, switched on with `{ traits: ['outOfPrint'] }`. */
  traits?: { readonly [K in T]: Declarations<M> };
  /** Hooks and relatedFactory declarations run in order after the object is made. */
  postGeneration?: { readonly [K in P]: PostGenerationHook<M> | RelatedFactory };
  /** Fields create() looks the object up by first, creating it only when none matches (django_get_or_create). */
  djangoGetOrCreate?: readonly (keyof FactoryAttributes<M> & string)[];
}

/**
 * What build()/create() accept: field values or declarations, `traits`, a value per
 * postGeneration name, and `sub__field` overrides for subFactory and relatedFactory objects.
 */
export type Overrides<M extends FactoryModel, T extends string = string, P extends string = string> = {
  [K in keyof FactoryAttributes<M>]?: AttributeDeclaration<FactoryAttributes<M>[K], FactoryAttributes<M>>;
} & { traits?: readonly T[] } & { [K in P]?: unknown } & { [deep: `${string}__${string}`]: unknown };

/** A sequence counter, shared by a factory and those extend() makes from it. */
interface Counter {
  next: number;
}

interface FactoryState<M extends FactoryModel> {
  readonly declarations: Readonly<Record<string, unknown>>;
  readonly traits: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly postGeneration: Readonly<Record<string, PostGenerationHook<M> | RelatedFactory>>;
  readonly getOrCreate: readonly string[];
  readonly counter: Counter;
}

/** Makes objects of one model; see `factory()`. */
export class Factory<M extends FactoryModel, T extends string = never, P extends string = never> {
  readonly model: M;
  readonly #state: FactoryState<M>;

  constructor(model: M, state: FactoryState<M>) {
    this.model = model;
    this.#state = state;
  }

  /** An unsaved object; subFactory objects are built, not saved. No query unless a hook sends one. */
  build(overrides: Overrides<M, T, P> = {}): Promise<Made<M>> {
    return this.#make('build', overrides);
  }

  /** A saved object (one INSERT, after those of its subFactory objects), then its postGeneration hooks. */
  create(overrides: Overrides<M, T, P> = {}): Promise<Made<M>> {
    return this.#make('create', overrides);
  }

  /** `count` unsaved objects, made one after the other (their sequence numbers follow). */
  buildBatch(count: number, overrides: Overrides<M, T, P> = {}): Promise<Made<M>[]> {
    return this.#batch('build', count, overrides);
  }

  /** `count` saved objects, made one after the other. */
  createBatch(count: number, overrides: Overrides<M, T, P> = {}): Promise<Made<M>[]> {
    return this.#batch('create', count, overrides);
  }

  /**
   * A factory for the same model with more or other declarations, traits and hooks;
   * it shares this factory's sequence counter, as a factory_boy subclass does.
   */
  extend<T2 extends string = never, P2 extends string = never>(
    declarations: Declarations<M>,
    options: FactoryOptions<M, T2, P2> = {},
  ): Factory<M, T | T2, P | P2> {
    const state = this.#state;
    return new Factory<M, T | T2, P | P2>(this.model, {
      declarations: { ...state.declarations, ...declarations },
      traits: { ...state.traits, ...(options.traits as Record<string, Record<string, unknown>> | undefined) },
      postGeneration: { ...state.postGeneration, ...(options.postGeneration as Record<string, PostGenerationHook<M>> | undefined) },
      getOrCreate: options.djangoGetOrCreate ?? state.getOrCreate,
      counter: state.counter,
    });
  }

  /** Sets the next sequence number (0 by default) for this factory and those sharing its counter. */
  resetSequence(next = 0): void {
    this.#state.counter.next = next;
  }

  async #batch(strategy: Strategy, count: number, overrides: Overrides<M, T, P>): Promise<Made<M>[]> {
    const objects: Made<M>[] = [];
    for (let i = 0; i < count; i++) objects.push(await this.#make(strategy, overrides));
    return objects;
  }

  async #make(strategy: Strategy, overrides: Overrides<M, T, P>): Promise<Made<M>> {
    const state = this.#state;
    const call = splitOverrides(overrides as Record<string, unknown>, state.postGeneration);
    const declarations = new Map(Object.entries({ ...state.declarations, ...this.#traitDeclarations(call.traits), ...call.fields }));
    this.#checkFields(declarations);
    this.#checkDeepTargets(declarations, call.deep);
    const context: ResolveContext = { modelName: this.#meta.objectName, strategy, n: state.counter.next++, deep: call.deep };
    const made = await makeSubObjects(declarations, context);
    const attributes = resolveAttributes(declarations, made, context);
    const obj = strategy === 'create' ? await this.#save(attributes) : new this.model(attributes);
    await this.#postGenerate(obj as Made<M>, strategy, call);
    return obj as Made<M>;
  }

  get #meta(): ModelMeta {
    return (this.model as unknown as typeof ModelBase)._meta;
  }

  #traitDeclarations(names: readonly string[]): Record<string, unknown> {
    const merged: Record<string, unknown> = {};
    for (const name of names) {
      const trait = Object.hasOwn(this.#state.traits, name) ? this.#state.traits[name] : undefined;
      if (!trait) {
        const known = Object.keys(this.#state.traits);
        throw new FactoryTraitError(
          `The ${this.#meta.objectName} factory has no trait '${name}'. ` +
            (known.length ? `Its traits are: ${known.join(', ')}.` : 'It declares no traits; add them with { traits: { name: {...} } }.'),
        );
      }
      Object.assign(merged, trait);
    }
    return merged;
  }

  /** Every declared name must be a concrete field of the model (or its `…Id` key). */
  #checkFields(declarations: ReadonlyMap<string, unknown>): void {
    const meta = this.#meta;
    for (const name of declarations.keys()) {
      if (meta.manyToMany.some((field) => field.name === name)) {
        throw new FactoryFieldError(
          `${meta.objectName}.${name} is a many-to-many field, set once the object is saved: declare it as ` +
            `postGeneration: { ${name}: async (obj, extracted) => { if (extracted) await obj.${name}.set(extracted); } }.`,
        );
      }
      if (!meta.findField(name)) {
        const hooks = Object.keys(this.#state.postGeneration);
        throw new FactoryFieldError(
          `The ${meta.objectName} factory was given '${name}', which is not a field of ${meta.objectName}. ` +
            `Fields are: ${meta.fields.map((f) => f.name).join(', ')}` +
            (hooks.length ? `; postGeneration names: ${hooks.join(', ')}.` : '.'),
        );
      }
    }
  }

  /** `name__x` overrides need a subFactory or a postGeneration entry under `name` to receive them. */
  #checkDeepTargets(declarations: ReadonlyMap<string, unknown>, deep: ReadonlyMap<string, Record<string, unknown>>): void {
    for (const [prefix, values] of deep) {
      const declaration = declarationOf(declarations.get(prefix));
      if (declaration && kindOf(declaration) === 'subFactory') continue;
      if (Object.hasOwn(this.#state.postGeneration, prefix)) continue;
      const first = Object.keys(values)[0];
      throw new FactoryDeclarationError(
        `The ${this.#meta.objectName} factory was given '${prefix}__${first}', but '${prefix}' is not a subFactory, ` +
          `relatedFactory or postGeneration hook of it. Declare ${prefix}: subFactory(...), or set the value on the related object yourself.`,
      );
    }
  }

  async #save(attributes: Record<string, unknown>): Promise<ModelBase> {
    const objects = (this.model as unknown as { objects: QuerySet<ModelBase> }).objects;
    const keys = this.#state.getOrCreate;
    if (!keys.length) return objects.create(attributes);
    const lookups: Record<string, unknown> = {};
    const defaults: Record<string, unknown> = { ...attributes };
    for (const key of keys) {
      if (!(key in attributes)) {
        throw new FactoryDeclarationError(
          `The ${this.#meta.objectName} factory looks objects up by '${key}' (djangoGetOrCreate) but declares no value for it; declare ${key} or pass it to create().`,
        );
      }
      lookups[key] = attributes[key];
      delete defaults[key];
    }
    const [obj] = await objects.getOrCreate(lookups, defaults);
    return obj;
  }

  async #postGenerate(obj: Made<M>, strategy: Strategy, call: SplitOverrides): Promise<void> {
    for (const [name, hook] of Object.entries(this.#state.postGeneration)) {
      const deep = call.deep.get(name) ?? {};
      const provided = Object.hasOwn(call.postGeneration, name);
      if (typeof hook === 'function') {
        await hook(obj, call.postGeneration[name], { create: strategy === 'create', overrides: deep });
        continue;
      }
      // As factory_boy's RelatedFactory: a value passed under its name replaces the related objects.
      if (provided) continue;
      const maker = factoryOf(hook.factory);
      for (let i = 0; i < hook.count; i++) {
        const overrides = { ...hook.overrides, ...deep, [hook.relatedName]: obj } as never;
        await (strategy === 'create' ? maker.create(overrides) : maker.build(overrides));
      }
    }
  }
}

type ModelMeta = (typeof ModelBase)['_meta'];

interface SplitOverrides {
  readonly traits: readonly string[];
  readonly fields: Record<string, unknown>;
  readonly postGeneration: Record<string, unknown>;
  readonly deep: Map<string, Record<string, unknown>>;
}

/** Sorts a call's overrides into traits, field values, postGeneration values and `a__b` groups. */
function splitOverrides(overrides: Record<string, unknown>, postGeneration: Readonly<Record<string, unknown>>): SplitOverrides {
  const { traits = [], ...rest } = overrides as { traits?: readonly string[] };
  const split: SplitOverrides = { traits, fields: {}, postGeneration: {}, deep: new Map() };
  for (const [key, value] of Object.entries(rest)) {
    const cut = key.indexOf('__');
    if (cut > 0) {
      const prefix = key.slice(0, cut);
      if (!split.deep.has(prefix)) split.deep.set(prefix, {});
      split.deep.get(prefix)![key.slice(cut + 2)] = value;
    } else if (Object.hasOwn(postGeneration, key)) split.postGeneration[key] = value;
    else split.fields[key] = value;
  }
  return split;
}

/**
 * Declares a factory for `model`: each attribute a plain value, a function called per
 * object, or a declaration (`sequence`, `lazy`, `lazyAttribute`, `subFactory`).
 * Names are checked against the model on first use (FactoryFieldError lists its fields).
 *
 * ```ts
 * const AuthorFactory = factory(Author, {
 *   name: () => faker.person.fullName(),
 *   email: sequence((n) => `author${n}@example.com`),
 * });
 * const author = await AuthorFactory.create({ name: 'Ursula K. Le Guin' });
 * // INSERT INTO "catalog_author" ("name", "email") VALUES (?, ?) RETURNING "id"
 * ```
 */
export function factory<M extends FactoryModel, T extends string = never, P extends string = never>(
  model: M,
  declarations: Declarations<M>,
  options: FactoryOptions<M, T, P> = {},
): Factory<M, T, P> {
  return new Factory<M, T, P>(model, {
    declarations: { ...declarations },
    traits: { ...(options.traits as Record<string, Record<string, unknown>> | undefined) },
    postGeneration: { ...(options.postGeneration as Record<string, PostGenerationHook<M>> | undefined) },
    getOrCreate: options.djangoGetOrCreate ?? [],
    counter: { next: 0 },
  });
}
