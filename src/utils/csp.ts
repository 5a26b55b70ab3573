/**
 * Content Security Policy building blocks (Django 6.0's django.utils.csp): the `CSP`
 * constants, the per-request {@link LazyNonce}, and {@link buildPolicy}, which turns a
 * policy object (SECURE_CSP, SECURE_CSP_REPORT_ONLY, `cspOverride()`) into a header value.
 *
 * ```ts
 * import { CSP } from 'nuages/utils/csp';
 *
 * SECURE_CSP: {
 *   'default-src': [CSP.SELF],
 *   'script-src': [CSP.SELF, CSP.NONCE],
 *   'upgrade-insecure-requests': true,
 * }
 * // → default-src 'self'; script-src 'self' 'nonce-…'; upgrade-insecure-requests
 * ```
 */
import { randomBytes } from 'node:crypto';
import { ImproperlyConfigured } from '../core/errors.ts';

/**
 * The header names and the source keywords of the CSP specification, quoted as the
 * header needs them (a bare `self` would name a host called "self"), plus `NONCE`, a
 * placeholder the middleware replaces with this request's `'nonce-…'` source.
 */
export const CSP = Object.freeze({
  HEADER_ENFORCE: 'Content-Security-Policy',
  HEADER_REPORT_ONLY: 'Content-Security-Policy-Report-Only',

  /** Nothing may be loaded for the directive. */
  NONE: "'none'",
  /** Violation reports include the first 40 characters of the blocked code (which may hold user data). */
  REPORT_SAMPLE: "'report-sample'",
  /** The page's own origin: same scheme, host and port. */
  SELF: "'self'",
  /** Scripts a trusted (nonced or hashed) script loads are trusted too; host lists are then ignored. */
  STRICT_DYNAMIC: "'strict-dynamic'",
  /** Allows `eval()` and `new Function()`. Avoid. */
  UNSAFE_EVAL: "'unsafe-eval'",
  /** Allows inline event handlers whose hash the directive lists. */
  UNSAFE_HASHES: "'unsafe-hashes'",
  /** Allows every inline script or style; ignored by browsers when the directive also has a nonce. Avoid. */
  UNSAFE_INLINE: "'unsafe-inline'",
  /** Allows compiling WebAssembly without allowing `eval()`. */
  WASM_UNSAFE_EVAL: "'wasm-unsafe-eval'",

  /** Replaced by `'nonce-<this request's nonce>'` when the page used the nonce, else left out. */
  NONCE: '<CSP_NONCE_SENTINEL>',
} as const);

/** The value of one directive: sources, `true` for a directive without value, `false`/`null` to leave it out. */
export type CspDirectiveValue = string | readonly string[] | ReadonlySet<string> | boolean | null | undefined;

/**
 * A policy: directive names as the specification spells them (`'script-src'`,
 * `'upgrade-insecure-requests'`) mapped to their values. An empty policy sends no header.
 */
export interface CspPolicy {
  readonly [directive: string]: CspDirectiveValue;
}

declare module '../conf/settings.ts' {
  interface Settings {
    /** The enforced Content-Security-Policy ContentSecurityPolicyMiddleware sends (default `{}`: none). */
    SECURE_CSP?: CspPolicy;
    /** A Content-Security-Policy-Report-Only policy: violations are reported, nothing is blocked (default `{}`: none). */
    SECURE_CSP_REPORT_ONLY?: CspPolicy;
  }
}

/** A policy that cannot become a valid header: a malformed directive name or value (ImproperlyConfigured). */
export class InvalidCspPolicyError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_CSP_INVALID_POLICY';
}

/**
 * A nonce made on first read (Django's LazyNonce): 128 random bits, base64url, as
 * Python's `secrets.token_urlsafe(16)`. Until something reads it, it is not made, and
 * the middleware leaves `'nonce-…'` out of the header: a page without inline scripts
 * gets a header that is the same on every request.
 *
 * In templates it prints as the nonce and, like Django's, is false in `{% if %}` until
 * something read it, so a shared template can add `nonce=` only on pages that use one:
 *
 * ```html
 * <script{% if csp_nonce %} nonce="{{ csp_nonce }}"{% endif %}>…</script>
 * ```
 */
export class LazyNonce {
  #value: string | undefined;

  /** The nonce, made now if it was not yet. */
  get value(): string {
    return (this.#value ??= randomBytes(16).toString('base64url'));
  }

  /** Whether the nonce was made (something read it). Reading this does not make it. */
  get used(): boolean {
    return this.#value !== undefined;
  }

  toString(): string {
    return this.value;
  }

  toJSON(): string {
    return this.value;
  }

  /** Template truthiness (Python's `__len__`): 0 until made, so `{% if csp_nonce %}` does not make it. */
  __len__(): number {
    return this.#value === undefined ? 0 : this.#value.length;
  }
}

// The CSP grammar: directive-name = 1*( ALPHA / DIGIT / "-" ); a value is printable
// ASCII and spaces without ';' (ends the directive) or ',' (starts another policy).
const DIRECTIVE_NAME = /^[A-Za-z0-9-]+$/;
const CAMEL_CASE = /[a-z][A-Z]/;
const FORBIDDEN_IN_VALUE = /[^\x20-\x2b\x2d-\x3a\x3c-\x7e\t]/;

function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function checkDirectiveName(directive: string, where: string): void {
  if (!DIRECTIVE_NAME.test(directive)) {
    throw new InvalidCspPolicyError(
      `${where} has the directive ${JSON.stringify(directive)}, which is not a directive name: names are letters, digits and '-' ` +
        "(e.g. 'script-src'). Give each directive its own key.",
    );
  }
  // Browsers ignore a directive they do not know: 'scriptSrc' would silently restrict nothing.
  if (!directive.includes('-') && CAMEL_CASE.test(directive)) {
    throw new InvalidCspPolicyError(
      `${where} has the directive '${directive}'; CSP directive names are written with '-': use '${kebabCase(directive)}'.`,
    );
  }
}

function checkSource(directive: string, source: unknown, where: string): string {
  if (typeof source !== 'string') {
    throw new InvalidCspPolicyError(
      `${where}['${directive}'] holds ${source === null ? 'null' : typeof source}; a directive's value is a string, ` +
        'a list or set of strings, true (a directive without value) or false/null (left out).',
    );
  }
  const bad = FORBIDDEN_IN_VALUE.exec(source);
  if (bad !== null) {
    const shown = bad[0] === ';' || bad[0] === ',' ? `'${bad[0]}'` : JSON.stringify(bad[0]);
    throw new InvalidCspPolicyError(
      `${where}['${directive}'] has the source ${JSON.stringify(source)}, which contains ${shown}: that would end the ` +
        'directive (or the policy) and let the rest be read as another. Put each source in its own list item and each ' +
        'directive under its own key; write non-ASCII host names in punycode.',
    );
  }
  return source;
}

function sourcesOf(directive: string, value: string | readonly string[] | ReadonlySet<string>, where: string): string[] {
  if (typeof value === 'string') return [checkSource(directive, value, where)];
  if (Array.isArray(value)) return value.map((source: unknown) => checkSource(directive, source, where));
  // A set has no order of its own: sorted, the header is the same on every request (and cacheable).
  if (value instanceof Set) return [...value].map((source: unknown) => checkSource(directive, source, where)).sort();
  return [checkSource(directive, value, where)];
}

/**
 * The header value for `policy` (Django's build_policy): directives joined by `; `,
 * sources by spaces. `true` gives the bare directive (`upgrade-insecure-requests`),
 * `false`, `null` and `undefined` leave the directive out, and so does a list left
 * empty. `CSP.NONCE` becomes `'nonce-<nonce>'` when `nonce` is given (a string, or a
 * {@link LazyNonce} that was used) and is dropped otherwise.
 *
 * ```ts
 * buildPolicy({ 'default-src': [CSP.SELF], 'script-src': [CSP.SELF, CSP.NONCE] }, 'abc');
 * // "default-src 'self'; script-src 'self' 'nonce-abc'"
 * ```
 *
 * @param where names the policy in error messages ('SECURE_CSP', 'cspOverride()').
 * @throws InvalidCspPolicyError for a directive name outside the CSP grammar (or in
 *   camelCase), or a source holding ';', ',', a control or non-ASCII character.
 */
export function buildPolicy(policy: CspPolicy, nonce?: string | LazyNonce | null, where = 'policy'): string {
  const nonceValue = nonce instanceof LazyNonce ? (nonce.used ? nonce.value : undefined) : nonce || undefined;
  const directives: string[] = [];
  for (const [directive, value] of Object.entries(policy)) {
    checkDirectiveName(directive, where);
    if (value === null || value === undefined || value === false) continue;
    if (value === true) {
      directives.push(directive);
      continue;
    }
    const sources: string[] = [];
    for (const source of sourcesOf(directive, value, where)) {
      if (source !== CSP.NONCE) sources.push(source);
      else if (nonceValue !== undefined) sources.push(`'nonce-${nonceValue}'`);
    }
    if (sources.length === 0) continue;
    // An empty string source leaves the bare directive, as in Django (for a fetch directive, that means 'none').
    directives.push(`${directive} ${sources.join(' ')}`.trimEnd());
  }
  return directives.join('; ');
}

/**
 * ` nonce="…"` for an inline `<script>` or `<style>` Nuages writes itself (the error pages),
 * when ContentSecurityPolicyMiddleware gave the request a nonce; '' otherwise. Reading the
 * nonce puts it in the response's policy, so a strict policy still lets the page's own
 * styles through.
 */
export function nonceAttribute(request: unknown): string {
  const nonce = request === null || typeof request !== 'object' ? undefined : (request as { cspNonce?: unknown }).cspNonce;
  return typeof nonce === 'string' && nonce !== '' ? ` nonce="${nonce}"` : '';
}
