/**
 * The development server's request log: one line per response, in Django's
 * runserver format, coloured by status class.
 *
 * `[12/Mar/2025 10:04:01] "GET /books/?page=2 HTTP/1.1" 200 5120`
 */
import type { Style } from '../management/base.ts';
import type { RequestLogEntry } from './http-server.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2025 10:04:01` in local time, as Django's log_date_time_string. */
export function logDate(date: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getDate())}/${MONTHS[date.getMonth()]}/${date.getFullYear()} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** The style role Django's runserver gives a status code. */
export function statusStyle(style: Style, status: number): (text: string) => string {
  if (status >= 500) return style.HTTP_SERVER_ERROR;
  if (status === 404) return style.HTTP_NOT_FOUND;
  if (status >= 400) return style.HTTP_BAD_REQUEST;
  if (status === 304) return style.HTTP_NOT_MODIFIED;
  if (status >= 300) return style.HTTP_REDIRECT;
  if (status >= 200) return style.HTTP_SUCCESS;
  return style.HTTP_INFO;
}

/** One log line (without the newline) for a finished request. */
export function formatLogLine(entry: RequestLogEntry, style: Style, now: Date = new Date()): string {
  const target = `"${entry.method} ${entry.url} HTTP/${entry.httpVersion}"`;
  const size = entry.size === undefined ? '' : ` ${entry.size}`;
  // A response the client never fully got is worth a note: the status alone would hide it.
  const aborted = entry.completed ? '' : ' (connection closed before the response ended)';
  return statusStyle(style, entry.status)(`[${logDate(now)}] ${target} ${entry.status}${size}${aborted}`);
}
