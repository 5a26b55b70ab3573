/**
 * The production access log: one structured record per request on the
 * `nuages.server.access` logger (INFO), which LOGGING routes like any other — JSON
 * lines on stderr by default. `serve --access-log` turns it on; `runserver` keeps
 * Django's one-line format (request-log.ts).
 *
 * `{"level":30,"time":…,"msg":"GET /books/ 200","logger":"nuages.server.access","method":"GET",
 *   "path":"/books/","status":200,"bytes":5120,"durationMs":3.1,"requestId":"…","remoteAddress":"10.0.0.2","userAgent":"curl/8.5"}`
 */
import { getLogger, loggerEnabled } from '../../utils/log.ts';
import type { RequestLogEntry } from './http-server.ts';

const log = getLogger('nuages.server.access');

/** Log `entry` as one access-log record. */
export function logAccess(entry: RequestLogEntry): void {
  if (!loggerEnabled(log.name, 'info')) return;
  log.info(`${entry.method} ${entry.url} ${entry.status}`, {
    method: entry.method,
    path: entry.url,
    status: entry.status,
    bytes: entry.size,
    durationMs: Math.round(entry.durationMs * 1000) / 1000,
    requestId: entry.requestId,
    remoteAddress: entry.remoteAddress,
    userAgent: entry.userAgent,
    // A response cut short is worth a field: the status alone would hide it.
    ...(entry.completed ? {} : { aborted: true }),
  });
}
