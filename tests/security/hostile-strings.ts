/**
 * Hostile strings the XSS tests render through every surface that prints user input
 * (template filters and tags, forms, messages, error pages), and the check that none of
 * their markup came out live.
 */
import assert from 'node:assert/strict';

export const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  '&lt;script&gt; already-escaped <b>',
  'http://example.com/"><script>alert(1)</script>',
  'x@example.com<script>',
];

/** Fails when `out` holds markup that came from the hostile input rather than from a filter. */
export function assertNoInjectedMarkup(out: string, context: string): void {
  assert.doesNotMatch(out, /<script|<img|<svg|<a href="javascript|onerror=alert\(1\)>|" onerror|' onload/i, context);
}
