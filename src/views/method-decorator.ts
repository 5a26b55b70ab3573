/**
 * `methodDecorator` (Django's django.utils.decorators.method_decorator): use a
 * view decorator, written for `(request, params)` functions, on a method of a
 * class-based view.
 */
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponse } from '../http/response.ts';
import type { Params } from '../urls/types.ts';
import { ViewConfigurationError } from './base.ts';

type ViewLike = (request: HttpRequest, params: Params) => HttpResponse | Promise<HttpResponse>;
type ViewDecorator = (view: ViewLike) => ViewLike;
type Method = (this: never, request: HttpRequest, params: Params) => HttpResponse | Promise<HttpResponse>;

function decorateMethod<M extends Method>(method: M, decorators: readonly ViewDecorator[]): M {
  const wrapper = function (this: unknown, request: HttpRequest, params: Params) {
    // Decorated per call, around a function bound to this instance, so decorators
    // that only see (request, params) still run the method on the right view.
    let bound: ViewLike = (req, p) => (method as unknown as ViewLike).call(this, req, p);
    for (const decorator of [...decorators].reverse()) bound = decorator(bound);
    return bound(request, params);
  };
  Object.defineProperty(wrapper, 'name', { value: method.name });
  // Flags the decorators set (csrfExempt, …) go on the method, where asView() finds them.
  let probe: ViewLike = () => {
    throw new Error('not called');
  };
  for (const decorator of [...decorators].reverse()) probe = decorator(probe);
  Object.assign(wrapper, method, probe);
  return wrapper as unknown as M;
}

/**
 * Apply view decorators to a method, or (with `name`) to the method of that name
 * on a class, which is changed in place and returned. The first decorator listed
 * is the outermost, as when stacking them.
 *
 * ```ts
 * class BookList extends ListView { … }
 * methodDecorator(cachePage(300), 'dispatch')(BookList); // every method of the view is cached
 * path('books/', BookList.asView());
 * ```
 *
 * @throws ViewConfigurationError when the class has no method called `name`.
 */
export function methodDecorator(decorator: ViewDecorator | readonly ViewDecorator[], name: string): <C extends abstract new (...args: never[]) => object>(cls: C) => C;
export function methodDecorator(decorator: ViewDecorator | readonly ViewDecorator[]): <M extends Method>(method: M) => M;
export function methodDecorator(decorator: ViewDecorator | readonly ViewDecorator[], name?: string) {
  const decorators = Array.isArray(decorator) ? (decorator as readonly ViewDecorator[]) : [decorator as ViewDecorator];
  if (name === undefined) return <M extends Method>(method: M): M => decorateMethod(method, decorators);
  return <C extends abstract new (...args: never[]) => object>(cls: C): C => {
    const prototype = cls.prototype as Record<string, unknown>;
    const method = prototype[name];
    if (typeof method !== 'function') {
      throw new ViewConfigurationError(`methodDecorator() cannot decorate '${name}': ${cls.name} has no method of that name. Name a method the class defines or inherits, such as 'dispatch' or 'get'.`);
    }
    Object.defineProperty(prototype, name, { value: decorateMethod(method as Method, decorators), writable: true, configurable: true });
    return cls;
  };
}
