/**
 * The contract between the template engine and filter libraries.
 *
 * A filter is a plain function plus the flags Django attaches to filters
 * (`is_safe`, `needs_autoescape`, `expects_localtime`, `stringfilter`). The
 * engine reads the flags once at compile time, so a filter costs one call
 * when the template renders.
 */
export interface FilterOptions {
  /** Output stays safe when the input was safe (Django's `is_safe`). */
  readonly isSafe?: boolean;
  /** The filter is told whether autoescaping is on (Django's `needs_autoescape`). */
  readonly needsAutoescape?: boolean;
  /** Datetimes are converted to the current time zone before the call (Django's `expects_localtime`). */
  readonly expectsLocaltime?: boolean;
  /** The value is turned into a string first, keeping its safe mark (Django's `@stringfilter`). */
  readonly stringFilter?: boolean;
}

/** What the engine passes to a filter besides its value and argument. */
export interface FilterCall {
  readonly autoescape: boolean;
  /** IANA time zone datetimes are shown in (settings TIME_ZONE, `UTC` by default; `UTC` inside `{% localtime off %}`). */
  readonly timeZone: string;
  /** The active time zone (`{% timezone %}` or the engine's), even inside `{% localtime off %}`. */
  readonly currentTimeZone?: string;
}

/**
 * A filter function. `arg` is `undefined` when the template gave no argument,
 * which lets a filter tell `{{ x|f }}` from `{{ x|f:"" }}` and decide its arity.
 */
export type FilterFunction = (value: unknown, arg: unknown, call: FilterCall) => unknown;

export interface FilterSpec extends FilterOptions {
  readonly fn: FilterFunction;
  /** Whether the filter accepts an argument: compile-time arity check, as Django's. */
  readonly arg: 'none' | 'required' | 'optional';
}
