// The message sets both sides encode (message-cases.json), as Nuages Messages, and the
// helpers the oracle test and make-nuages-messages.ts share.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { CookieStorage, FallbackStorage, Message, type BaseStorage } from '../../../../src/contrib/messages/index.ts';
import { CacheSessionStore } from '../../../../src/contrib/sessions/index.ts';
import { HttpRequest, HttpResponse } from '../../../../src/http/index.ts';
import { SafeString, markSafe } from '../../../../src/utils/safestring.ts';

/** One message as the fixtures write it: [level, text, isSafe, extraTags]. */
export type MessageTuple = [level: number, text: string, safe: boolean, extraTags: string | null];

export interface MessageCases {
  readonly secretKey: string;
  readonly oldKey: string;
  /** The clock both sides sign at, in seconds. */
  readonly now: number;
  readonly sets: Readonly<Record<string, readonly MessageTuple[]>>;
  /** More messages than a cookie holds: `message {i} ` and two SHA-256 hex digests each. */
  readonly overflow: { readonly count: number; readonly level: number };
}

export const messageCases = JSON.parse(readFileSync(join(import.meta.dirname, 'message-cases.json'), 'utf8')) as MessageCases;

export function toMessage([level, text, safe, extraTags]: MessageTuple): Message {
  return new Message(level, safe ? markSafe(text) : text, extraTags);
}

export function toTuple(message: Message): MessageTuple {
  return [message.level, String(message), message.message instanceof SafeString, message.extraTags];
}

/** The overflow messages (messages_oracle.py builds the same texts). */
export function overflowTuples(): MessageTuple[] {
  const hex = (text: string) => createHash('sha256').update(text).digest('hex');
  const { count, level } = messageCases.overflow;
  return Array.from({ length: count }, (_, i) => [level, `message ${i} ${hex(`${i}`)}${hex(`${i}b`)}`, false, ''] as MessageTuple);
}

/** The JSON text a signed cookie value carries (decompressed), without checking the signature. */
export function insideJson(cookie: string): string {
  const payload = cookie.split(':')[0]!;
  const data = Buffer.from(payload.replace(/^\./, ''), 'base64url');
  return (payload.startsWith('.') ? inflateSync(data) : data).toString('latin1');
}

/** What Nuages writes for the cases: make-nuages-messages.ts saves it for the oracle to read. */
export interface NuagesWrites {
  /** Each set as CookieStorage writes it. */
  readonly cookies: Record<string, string>;
  /** The overflow messages through CookieStorage alone: the newest that fit, and the marker. */
  readonly overflowCookie: string;
  /** The overflow messages through FallbackStorage: the oldest in the cookie, the rest in the session. */
  readonly fallback: { readonly cookie: string; readonly session: string };
}

/** Writes every case through the storages (settings configured with messageCases.secretKey). */
export async function nuagesWrites(): Promise<NuagesWrites> {
  const cookies: Record<string, string> = {};
  for (const [name, tuples] of Object.entries(messageCases.sets)) {
    cookies[name] = (await storeThrough(CookieStorage, tuples.map(toMessage))).cookie;
  }
  const overflow = overflowTuples().map(toMessage);
  const fallback = await storeThrough(FallbackStorage, overflow);
  return {
    cookies,
    overflowCookie: (await storeThrough(CookieStorage, overflow)).cookie,
    fallback: { cookie: fallback.cookie, session: fallback.session },
  };
}

/**
 * Stores `messages` through a storage of `Storage` on a fresh request with a session
 * (the 'cache' store): the messages cookie set, the session's `_messages`, and the
 * messages that did not fit.
 */
export async function storeThrough(
  Storage: new (request: HttpRequest) => BaseStorage,
  messages: Message[],
): Promise<{ cookie: string; session: string; unstored: Message[] }> {
  const request = HttpRequest.create();
  request.session = new CacheSessionStore(null);
  const response = new HttpResponse('');
  const unstored = await new Storage(request).store(messages, response);
  return {
    cookie: response.cookies.get('messages')?.value ?? '',
    session: (await request.session.get<string>('_messages')) ?? '',
    unstored,
  };
}
