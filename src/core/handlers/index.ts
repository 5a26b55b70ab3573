/**
 * `nuages/core/handlers`: the request handler and its node:http glue.
 *
 * ```ts
 * import { createServer } from 'node:http';
 * import { NodeHandler } from 'nuages/core/handlers';
 * createServer(new NodeHandler().listener).listen(8000);
 * ```
 */
export {
  BaseHandler,
  importMiddleware,
  InvalidViewResponseError,
  MiddlewareConfigError,
  MiddlewareNotUsed,
  type GetResponse,
  type HandlerOptions,
  type MiddlewareClass,
  type MiddlewareFactory,
  type MiddlewareFunction,
  type MiddlewareHooks,
  type MiddlewareObject,
  type MiddlewareSetting,
} from './base.ts';
export {
  consoleRequestLogger,
  convertExceptionToResponse,
  errorPage,
  logResponse,
  requestLogger,
  responseForException,
  setRequestLogger,
  technical404Response,
  technical500Response,
  type RequestLogger,
} from './exception.ts';
export { cleanseSetting, safeSettings, CLEANSED_SUBSTITUTE } from './debug.ts';
export { createRequestListener, NodeHandler, sendResponse, type NodeHandlerOptions } from './node.ts';
