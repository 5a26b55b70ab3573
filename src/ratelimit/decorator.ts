/**
 * The `ratelimit()` view decorator (django-ratelimit's @ratelimit): counts the
 * view's requests per key and refuses them past the rate, or marks them
 * (`request.limited`) for the view to decide.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponse } from '../http/response.ts';
import { checkView, keepIdentity } from '../views/cache-decorators.ts';
import { compileLimit, countRequest, type LimitOptions } from './limit.ts';
import { rateLimitedResponse } from './response.ts';

/** Options of {@link ratelimit}. */
export interface RateLimitOptions extends LimitOptions {
  /**
   * true (default): answer a request past the rate with 429 Too Many Requests and
   * Retry-After, without running the view. false: run the view with
   * `request.limited` set to true, and let it decide.
   */
  readonly block?: boolean;
}

type AnyView<P> = (request: HttpRequest, params: P) => HttpResponse | Promise<HttpResponse>;

/**
 * Where `ratelimit()` was called, as 'path/to/views.ts:12' (relative to the working
 * folder): the same in every worker process running the same code, and different for
 * two views that happen to share a name.
 */
function callSite(): string {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 4;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = saved;
  // Lines: the message, callSite, ratelimit, its caller.
  const frame = stack.split('\n')[3] ?? '';
  const match = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):\d+\)?\s*$/.exec(frame);
  if (match === null) return '';
  const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
  return `${relative(process.cwd(), file)}:${match[2]}`;
}

/**
 * Limit how often a view runs: at most `rate` requests per `key` (default the client's
 * address). Counters are per `group`: by default the view (its name and where it was
 * decorated), so two views never share one unless given the same `group`.
 *
 * ```ts
 * // 5 sign-ups per hour per address; the sixth gets 429 with Retry-After
 * export const register = ratelimit({ key: 'ip', rate: '5/h', method: 'POST' })(async (request) => …);
 *
 * // let the view decide: request.limited is true past the rate
 * export const search = ratelimit({ key: 'user_or_ip', rate: '30/m', block: false })(async (request) => {
 *   if (request.limited) return render(request, 'search/slow-down.html');
 *   …
 * });
 *
 * // a class-based view
 * path('accounts/login/', ratelimit({ key: 'post:username', rate: '5/m', method: 'POST' })(LoginView.asView())),
 * ```
 *
 * Stack several to combine limits (each counts separately). The options are checked
 * at once: a bad rate or key throws where the view is defined, not on its first request.
 *
 * @throws InvalidRateError, RateLimitKeyError, InvalidRateLimitRuleError for bad options;
 *   ViewConfigurationError when given a class instead of a view function.
 */
export function ratelimit(options: RateLimitOptions) {
  const site = options.group === undefined ? callSite() : '';
  const compiled = compileLimit(options, '', 'ratelimit()');
  const block = options.block ?? true;
  return function decorate<P = never, V extends AnyView<P> = AnyView<P>>(view: V): V {
    checkView('ratelimit(…)', view);
    const limit = options.group === undefined ? { ...compiled, group: `${view.name || 'view'}@${site}` } : compiled;
    const wrapper = async function (this: unknown, request: HttpRequest, params: P): Promise<HttpResponse> {
      const usage = await countRequest(request, limit);
      const limited = usage?.limited ?? false;
      request.limited = request.limited === true || limited;
      if (limited && block) return rateLimitedResponse(request, usage!);
      return view.call(this, request, params);
    };
    return keepIdentity(wrapper, view);
  };
}
