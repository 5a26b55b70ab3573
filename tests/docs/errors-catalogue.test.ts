// docs/errors.md is the single list of error codes. This test reads the source as
// text (not by importing it) so an error class that no test imports, or one added
// in a file nobody re-exports yet, still has to be catalogued.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');
const DOCS = join(ROOT, 'docs');
const CATALOGUE = join(DOCS, 'errors.md');
const CODE_FORMAT = /^NUAGES_[A-Z0-9_]+$/;
const ROOT_CLASS = 'NuagesError';

/** One `class … extends …` found in the source, named or not. */
interface ClassDecl {
  /** The class name, or `<anonymous class extends X>` for a class expression. */
  readonly name: string;
  readonly anonymous: boolean;
  readonly parent: string | undefined;
  readonly where: string;
  readonly start: number;
  /** The literal code its body assigns, if any. */
  code: string | undefined;
}

// A class header: `class Name extends Parent` or `class extends Parent`, with an
// optional generic list, on one line (so prose in comments cannot swallow a
// real header). `extends a.B` keeps the last segment.
const CLASS_HEADER = /\bclass\s+(?:(?!extends\b)([A-Za-z_$][\w$]*)\s*)?(?:<[^>{\n]*>\s*)?(?:extends\s+([\w$.]+))?[^{;\n]*\{/g;

// Every way a subclass gives itself a code: a class field with any of `override`,
// `readonly`, `public`, a `: string` annotation; or `this.code = …` in a constructor.
const CODE_FIELD =
  /^[ \t]*(?:(?:public|override|readonly|declare)\s+)*code\s*(?::\s*string\s*)?=\s*(['"`])([^'"`]*)\1/gm;
const CODE_IN_CONSTRUCTOR = /\bthis\.code\s*=\s*(['"`])([^'"`]*)\1/g;

function sourceFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(dir, file))
    .sort();
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Every class in src/, each with the code assigned nearest below its header. */
function scanClasses(): ClassDecl[] {
  const classes: ClassDecl[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(ROOT, file);
    const inFile: ClassDecl[] = [];
    for (const m of text.matchAll(CLASS_HEADER)) {
      const parent = m[2]?.split('.').at(-1);
      const anonymous = m[1] === undefined;
      if (anonymous && parent === undefined) continue;
      inFile.push({
        name: m[1] ?? `<anonymous class extends ${parent}>`,
        anonymous,
        parent,
        where: `${rel}:${lineOf(text, m.index)}`,
        start: m.index,
        code: undefined,
      });
    }
    // A code belongs to the closest class header above it: error classes declare
    // their code first, and classes do not nest inside error classes.
    const assignments = [...text.matchAll(CODE_FIELD), ...text.matchAll(CODE_IN_CONSTRUCTOR)];
    for (const m of assignments) {
      const owner = inFile.filter((c) => c.start < m.index).at(-1);
      if (owner && owner.code === undefined) owner.code = m[2];
    }
    classes.push(...inFile);
  }
  return classes;
}

/** The classes that descend from NuagesError, found by following `extends` by name. */
function errorClasses(all: readonly ClassDecl[]): ClassDecl[] {
  const named = new Map(all.filter((c) => !c.anonymous).map((c) => [c.name, c]));
  const descends = (c: ClassDecl, seen = new Set<string>()): boolean => {
    if (c.parent === undefined || seen.has(c.parent)) return false;
    if (c.parent === ROOT_CLASS) return true;
    const parent = named.get(c.parent);
    return parent !== undefined && descends(parent, seen.add(c.parent));
  };
  return all.filter((c) => c.name !== ROOT_CLASS && descends(c));
}

/** The code a class ends up with: its own, or the nearest ancestor's. */
function effectiveCode(c: ClassDecl, all: readonly ClassDecl[]): string | undefined {
  const named = new Map(all.filter((d) => !d.anonymous).map((d) => [d.name, d]));
  let current: ClassDecl | undefined = c;
  while (current) {
    if (current.code !== undefined) return current.code;
    current = current.parent === undefined ? undefined : named.get(current.parent);
  }
  return undefined;
}

interface CatalogueRow {
  readonly code: string;
  readonly className: string;
  /** The modules of the "thrown by" cell: one or more `nuages/...` paths. */
  readonly modules: readonly string[];
  readonly line: number;
}

// `| `NUAGES_X` | `ClassName` | `nuages/db` | what it means and how to fix it |`
const CATALOGUE_ROW = /^\|\s*`(NUAGES_[^`]*)`\s*\|\s*`([\w$.]+)`\s*\|([^|]*)\|(.*[^\s|].*)\|\s*$/;

function catalogueRows(): CatalogueRow[] {
  const rows: CatalogueRow[] = [];
  readFileSync(CATALOGUE, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const m = CATALOGUE_ROW.exec(line);
      if (m) {
        const modules = [...m[3]!.matchAll(/`([^`]+)`/g)].map((mod) => mod[1]!);
        rows.push({ code: m[1]!, className: m[2]!, modules, line: i + 1 });
      }
      else if (/^\|\s*`NUAGES_/.test(line)) {
        assert.fail(`docs/errors.md:${i + 1} looks like a catalogue row but is not "| \`code\` | \`Class\` | \`module\` | sentence |".`);
      }
    });
  return rows;
}

const classes = scanClasses();
const errors = errorClasses(classes);
const named = errors.filter((c) => !c.anonymous);
const rows = catalogueRows();

/** code → the named class that declares it, as the source says. */
function sourceCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const c of named) if (c.code !== undefined && !codes.has(c.code)) codes.set(c.code, c.name);
  return codes;
}

test('the scan finds the error classes of every subsystem', () => {
  // Guards the scanner itself: if a refactor defeats the regexes, the set
  // comparison below would pass vacuously on an empty list.
  const names = new Set(named.map((c) => c.name));
  for (const known of ['ImproperlyConfigured', 'SettingsNotConfiguredError', 'DatabaseError', 'TemplateSyntaxError', 'CommandError']) {
    assert.ok(names.has(known), `the source scan did not find ${known}`);
  }
  assert.ok(rows.length > 0, 'docs/errors.md has no rows in the "| `code` | `Class` | `module` | sentence |" shape');
});

test('every named NuagesError subclass declares its own literal code', () => {
  const missing = named
    .filter((c) => c.code === undefined)
    .map((c) => `${c.name} (${c.where}) inherits ${effectiveCode(c, classes) ?? 'no code'}`);
  assert.deepEqual(missing, [], `Give each of these its own \`override readonly code = 'NUAGES_...'\`:\n  ${missing.join('\n  ')}`);
});

test('every error code matches NUAGES_[A-Z0-9_]+', () => {
  const bad = errors
    .filter((c) => c.code !== undefined && !CODE_FORMAT.test(c.code))
    .map((c) => `${c.code} on ${c.name} (${c.where})`);
  assert.deepEqual(bad, [], `Codes must match ${CODE_FORMAT}:\n  ${bad.join('\n  ')}`);
});

test('no two error classes share a code', () => {
  const byCode = new Map<string, string[]>();
  for (const c of errors) {
    if (c.code === undefined) continue;
    // A class expression that restates its parent's code is the per-model
    // `Book.DoesNotExist` pattern: the same kind of failure, one catalogue row.
    if (c.anonymous && c.parent !== undefined && c.code === effectiveCode(named.find((n) => n.name === c.parent)!, classes)) {
      continue;
    }
    byCode.set(c.code, [...(byCode.get(c.code) ?? []), `${c.name} (${c.where})`]);
  }
  const shared = [...byCode].filter(([, owners]) => owners.length > 1).map(([code, owners]) => `${code}: ${owners.join(', ')}`);
  assert.deepEqual(shared, [], `Each code belongs to one class:\n  ${shared.join('\n  ')}`);
});

test('docs/errors.md lists exactly the codes the source declares', () => {
  const inSource = sourceCodes();
  const documented = new Set(rows.map((r) => r.code));
  const missing = [...inSource].filter(([code]) => !documented.has(code)).map(([code, cls]) => `${code} (${cls})`);
  const stale = [...documented].filter((code) => !inSource.has(code));
  assert.deepEqual(
    { missing: missing.sort(), stale: stale.sort() },
    { missing: [], stale: [] },
    `docs/errors.md disagrees with src/: add a row for each missing code, delete each stale one.`,
  );
});

test('docs/errors.md gives each code one row, naming the class that declares it', () => {
  const inSource = sourceCodes();
  const seen = new Map<string, number>();
  const problems: string[] = [];
  for (const row of rows) {
    const earlier = seen.get(row.code);
    if (earlier !== undefined) problems.push(`${row.code} has rows on lines ${earlier} and ${row.line}`);
    seen.set(row.code, row.line);
    const declaredBy = inSource.get(row.code);
    if (declaredBy !== undefined && declaredBy !== row.className) {
      problems.push(`line ${row.line}: ${row.code} is declared by ${declaredBy}, the row says ${row.className}`);
    }
    if (row.modules.length === 0) problems.push(`line ${row.line}: ${row.code} names no module that throws it`);
    for (const mod of row.modules) {
      if (!/^nuages\/[a-z/-]+$/.test(mod)) problems.push(`line ${row.line}: module '${mod}' is not a nuages/… path`);
    }
  }
  assert.deepEqual(problems, []);
});

test('the code tables of other doc pages agree with the catalogue', () => {
  const catalogue = new Map(rows.map((r) => [r.code, r.className]));
  const problems: string[] = [];
  for (const page of readdirSync(DOCS).filter((f) => f.endsWith('.md') && f !== 'errors.md')) {
    readFileSync(join(DOCS, page), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.startsWith('|')) return;
        const cells = [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
        const code = cells.find((cell) => cell.startsWith('NUAGES_'));
        // Only rows that pair a code with a class: `NUAGES_SETTINGS_MODULE` is
        // also the name of an environment variable, which pages mention alone.
        const className = cells.find((cell) => /^[A-Z][A-Za-z]+$/.test(cell));
        if (code === undefined || className === undefined) return;
        const expected = catalogue.get(code);
        if (expected === undefined) problems.push(`docs/${page}:${i + 1}: ${code} is not in docs/errors.md`);
        else if (expected !== className) problems.push(`docs/${page}:${i + 1}: ${code} is ${expected}, the row says ${className}`);
      });
  }
  assert.deepEqual(problems, []);
});

test('docs/index.md links the error catalogue', () => {
  assert.match(readFileSync(join(DOCS, 'index.md'), 'utf8'), /\]\(errors\.md\)/);
});
