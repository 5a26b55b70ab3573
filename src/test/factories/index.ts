/**
 * Model factories for tests, in the spirit of factory_boy: `factory()`, its declarations
 * (`sequence`, `lazy`, `lazyAttribute`, `subFactory`, `relatedFactory`) and errors.
 * Fake values come from @faker-js/faker, imported by the factories that use it.
 */
export { Factory, factory } from './factory.ts';
export type { FactoryOptions, Overrides, PostGenerationContext, PostGenerationHook } from './factory.ts';
export { lazy, lazyAttribute, relatedFactory, sequence, subFactory } from './declarations.ts';
export type {
  AttributeDeclaration, Declarations, FactoryAttributes, FactoryModel, FactoryRef, Lazy, LazyAttribute, Made, RelatedFactory,
  RelatedFactoryOptions, Sequence, SubFactory,
} from './declarations.ts';
export { FactoryDeclarationError, FactoryFieldError, FactoryTraitError } from './errors.ts';
