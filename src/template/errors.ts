/**
 * The errors the template engine throws on purpose.
 *
 * Syntax errors carry the template name, the line and column of the offending
 * tag and the source line itself, so a message reads like a compiler's.
 */
import { NuagesError } from '../core/errors.ts';

/** Where in a template something went wrong. */
export interface TemplateLocation {
  /** The template's name as the loader knows it (`'<string>'` for `fromString`). */
  readonly templateName: string;
  /** 1-based line of the token. */
  readonly line: number;
  /** 1-based column of the token's first character. */
  readonly column: number;
  /** The full source line holding the token. */
  readonly sourceLine: string;
}

function describe(message: string, where: TemplateLocation | undefined): string {
  if (!where) return message;
  const caret = ' '.repeat(Math.max(0, where.column - 1)) + '^';
  return `${message}\n  in ${where.templateName}, line ${where.line}, column ${where.column}:\n    ${where.sourceLine}\n    ${caret}`;
}

/**
 * The template cannot be compiled: an unknown tag, an unclosed block, a filter
 * given the wrong number of arguments, a malformed variable. Thrown by
 * `getTemplate()` / `fromString()`, never halfway through a render.
 */
export class TemplateSyntaxError extends NuagesError {
  readonly code = 'NUAGES_TEMPLATE_SYNTAX';
  /** The message without the location suffix. */
  readonly reason: string;
  location: TemplateLocation | undefined;

  constructor(message: string, location?: TemplateLocation, options?: ErrorOptions) {
    super(describe(message, location), options);
    this.reason = message;
    this.location = location;
  }

  /** Attaches a location once the parser knows which token failed (first one wins). */
  locate(location: TemplateLocation): this {
    if (!this.location) {
      this.location = location;
      this.message = describe(this.reason, location);
    }
    return this;
  }
}

/** One place a loader looked for a template, for the TemplateDoesNotExist message. */
export interface TriedSource {
  readonly name: string;
  /** What the loader looked at: a file path, `locmem:name`, … */
  readonly place: string;
  readonly reason: string;
}

/**
 * No loader found the template. The message lists every place that was tried,
 * which is usually enough to spot a wrong `dirs` setting or a typo.
 */
export class TemplateDoesNotExist extends NuagesError {
  readonly code = 'NUAGES_TEMPLATE_DOES_NOT_EXIST';
  readonly templateName: string;
  readonly tried: readonly TriedSource[];

  constructor(templateName: string, tried: readonly TriedSource[] = [], options?: ErrorOptions) {
    const lines = tried.map((t) => `  - ${t.place} (${t.reason})`);
    super(
      `Template "${templateName}" does not exist.` +
        (lines.length
          ? ` Places tried:\n${lines.join('\n')}`
          : ' No loader is configured: pass dirs, appDirs or loaders to the Engine.'),
      options,
    );
    this.templateName = templateName;
    this.tried = tried;
  }
}

/**
 * A variable used as a filter argument (or in another place where Django
 * requires it) could not be resolved. Plain `{{ missing }}` never throws this:
 * it renders `stringIfInvalid`.
 */
export class VariableDoesNotExist extends NuagesError {
  readonly code = 'NUAGES_TEMPLATE_VARIABLE_DOES_NOT_EXIST';
  readonly variable: string;

  constructor(variable: string, templateName = 'unknown', options?: ErrorOptions) {
    super(
      `Variable "${variable}" used in template ${templateName} does not exist in the context. ` +
        `Pass it in the context, or give the filter a default with |default.`,
      options,
    );
    this.variable = variable;
  }
}

/**
 * A template tag failed while rendering in a way the template author can fix
 * (an include loop, a bad `{% widthratio %}` value, an `{% extends %}` naming
 * something that is not a template).
 */
export class TemplateRenderError extends NuagesError {
  readonly code = 'NUAGES_TEMPLATE_RENDER';
}

/** An error thrown while rendering, with where in which template it happened. */
export interface LocatedError {
  /** The node that was rendering: template name, line, column and source line. */
  templateLocation?: TemplateLocation;
}

/**
 * Records where a render failed on the error itself, keeping its class (as
 * Django's `template_debug`): `err.templateLocation`, and for Nuages' own
 * errors the message gains the template, line and source line. The innermost
 * template reports first; outer templates leave the error as it is.
 */
export function locateRenderError(error: unknown, location: TemplateLocation | undefined): unknown {
  if (location === undefined || error === null || typeof error !== 'object' || Object.hasOwn(error, 'templateLocation')) {
    return error;
  }
  try {
    Object.defineProperty(error, 'templateLocation', { value: location, configurable: true, writable: true });
  } catch {
    return error; // a frozen error object stays as it is
  }
  if (error instanceof TemplateSyntaxError) error.locate(location);
  else if (error instanceof NuagesError) error.message = describe(error.message, location);
  return error;
}
