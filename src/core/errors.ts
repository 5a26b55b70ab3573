/**
 * The root of every error Nuages throws on purpose.
 *
 * Each subclass carries a permanent `code` (documented in docs/errors.md); the
 * message may improve over time, the code never changes, so callers and tests
 * match on `err.code`.
 */
export abstract class NuagesError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Settings are missing or invalid (Django's ImproperlyConfigured). */
export class ImproperlyConfigured extends NuagesError {
  readonly code: string = 'NUAGES_IMPROPERLY_CONFIGURED';
}
