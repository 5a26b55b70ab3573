/**
 * RateLimitMiddleware: the limits of RATELIMIT_RULES, by path, for views you do not
 * decorate (the framework's login and password reset views, a whole API).
 */
import { settingOr } from '../conf/lazy-settings.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response.ts';
import { MiddlewareMixin } from '../middleware/mixin.ts';
import { InvalidRateLimitRuleError } from './errors.ts';
import type { RateLimitKey } from './keys.ts';
import { compileLimit, countRequest, type CompiledLimit, type LimitOptions, type RateLimitUsage } from './limit.ts';
import { rateLimitedResponse } from './response.ts';

/** One entry of RATELIMIT_RULES. */
export interface RateLimitRule extends LimitOptions {
  /**
   * The paths it covers: a prefix ('/accounts/login/' covers that page and anything
   * under it), a pattern string starting with '^' ('^/api/v\\d+/'), or a RegExp.
   * Matched against the path the URLconf sees (without SCRIPT_NAME).
   */
  readonly path: string | RegExp;
  /** false: let the request through with `request.limited` set, for the view to decide (default true: 429). */
  readonly block?: boolean;
}

/**
 * RATELIMIT_RULES's entry type: a RateLimitRule whose key may be any string, so a rule
 * written in a variable before it reaches the settings still type-checks; the key is
 * checked when the rules are compiled.
 */
export interface RateLimitRuleSetting extends Omit<RateLimitRule, 'key'> {
  readonly key?: RateLimitKey | string;
}

interface CompiledRule {
  readonly matches: (path: string) => boolean;
  readonly limit: CompiledLimit;
  readonly block: boolean;
}

function pathMatcher(path: unknown, where: string): CompiledRule['matches'] {
  if (path instanceof RegExp) {
    // A global or sticky RegExp remembers lastIndex between tests; a copy without those flags does not.
    const regex = new RegExp(path.source, path.flags.replace(/[gy]/g, ''));
    return (candidate) => regex.test(candidate);
  }
  if (typeof path !== 'string' || path === '') {
    throw new InvalidRateLimitRuleError(`${where}.path must be a path prefix ('/accounts/login/'), a pattern starting with '^', or a RegExp; got ${JSON.stringify(path)}.`);
  }
  if (path.startsWith('^')) {
    let regex: RegExp;
    try {
      regex = new RegExp(path);
    } catch (error) {
      throw new InvalidRateLimitRuleError(`${where}.path '${path}' is not a valid regular expression: ${(error as Error).message}.`);
    }
    return (candidate) => regex.test(candidate);
  }
  if (!path.startsWith('/')) {
    throw new InvalidRateLimitRuleError(`${where}.path '${path}' must start with '/' (a path prefix) or '^' (a pattern); write '/${path}'.`);
  }
  return (candidate) => candidate.startsWith(path);
}

/** What a rule counts, for its default group: the same rule in every process gets the same counters. */
function describeRule(rule: RateLimitRule): string {
  const path = rule.path instanceof RegExp ? String(rule.path) : rule.path;
  const key = typeof rule.key === 'function' ? rule.key.name || 'function' : (rule.key ?? 'ip');
  return `rule:${path}:${key}`;
}

// RATELIMIT_RULES compiled once per settings value (overrideSettings gives a new array).
const compiled = new WeakMap<object, readonly CompiledRule[]>();

/**
 * RATELIMIT_RULES checked and compiled.
 *
 * @throws InvalidRateLimitRuleError (and the errors of compileLimit) naming the entry.
 */
function rateLimitRules(): readonly CompiledRule[] {
  const rules = settingOr<unknown>('RATELIMIT_RULES', []);
  if (!Array.isArray(rules)) {
    throw new InvalidRateLimitRuleError("RATELIMIT_RULES must be a list of rules such as { path: '/accounts/login/', method: 'POST', key: 'ip', rate: '10/m' }.");
  }
  let found = compiled.get(rules);
  if (found === undefined) {
    found = rules.map((rule: RateLimitRule, i) => {
      const where = `RATELIMIT_RULES[${i}]`;
      if (rule === null || typeof rule !== 'object') {
        throw new InvalidRateLimitRuleError(`${where} must be an object such as { path: '/accounts/login/', method: 'POST', key: 'ip', rate: '10/m' }.`);
      }
      return { matches: pathMatcher(rule.path, where), limit: compileLimit(rule, describeRule(rule), where), block: rule.block ?? true };
    });
    compiled.set(rules, found);
  }
  return found;
}

/**
 * Applies RATELIMIT_RULES: every rule whose path and method match counts the request,
 * and once one of them is past its rate the request gets 429 Too Many Requests with
 * Retry-After (the longest wait among them), or, for a rule with `block: false`,
 * goes on with `request.limited` true.
 *
 * ```ts
 * MIDDLEWARE: ['nuages/middleware/security#SecurityMiddleware', 'nuages/ratelimit#RateLimitMiddleware', …],
 * RATELIMIT_RULES: [
 *   { path: '/accounts/login/', method: 'POST', key: 'ip', rate: '10/m' },
 *   { path: /^\/api\//, key: 'user_or_ip', rate: '1000/h' },
 * ],
 * ```
 *
 * Rules keyed on 'ip' can sit near the top of MIDDLEWARE, so a refused request costs no
 * session or database work; rules keyed on the user go after AuthenticationMiddleware.
 * The rules are checked when the first request arrives.
 */
export class RateLimitMiddleware extends MiddlewareMixin {
  override processRequest(request: HttpRequest): Promise<HttpResponseBase | undefined> | undefined {
    const path = request.pathInfo;
    const matching = rateLimitRules().filter((rule) => rule.matches(path));
    // Most requests match no rule: answer them without a promise.
    if (matching.length === 0) return undefined;
    return this.#apply(request, matching);
  }

  async #apply(request: HttpRequest, rules: readonly CompiledRule[]): Promise<HttpResponseBase | undefined> {
    let refusal: RateLimitUsage | undefined;
    for (const rule of rules) {
      const usage = await countRequest(request, rule.limit);
      if (usage?.limited !== true) continue;
      request.limited = true;
      if (rule.block && (refusal === undefined || usage.retryAfter > refusal.retryAfter)) refusal = usage;
    }
    if (refusal !== undefined) return rateLimitedResponse(request, refusal);
    request.limited ??= false;
    return undefined;
  }
}
