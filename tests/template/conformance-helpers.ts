/** Shared by the conformance tests: reads JSONL cases and runs one through the engine. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Engine, LocmemLoader, TemplateSyntaxError, markSafe } from '../../src/template/index.ts';
import { DateOnly } from '../../src/utils/dates.ts';
import { pyDecimal } from '../../src/template/python.ts';

export interface Case {
  id: string;
  feature?: string;
  templates: Record<string, string>;
  context: Record<string, unknown>;
  options?: { string_if_invalid?: string; autoescape?: boolean };
  expected?: string;
  expected_error?: string;
  expected_render_error?: string;
}

/** JSON values → the values a Nuages view would pass (README: "Context values"). */
export function toValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toValue);
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0]!.startsWith('$')) {
      const x = (v as Record<string, string>)[keys[0]!]!;
      switch (keys[0]) {
        case '$safe':
          return markSafe(x);
        case '$date':
          return DateOnly.fromISO(x);
        case '$datetime':
          return new Date(x);
        case '$decimal':
          return pyDecimal(x);
      }
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toValue(x)]));
  }
  return v;
}

export function readCases(url: URL): Case[] {
  return readFileSync(url, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Case);
}

/** Compiles `main` and compares with the recorded Django outcome. */
export async function runCase(c: Case): Promise<void> {
  const engine = new Engine({
    loaders: [new LocmemLoader(c.templates)],
    stringIfInvalid: c.options?.string_if_invalid ?? '',
    autoescape: c.options?.autoescape ?? true,
  });
  if (c.expected_error !== undefined) {
    await assert.rejects(engine.getTemplate('main'), TemplateSyntaxError);
    return;
  }
  const template = await engine.getTemplate('main');
  const rendering = template.render(toValue(c.context) as Record<string, unknown>);
  if (c.expected_render_error !== undefined) {
    await assert.rejects(rendering);
    return;
  }
  assert.equal(await rendering, c.expected);
}
