/**
 * Turns one object's declarations into attribute values: subFactory objects are made
 * first (they may query), then every other attribute is computed on first read, so a
 * lazyAttribute may read attributes declared after it.
 */
import { declarationOf, factoryOf, kindOf, type Lazy, type LazyAttribute, type Sequence, type SubFactory } from './declarations.ts';
import { FactoryDeclarationError } from './errors.ts';

/** `build()` makes unsaved objects, `create()` saved ones; sub-objects follow the parent. */
export type Strategy = 'build' | 'create';

/** What resolving needs besides the declarations. */
export interface ResolveContext {
  readonly modelName: string;
  readonly strategy: Strategy;
  /** The object's sequence number. */
  readonly n: number;
  /** `author__name`-style overrides, grouped by their first segment. */
  readonly deep: ReadonlyMap<string, Record<string, unknown>>;
}

/** Makes the subFactory attributes (in declaration order, so their sequences advance predictably). */
export async function makeSubObjects(declarations: ReadonlyMap<string, unknown>, context: ResolveContext): Promise<Map<string, unknown>> {
  const made = new Map<string, unknown>();
  for (const [name, value] of declarations) {
    const declaration = declarationOf(value);
    if (!declaration || kindOf(declaration) !== 'subFactory') continue;
    const sub = declaration as SubFactory<unknown>;
    const overrides = { ...sub.overrides, ...context.deep.get(name) };
    const maker = factoryOf(sub.factory);
    made.set(name, await (context.strategy === 'create' ? maker.create(overrides as never) : maker.build(overrides as never)));
  }
  return made;
}

/**
 * Every attribute's value. Lazy attributes get a view of the object's attributes that
 * resolves each one when read (factory_boy's Resolver), and detects circles.
 */
export function resolveAttributes(
  declarations: ReadonlyMap<string, unknown>,
  made: ReadonlyMap<string, unknown>,
  context: ResolveContext,
): Record<string, unknown> {
  const values = new Map<string, unknown>(made);
  const resolving: string[] = [];
  const resolve = (name: string): unknown => {
    if (values.has(name)) return values.get(name);
    if (resolving.includes(name)) {
      const circle = [...resolving.slice(resolving.indexOf(name)), name].join(' → ');
      throw new FactoryDeclarationError(
        `The lazy attributes of ${context.modelName} read each other in a circle (${circle}); give one of them a plain value.`,
      );
    }
    resolving.push(name);
    try {
      const value = evaluate(declarations.get(name), view, context.n);
      values.set(name, value);
      return value;
    } finally {
      resolving.pop();
    }
  };
  const view = attributeView(declarations, resolve, context.modelName);
  const attributes: Record<string, unknown> = {};
  for (const name of declarations.keys()) attributes[name] = resolve(name);
  return attributes;
}

/** One declaration's value for the object numbered `n`. */
function evaluate(value: unknown, view: object, n: number): unknown {
  if (typeof value === 'function') return (value as () => unknown)();
  const declaration = declarationOf(value);
  if (!declaration) return value;
  switch (kindOf(declaration)) {
    case 'sequence':
      return (declaration as Sequence<unknown>).forNumber(n);
    case 'lazy':
      return (declaration as Lazy<unknown>).call();
    case 'lazyAttribute':
      return (declaration as LazyAttribute<unknown, object>).fromAttributes(view);
    default:
      // subFactory values are made beforehand; relatedFactory only lives in postGeneration.
      return value;
  }
}

/** The object lazyAttribute functions see: reading an attribute resolves it; reading an undeclared one is a mistake. */
function attributeView(declarations: ReadonlyMap<string, unknown>, resolve: (name: string) => unknown, modelName: string): object {
  return new Proxy(Object.create(null) as object, {
    get(_target, key) {
      if (typeof key !== 'string') return undefined;
      if (declarations.has(key)) return resolve(key);
      // Promise resolution and inspection probe for these; they are not attribute reads.
      if (key === 'then' || key === 'toJSON') return undefined;
      throw new FactoryDeclarationError(
        `A lazyAttribute of the ${modelName} factory read '${key}', which the factory does not declare. ` +
          `Declared: ${[...declarations.keys()].join(', ') || '(none)'}; declare '${key}' or pass it to build()/create().`,
      );
    },
    has: (_target, key) => typeof key === 'string' && declarations.has(key),
    ownKeys: () => [...declarations.keys()],
    getOwnPropertyDescriptor: (_target, key) =>
      typeof key === 'string' && declarations.has(key)
        ? { value: resolve(key), enumerable: true, configurable: true, writable: false }
        : undefined,
  });
}
