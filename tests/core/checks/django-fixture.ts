/**
 * What Django 5.2 reported (checks-expected.json, written by django/checks_oracle.py),
 * translated to Nuages's names, and Nuages's messages in the same shape, so a test
 * compares the two as sets.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeObject, type CheckMessage } from '../../../src/core/checks/index.ts';

/** One message as the oracle stores it. */
export interface Expected {
  readonly id: string;
  readonly level: string;
  readonly msg: string;
  readonly hint: string | null;
  readonly obj: string | null;
}

export const DJANGO = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'checks-expected.json'), 'utf8')) as {
  deploy: Record<string, Expected[]>;
  report: Record<string, string | null>;
  models: Expected[];
  urls: Record<string, Expected[]>;
  caches: Record<string, Expected[]>;
  templates: Record<string, Expected[]>;
};

export interface Scenario {
  readonly name: string;
  readonly settings: Record<string, unknown>;
  readonly nuages?: Record<string, unknown>;
}

export const SCENARIOS = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'deploy-scenarios.json'), 'utf8')) as {
  strongKey: string;
  /** Django's startproject MIDDLEWARE, which scenarios name 'STANDARD'. */
  standardMiddleware: string[];
  scenarios: Scenario[];
};

/** Django's module paths and the Nuages ones a project writes instead; longest first, so none is replaced inside another. */
export const NUAGES_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['django.middleware.security.SecurityMiddleware', 'nuages/middleware/security#SecurityMiddleware'],
  ['django.middleware.clickjacking.XFrameOptionsMiddleware', 'nuages/middleware/clickjacking#XFrameOptionsMiddleware'],
  ['django.middleware.csrf.CsrfViewMiddleware', 'nuages/middleware/csrf#CsrfViewMiddleware'],
  ['django.middleware.common.CommonMiddleware', 'nuages/middleware/common#CommonMiddleware'],
  ['django.middleware.gzip.GZipMiddleware', 'nuages/middleware/gzip#GZipMiddleware'],
  ['django.middleware.http.ConditionalGetMiddleware', 'nuages/middleware/conditional-get#ConditionalGetMiddleware'],
  ['django.contrib.sessions.middleware.SessionMiddleware', 'nuages/contrib/sessions#SessionMiddleware'],
  ['django.contrib.auth.middleware.AuthenticationMiddleware', 'nuages/contrib/auth#AuthenticationMiddleware'],
  ['django.contrib.messages.middleware.MessageMiddleware', 'nuages/contrib/messages#MessageMiddleware'],
  ['django.contrib.contenttypes', 'nuages/contrib/contenttypes'],
  ['django.contrib.sessions', 'nuages/contrib/sessions'],
  ['django.contrib.messages', 'nuages/contrib/messages'],
  ['django.contrib.auth', 'nuages/contrib/auth'],
];

/** Django's wording where Nuages writes JavaScript or its own option names; applied after NUAGES_NAMES. */
export const NUAGES_WORDS: ReadonlyArray<readonly [string | RegExp, string]> = [
  ["Django's", "Nuages's"],
  [/\bTrue\b/g, 'true'],
  ['null=true', 'null: true'],
  ['null=False', 'null: false'],
  ['primary_key=true argument', 'primaryKey: true option'],
  ['primary_key=true', 'primaryKey: true'],
  ['ForeignKey(unique=true)', 'ForeignKey({ unique: true })'],
  ['unique=true', 'unique: true'],
  ["'max_length'", "'maxLength'"],
  ['on_delete=SET_DEFAULT', 'onDelete: SET_DEFAULT'],
  ['on_delete rule', 'onDelete rule'],
  ['related_name', 'relatedName'],
  ["'db_column'", "'dbColumn'"],
  ['db_table', 'dbTable'],
  ['use `dict` instead of `{}`', 'use `() => ({})` instead of `{}`'],
  ['migrating to django.urls.path()', 'migrating to path()'],
  ['re_path()', 'rePath()'],
];

/** Django's text in Nuages's names; `extra` adds pairs for one scenario (a value written differently). */
export function translate(text: string, extra: ReadonlyArray<readonly [string, string]> = []): string {
  let out = text;
  for (const [from, to] of [...NUAGES_NAMES, ...extra]) out = out.replaceAll(from, to);
  for (const [from, to] of NUAGES_WORDS) out = typeof from === 'string' ? out.replaceAll(from, to) : out.replace(from, to);
  return out;
}

export function translateExpected(messages: readonly Expected[], extra: ReadonlyArray<readonly [string, string]> = []): string[] {
  return unique(
    messages.map((m) => ({
      ...m,
      msg: translate(m.msg, extra),
      hint: m.hint === null ? null : translate(m.hint, extra),
      obj: m.obj === null ? null : translate(m.obj, extra),
    })),
  );
}

const LEVELS: Readonly<Record<number, string>> = { 10: 'DEBUG', 20: 'INFO', 30: 'WARNING', 40: 'ERROR', 50: 'CRITICAL' };

/** Nuages's messages in the oracle's shape; `withObj: false` drops the object (Django names it by a Python repr). */
export function actual(messages: readonly CheckMessage[], options: { withObj?: boolean } = {}): string[] {
  return unique(
    messages.map((m) => ({
      id: m.id ?? '',
      level: LEVELS[m.level] ?? String(m.level),
      msg: m.msg,
      hint: m.hint ?? null,
      obj: options.withObj === false || m.obj === undefined || m.obj === null ? null : describeObject(m.obj),
    })),
  );
}

/** As a sorted set of JSON lines: Django repeats a few messages (models.E015 for a related path), Nuages does not. */
function unique(messages: readonly Expected[]): string[] {
  return [...new Set(messages.map((m) => JSON.stringify([m.id, m.level, m.obj, m.msg, m.hint])))].sort();
}

/** Django's settings of a scenario, in Nuages's names (middleware paths, app names, the strong key). */
export function nuagesSettings(scenario: Scenario): Record<string, unknown> {
  const rename = (value: unknown): unknown => {
    if (value === 'STRONG') return SCENARIOS.strongKey;
    if (typeof value === 'string') return NUAGES_NAMES.find(([django]) => django === value)?.[1] ?? value;
    return Array.isArray(value) ? value.map(rename) : value;
  };
  const settings: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(scenario.settings)) {
    settings[name] = rename(name === 'MIDDLEWARE' && value === 'STANDARD' ? SCENARIOS.standardMiddleware : value);
  }
  return { ...settings, ...scenario.nuages };
}


/** Collects what a command writes (its stdout or stderr). */
export function sink(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}
