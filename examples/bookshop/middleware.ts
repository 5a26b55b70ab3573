/**
 * The classic first middleware: time each request and say how long it took in
 * an `X-Request-Duration` header (milliseconds).
 */
import type { HttpRequest, HttpResponseBase } from 'nuages/http';

export function requestDuration(getResponse: (request: HttpRequest) => Promise<HttpResponseBase>) {
  return async (request: HttpRequest): Promise<HttpResponseBase> => {
    const started = performance.now();
    const response = await getResponse(request);
    response.headers.set('X-Request-Duration', (performance.now() - started).toFixed(1));
    return response;
  };
}
