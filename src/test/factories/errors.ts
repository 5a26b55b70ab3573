/**
 * Errors of the model factories: each names the factory's model and says what to write instead.
 */
import { NuagesError } from '../../core/errors.ts';

/** A factory declaration, trait or override names something the model does not have. */
export class FactoryFieldError extends NuagesError {
  readonly code = 'NUAGES_TEST_FACTORY_FIELD';
}

/** `traits: [...]` names a trait the factory does not declare. */
export class FactoryTraitError extends NuagesError {
  readonly code = 'NUAGES_TEST_FACTORY_TRAIT';
}

/**
 * Declarations that cannot be resolved: lazy attributes reading each other in a circle,
 * a `name__x` override with no subFactory or relatedFactory under `name`.
 */
export class FactoryDeclarationError extends NuagesError {
  readonly code = 'NUAGES_TEST_FACTORY_DECLARATION';
}
