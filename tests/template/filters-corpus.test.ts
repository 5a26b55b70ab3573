/**
 * Runs the conformance corpus's filter cases against the filter functions alone
 * (see ./filters/evaluate.ts). Cases that need tags other than autoescape are left
 * to the engine's conformance test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type Case, renderTemplate, toValue } from './filters/evaluate.ts';

const lines = readFileSync(new URL('../../../shared/conformance/dtl/cases.jsonl', import.meta.url), 'utf8').split('\n');
for (const line of lines) {
  if (!line) continue;
  const c = JSON.parse(line) as Case;
  if (!c.feature.startsWith('filter:') || c.expected === undefined) continue;
  const withoutAutoescape = c.templates.main.replace(/\{%\s*(end)?autoescape[^%]*%\}/g, '');
  if (withoutAutoescape.includes('{%') || Object.keys(c.templates).length > 1) continue;
  test(`${c.id}: ${c.templates.main}`, () => {
    assert.equal(renderTemplate(c.templates.main, toValue(c.context) as Record<string, unknown>), c.expected);
  });
}
