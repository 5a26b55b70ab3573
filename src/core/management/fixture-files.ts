/**
 * Fixture files on disk for loaddata and dumpdata: where a fixture label is looked for,
 * how its name splits into name, format and compression, and reading and writing them
 * compressed.
 *
 * A label (`authors`, `authors.json`, `authors.json.gz`, `dir/authors`, an absolute path)
 * is looked for in each installed app's `fixtures/` folder, in FIXTURE_DIRS, then in the
 * working directory, as `name[.database][.format][.compression]`, as Django does.
 * Compression: gzip (`.gz`) and zip (`.zip`, one file inside) are read; dumpdata writes
 * gzip. bzip2 and xz/lzma fixtures are found but refused with what to do instead.
 */
import { once } from 'node:events';
import { createWriteStream, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { gunzipSync, createGzip } from 'node:zlib';
import { unzipSync } from 'fflate';
import { apps } from '../../conf/apps.ts';
import { ImproperlyConfigured } from '../errors.ts';
import { settingOr } from '../../conf/lazy-settings.ts';
import { CommandError } from './base.ts';

/** The label that reads a fixture from standard input (with --format). */
export const READ_STDIN = '-';

/** Compression extensions a fixture may have (Django's list; bz2 and xz/lzma are refused when read). */
export const COMPRESSION_FORMATS: readonly string[] = ['gz', 'zip', 'bz2', 'lzma', 'xz'];
const READABLE_COMPRESSION = new Set(['gz', 'zip']);
const DECOMPRESSORS: Readonly<Record<string, string>> = { bz2: 'bunzip2', lzma: 'unlzma', xz: 'unxz' };

/** One fixture file found for a label: its path, the folder it was found in, and the name looked for. */
export interface FoundFixture {
  readonly file: string;
  readonly dir: string | null;
  readonly name: string;
}

/** A fixture name split as Django splits it: `authors.json.gz` → `['authors', 'json', 'gz']`. */
export interface ParsedFixtureName {
  readonly name: string;
  readonly format: string | null;
  readonly compression: string | null;
}

/** `'<dir>'` for messages, or "absolute path" for none (Django's humanize). */
export function humanize(dir: string | null): string {
  return dir ? `'${dir}'` : 'absolute path';
}

/**
 * Splits `fixtureName` into name, serialization format and compression (Django's
 * parse_name): the last two dot-separated parts are a compression then a format when
 * they are known ones; any other last part is an error.
 *
 * @throws CommandError for an extension that is neither ("toml is not a known serialization format").
 */
export function parseFixtureName(fixtureName: string, formats: readonly string[], stdinFormat: string | undefined): ParsedFixtureName {
  if (fixtureName === READ_STDIN) {
    if (!stdinFormat) throw new CommandError('--format must be specified when reading from stdin.');
    return { name: READ_STDIN, format: stdinFormat, compression: 'stdin' };
  }
  const parts = rsplit(fixtureName, '.', 2);
  let compression: string | null = null;
  if (parts.length > 1 && COMPRESSION_FORMATS.includes(parts.at(-1)!)) compression = parts.pop()!;
  let format: string | null = null;
  if (parts.length > 1) {
    if (!formats.includes(parts.at(-1)!)) {
      throw new CommandError(`Problem installing fixture '${parts.slice(0, -1).join('.')}': ${parts.at(-1)} is not a known serialization format.`);
    }
    format = parts.pop()!;
  }
  return { name: parts.join('.'), format, compression };
}

/** Python's `text.rsplit(separator, limit)`. */
function rsplit(text: string, separator: string, limit: number): string[] {
  const parts = text.split(separator);
  if (parts.length <= limit + 1) return parts;
  return [parts.slice(0, parts.length - limit).join(separator), ...parts.slice(parts.length - limit)];
}

/** A folder's real path; a folder that does not exist keeps its absolute path (as Python's realpath). */
function realPath(dir: string): string {
  try {
    return realpathSync(resolve(dir));
  } catch {
    return resolve(dir);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Where fixtures are looked for, in order: each installed app's `fixtures/` folder (only
 * `appLabel`'s when given), FIXTURE_DIRS, then the working directory.
 *
 * @throws ImproperlyConfigured when FIXTURE_DIRS repeats a folder or lists an app's own.
 */
export function fixtureDirs(appLabel?: string): string[] {
  const configured = settingOr<readonly string[]>('FIXTURE_DIRS', []).map(String);
  if (new Set(configured).size !== configured.length) throw new ImproperlyConfigured('settings.FIXTURE_DIRS contains duplicates.');
  const dirs: string[] = [];
  for (const config of apps.getAppConfigs()) {
    const appDir = join(config.path, 'fixtures');
    if (configured.some((dir) => resolve(dir) === appDir)) {
      throw new ImproperlyConfigured(`'${appDir}' is a default fixture directory for the '${config.label}' app and cannot be listed in settings.FIXTURE_DIRS.`);
    }
    if (appLabel !== undefined && config.label !== appLabel) continue;
    if (isDirectory(appDir)) dirs.push(appDir);
  }
  return [...dirs, ...configured, ''].map(realPath);
}

/** What a label's search looked at, for loaddata's verbosity-2 lines. */
export interface FixtureSearchLog {
  (line: string): void;
}

/**
 * The files a fixture label names (Django's find_fixtures): at most one per folder.
 *
 * @throws CommandError when none is found, or two match in one folder.
 */
export function findFixtureFiles(
  label: string,
  options: { formats: readonly string[]; using: string; appLabel?: string; stdinFormat?: string; log?: FixtureSearchLog },
): FoundFixture[] {
  if (label === READ_STDIN) return [{ file: READ_STDIN, dir: null, name: READ_STDIN }];
  const parsed = parseFixtureName(label, options.formats, options.stdinFormat);
  options.log?.(`Loading '${parsed.name}' fixtures...`);
  const name = basename(parsed.name);
  let dirs = isAbsolute(parsed.name) ? [dirname(parsed.name)] : fixtureDirs(options.appLabel);
  if (!isAbsolute(parsed.name) && normalize(parsed.name).includes(sep)) dirs = dirs.map((dir) => join(dir, dirname(parsed.name)));
  const targets = fixtureTargets(name, parsed, options);
  const found: FoundFixture[] = [];
  for (const dir of dirs) {
    options.log?.(`Checking ${humanize(dir)} for fixtures...`);
    const files = listDir(dir)
      .filter((entry) => targets.has(entry))
      .map((entry) => ({ file: join(dir, entry), dir, name }));
    if (!files.length) options.log?.(`No fixture '${name}' in ${humanize(dir)}.`);
    if (files.length > 1) throw new CommandError(`Multiple fixtures named '${name}' in ${humanize(dir)}. Aborting.`);
    found.push(...files);
  }
  if (!found.length) throw new CommandError(`No fixture named '${name}' found.`);
  return found;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Every file name `name` may have: `name[.database][.format][.compression]`. */
function fixtureTargets(name: string, parsed: ParsedFixtureName, options: { formats: readonly string[]; using: string }): Set<string> {
  const targets = new Set<string>();
  for (const database of [options.using, null]) {
    for (const format of parsed.format === null ? options.formats : [parsed.format]) {
      for (const compression of parsed.compression === null ? [null, ...COMPRESSION_FORMATS] : [parsed.compression]) {
        targets.add([name, database, format, compression].filter(Boolean).join('.'));
      }
    }
  }
  return targets;
}

/**
 * The text of a fixture file, decompressed.
 *
 * @throws CommandError for a compression Nuages does not read, or a zip without exactly one file.
 */
export function readFixtureFile(file: string, compression: string | null): string {
  if (compression === null) return readFileSync(file, 'utf8');
  if (!READABLE_COMPRESSION.has(compression)) {
    throw new CommandError(
      `Problem installing fixture '${file}': Nuages reads gzip (.gz) and zip (.zip) fixtures, not .${compression}. ` +
        `Decompress it first (${DECOMPRESSORS[compression]} ${basename(file)}), or recompress it with gzip.`,
    );
  }
  const bytes = readFileSync(file);
  if (compression === 'gz') return gunzipSync(bytes).toString('utf8');
  const entries = Object.values(unzipSync(bytes));
  if (entries.length !== 1) throw new CommandError(`Problem installing fixture '${file}': Zip-compressed fixtures must contain one file.`);
  return Buffer.from(entries[0]!).toString('utf8');
}

/** Where dumpdata writes: a file, gzip-compressed for `.gz`. */
export interface DumpOutput {
  write(text: string): Promise<void>;
  close(): Promise<void>;
  /** Django's warning when the extension was not a compression it writes ('.zip'). */
  readonly warning: string | undefined;
}

/**
 * Opens dumpdata's `--output` file. `.gz` is written gzip-compressed; `.zip` is written
 * uncompressed without the extension, with Django's warning; `.bz2`, `.xz` and `.lzma` are
 * refused rather than written in a form their name does not promise.
 *
 * @throws CommandError for `.bz2`, `.xz` and `.lzma`, naming what works.
 */
export function openDumpOutput(output: string): DumpOutput {
  const extension = extname(output);
  const root = output.slice(0, output.length - extension.length);
  if (extension in { '.bz2': 1, '.xz': 1, '.lzma': 1 }) {
    throw new CommandError(
      `Cannot write '${output}': Nuages compresses dumpdata output with gzip only. Use '${root}.gz', or write '${root}' and compress it with ` +
        `${extension === '.bz2' ? 'bzip2' : 'xz'}.`,
    );
  }
  const path = extension === '.zip' ? root : output;
  const file = createWriteStream(path);
  const gzip = extension === '.gz' ? createGzip() : undefined;
  if (gzip) gzip.pipe(file);
  const sink = gzip ?? file;
  return {
    warning: extension === '.zip' ? `Unsupported file extension (${extension}). Fixtures saved in '${basename(path)}'.` : undefined,
    async write(text: string) {
      if (!sink.write(text)) await once(sink, 'drain');
    },
    async close() {
      const closed = once(file, 'close');
      sink.end();
      await closed;
    },
  };
}
