// The session cases both sides run (session-cases.json), and how Nuages encodes them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumps } from '../../../../src/core/signing.ts';
import { DbSessionStore, type SessionData } from '../../../../src/contrib/sessions/index.ts';
import { parsePythonJson } from '../../../../src/utils/python-json.ts';

export interface SessionCases {
  readonly secretKey: string;
  /** The clock both sides encode at, in seconds. */
  readonly now: number;
  readonly cases: ReadonlyArray<{ readonly name: string; readonly data: SessionData }>;
  /** Sessions written as rows of django_session, with far-future expiry dates. */
  readonly rows: ReadonlyArray<{ readonly key: string; readonly data: SessionData }>;
}

export const sessionCases = parsePythonJson(readFileSync(join(import.meta.dirname, 'session-cases.json'), 'utf8')) as SessionCases;

export const SIGNED_COOKIES_SALT = 'django.contrib.sessions.backends.signed_cookies';

/** session_data as the 'db' (and 'cached-db', 'file') store writes it. */
export function encodeForDb(data: SessionData): string {
  return new DbSessionStore().encode(data);
}

/** The cookie value the 'signed-cookies' store sends. */
export function encodeForSignedCookie(data: SessionData): string {
  return dumps(data, { salt: SIGNED_COOKIES_SALT, compress: true });
}
