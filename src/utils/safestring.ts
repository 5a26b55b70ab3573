/**
 * Strings that are safe to put into HTML as they are (Django's SafeString).
 *
 * Autoescaping leaves a SafeString alone and escapes every other value. A
 * SafeString is a real object wrapping the text rather than a branded primitive,
 * so the mark cannot be forged by a plain string and survives being passed around.
 */
export class SafeString {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }

  get length(): number {
    return this.value.length;
  }
}

/** Marks text as safe for HTML output (Django's mark_safe). */
export function markSafe(value: unknown): SafeString {
  if (value instanceof SafeString) return value;
  return new SafeString(String(value));
}

export function isSafe(value: unknown): value is SafeString {
  return value instanceof SafeString;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
};
const HTML_SPECIAL = /[&<>"']/g;
const HTML_SPECIAL_TEST = /[&<>"']/;

/** Escapes `& < > " '` the way Django does (`'` becomes `&#x27;`). Plain text in, plain text out. */
export function escapeHtml(text: string): string {
  if (!HTML_SPECIAL_TEST.test(text)) return text;
  return text.replace(HTML_SPECIAL, (ch) => HTML_ESCAPES[ch]!);
}

/** Django's conditional_escape: safe strings pass, everything else is escaped and marked safe. */
export function conditionalEscape(value: unknown): SafeString {
  if (value instanceof SafeString) return value;
  return new SafeString(escapeHtml(String(value)));
}
