/**
 * What a factory attribute can be declared as, beside a plain value or a function:
 * `sequence()`, `lazy()`, `lazyAttribute()`, `subFactory()`, and for after the object
 * exists, `relatedFactory()`. Each is a small tagged object the resolver reads.
 */
import type { ModelBase, ModelInit } from '../../db/index.ts';
import type { Decimal } from '../../utils/decimal.ts';
import type { Factory } from './factory.ts';

/** A model class a factory can make: `Book`, `User`. */
export type FactoryModel = (new (...args: any[]) => ModelBase) & { readonly fields: object };

/** What a field accepts: a Decimal field takes '12.50' too, a date field an ISO string (the model converts them). */
type Loose<V> = V extends Decimal ? V | string | number : V extends Date ? V | string : V;

/**
 * The attributes a factory sets on `M`: each concrete field (relations as instances,
 * `publisherId` as keys), without many-to-many fields, which postGeneration sets once saved.
 */
export type FactoryAttributes<M extends FactoryModel> = {
  [K in keyof ModelInit<M['fields']>]-?: Loose<ModelInit<M['fields']>[K]>;
};

/** The instance a factory makes for `M`. */
export type Made<M extends FactoryModel> = InstanceType<M>;

const DECLARATION = Symbol('nuages.factoryDeclaration');

/** `sequence((n) => …)`: called with the object's sequence number (0, 1, 2… per factory). */
export interface Sequence<V> {
  readonly [DECLARATION]: 'sequence';
  readonly forNumber: (n: number) => V;
}

/** `lazy(() => …)`: called once per object (factory_boy's LazyFunction); a plain function does the same. */
export interface Lazy<V> {
  readonly [DECLARATION]: 'lazy';
  readonly call: () => V;
}

/** `lazyAttribute((obj) => …)`: called with the object's other attributes, resolved on first read. */
export interface LazyAttribute<V, A> {
  readonly [DECLARATION]: 'lazyAttribute';
  // Named apart from the others' functions so TypeScript infers A from this member alone.
  readonly fromAttributes: (attributes: A) => V;
}

/**
 * A factory, or a function returning one: `() => OrderFactory` lets two factories refer to
 * each other (an order's items, an item's order) whichever is declared first.
 */
export type FactoryRef<M extends FactoryModel> = Factory<M, string, string> | (() => Factory<M, string, string>);

/** The factory a reference stands for. */
export function factoryOf(ref: FactoryRef<FactoryModel>): Factory<FactoryModel, string, string> {
  return typeof ref === 'function' ? ref() : ref;
}

/** `subFactory(AuthorFactory, overrides)`: the related object, built or created with the parent. */
export interface SubFactory<V> {
  readonly [DECLARATION]: 'subFactory';
  readonly factory: FactoryRef<FactoryModel>;
  readonly overrides: Readonly<Record<string, unknown>>;
  /** Only carries the made instance type for inference. */
  readonly made?: V;
}

/** Options of `relatedFactory()`. */
export interface RelatedFactoryOptions {
  /** How many related objects to make (default 1). */
  count?: number;
  /** Attributes for each related object, as `create()` takes them. */
  overrides?: Readonly<Record<string, unknown>>;
}

/** `relatedFactory(ReviewFactory, 'book')`: objects made after this one, pointing at it. */
export interface RelatedFactory {
  readonly [DECLARATION]: 'relatedFactory';
  readonly factory: FactoryRef<FactoryModel>;
  readonly relatedName: string;
  readonly count: number;
  readonly overrides: Readonly<Record<string, unknown>>;
}

/** Any declaration: what the resolver switches on. */
export type Declaration = Sequence<unknown> | Lazy<unknown> | LazyAttribute<unknown, never> | SubFactory<unknown> | RelatedFactory;

/** One attribute's declaration: a value, a function of nothing, or a declaration giving `V`. */
export type AttributeDeclaration<V, A> = V | (() => V) | Sequence<V> | Lazy<V> | LazyAttribute<V, A> | SubFactory<V>;

/** The declarations of a factory for `M`, one per field it sets. */
export type Declarations<M extends FactoryModel> = {
  [K in keyof FactoryAttributes<M>]?: AttributeDeclaration<FactoryAttributes<M>[K], FactoryAttributes<M>>;
};

/**
 * A value that changes with each object: `sequence((n) => \`author-${n}\`)`. All
 * sequences of one object see the same `n`; factories made by `extend()` share the
 * counter with their parent (as factory_boy's subclasses do); `resetSequence()` rewinds it.
 */
export function sequence<V>(fn: (n: number) => V): Sequence<V> {
  return { [DECLARATION]: 'sequence', forNumber: fn };
}

/** A value computed afresh for each object: `lazy(() => faker.book.title())`. */
export function lazy<V>(fn: () => V): Lazy<V> {
  return { [DECLARATION]: 'lazy', call: fn };
}

/**
 * A value computed from the object's other attributes:
 * `lazyAttribute((book) => slugify(book.title))`. Attributes are resolved when first
 * read, so the order of declarations does not matter; a circle of lazy attributes throws
 * FactoryDeclarationError. The function is synchronous; subFactory attributes are already made.
 */
export function lazyAttribute<V, A>(fn: (attributes: A) => V): LazyAttribute<V, A> {
  return { [DECLARATION]: 'lazyAttribute', fromAttributes: fn };
}

/**
 * The related object made by another factory: `author: subFactory(AuthorFactory)`.
 * `build()` builds it unsaved, `create()` saves it first. Override its attributes with
 * `{ author__name: 'Le Guin' }` at the call, or here with `subFactory(AuthorFactory, { name })`.
 */
export function subFactory<M extends FactoryModel>(
  factory: FactoryRef<M>,
  overrides: Readonly<Record<string, unknown>> = {},
): SubFactory<Made<M>> {
  return { [DECLARATION]: 'subFactory', factory: factory as unknown as FactoryRef<FactoryModel>, overrides };
}

/**
 * Objects made after the parent, each pointing at it through `relatedName` (the field of
 * the related model): `postGeneration: { reviews: relatedFactory(ReviewFactory, 'book', { count: 2 }) }`.
 * `{ reviews__stars: 5 }` at the call overrides their attributes; passing `reviews` itself
 * (any value) skips them, as factory_boy does.
 */
export function relatedFactory<M extends FactoryModel>(
  factory: FactoryRef<M>,
  relatedName: string,
  options: RelatedFactoryOptions = {},
): RelatedFactory {
  return {
    [DECLARATION]: 'relatedFactory',
    factory: factory as unknown as FactoryRef<FactoryModel>,
    relatedName,
    count: options.count ?? 1,
    overrides: options.overrides ?? {},
  };
}

/** The declaration `value` is, or undefined for a plain value or function. */
export function declarationOf(value: unknown): Declaration | undefined {
  return typeof value === 'object' && value !== null && DECLARATION in value ? (value as Declaration) : undefined;
}

/** Which kind a declaration is. */
export function kindOf(declaration: Declaration): Declaration[typeof DECLARATION] {
  return declaration[DECLARATION];
}
