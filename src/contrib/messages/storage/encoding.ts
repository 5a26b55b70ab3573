/**
 * Messages as Django 5.2 writes them: each message a JSON list
 * `["__json_message", isSafe, level, text, extraTags]`, so cookies and sessions written by
 * a Django project read here and the reverse.
 */
import { pythonJsonStringify } from '../../../utils/python-json.ts';
import { SafeString, markSafe } from '../../../utils/safestring.ts';
import { Message } from '../message.ts';

const MESSAGE_KEY = '__json_message';

/** One message as Django's MessageEncoder writes it (compact JSON). */
export function encodeMessage(message: Message, separator = ','): string {
  const parts: unknown[] = [MESSAGE_KEY, message.message instanceof SafeString ? 1 : 0, message.level, String(message.message)];
  if (message.extraTags !== null) parts.push(message.extraTags);
  return `[${parts.map((part) => pythonJsonStringify(part)).join(separator)}]`;
}

/** Revives Django's encoded messages inside parsed JSON (lists and dicts are walked). */
export function reviveMessages(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length >= 4 && value[0] === MESSAGE_KEY) {
      const [, safe, level, text, extraTags] = value as [string, number, number, string, string | undefined];
      if (typeof level !== 'number' || typeof text !== 'string') throw new TypeError('A stored message has no level or text.');
      return new Message(level, safe ? markSafe(text) : text, extraTags ?? null);
    }
    return value.map(reviveMessages);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reviveMessages(item)]));
  }
  return value;
}
