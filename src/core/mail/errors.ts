/** The errors of `nuages/core/mail`. */
import { NuagesError } from '../errors.ts';

/**
 * A header value held a line break (Django's BadHeaderError): sent as is, it would let
 * whoever typed it add headers or recipients of their own (header injection).
 */
export class BadHeaderError extends NuagesError {
  readonly code: string = 'NUAGES_MAIL_BAD_HEADER';

  constructor(name: string, value: string) {
    super(`Header values can't contain newlines (got ${JSON.stringify(value)} for header '${name}'); remove the line breaks, e.g. value.replace(/[\\r\\n]+/g, ' ').`);
  }
}

/**
 * A sender or recipient is not one email address (Django raises ValueError "Invalid
 * address" when it sends): it parses to no address, to several, or to one without `@`.
 */
export class InvalidAddressError extends NuagesError {
  readonly code: string = 'NUAGES_MAIL_INVALID_ADDRESS';

  constructor(field: string, value: string) {
    super(
      `Invalid address ${JSON.stringify(value)} in '${field}': give one address per entry, as ` +
        `'ada@example.com' or 'Ada Lovelace <ada@example.com>'.`,
    );
  }
}
