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

/** Escapes `& < > " '` the way Django does (`'` becomes `&#x27;`). Plain text in, plain text out. */
export function escapeHtml(text: string): string {
  // A scan by char code beats regex replace with a callback on the hot path of template output.
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    let replacement: string;
    switch (text.charCodeAt(i)) {
      case 38:
        replacement = '&amp;';
        break;
      case 60:
        replacement = '&lt;';
        break;
      case 62:
        replacement = '&gt;';
        break;
      case 34:
        replacement = '&quot;';
        break;
      case 39:
        replacement = '&#x27;';
        break;
      default:
        continue;
    }
    out += last === i ? replacement : text.slice(last, i) + replacement;
    last = i + 1;
  }
  if (last === 0) return text;
  return last < text.length ? out + text.slice(last) : out;
}

/** Django's conditional_escape: safe strings pass, everything else is escaped and marked safe. */
export function conditionalEscape(value: unknown): SafeString {
  if (value instanceof SafeString) return value;
  return new SafeString(escapeHtml(String(value)));
}
