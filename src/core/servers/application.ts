/**
 * The bridge from node:http to the Nuages handler (Django's WSGIHandler):
 * IncomingMessage → HttpRequest.fromNode → handle() (middleware, URLconf,
 * view) → sendResponse() writes the HttpResponse on the ServerResponse.
 */
import { NodeHandler, type NodeHandlerOptions } from '../handlers/node.ts';
import type { NodeApp } from './http-server.ts';
import { loadUrlconf } from '../../urls/index.ts';
import { settingOr } from '../../conf/lazy-settings.ts';

/**
 * The node:http request listener for the configured project (settings must
 * be set up; manage.ts does it). The middleware chain is built here, once, so
 * a broken MIDDLEWARE entry stops the server at start-up instead of failing
 * every request.
 *
 * @throws MiddlewareConfigError for a MIDDLEWARE entry that cannot be imported or used.
 */
export async function createNodeApp(options: NodeHandlerOptions = {}): Promise<NodeApp> {
  const handler = new NodeHandler(options);
  await handler.loadMiddleware();
  // Load the URLconf before listening, as the middleware is: a fresh worker (a rolling restart,
  // a replaced crash) answers its first requests at full speed.
  if (settingOr<string | null>('ROOT_URLCONF', null) !== null) await loadUrlconf();
  return handler.listener;
}
