/**
 * `manage.ts test [label…]`: the project's tests on Node's own runner (node:test), as
 * Django's `test` command runs its unittest suites.
 *
 * labels (files, folders or app labels; the project's folder when none) → the `*.test.ts`
 * files under them → node:test's run(), each file in a process of its own, N at once
 * (--parallel) → the spec reporter on stdout → exit 1 when a test failed.
 *
 * Every test process inherits NUAGES_SETTINGS_MODULE (so `setup()` in a test file finds the
 * project's settings) and NUAGES_KEEPDB=1 with --keepdb, which the test database helpers
 * read. The same files run with plain `node --test`; this command adds Django's options.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import type { Command } from 'commander';
import { apps } from '../../../conf/apps.ts';
import { settingOr } from '../../../conf/lazy-settings.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';

const TEST_FILE = /\.test\.(?:ts|mts|js|mjs)$/;

export default class TestCommand extends BaseCommand {
  override help = 'Discover and run tests in the specified modules or the current directory.';
  // Each test file sets up its own database and runs the checks it needs.
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .argument('[testLabels...]', 'Test files, folders or app labels to run; the project folder when none is given.')
      .option('--failfast', 'Tells Nuages to stop running the test suite after first failed test.', false)
      .option('--keepdb', 'Preserves the test DB between runs.', false)
      .option('--parallel [N]', "Run tests using up to N parallel processes. Use the value 'auto' to run one test process for each processor core.", '1')
      .option('-k, --pattern <pattern>', 'Only run tests whose name matches the given pattern (repeatable; a regular expression).', (pattern: string, all: string[]) => [...all, pattern], [] as string[])
      .option('--coverage', "Collect code coverage with Node's own collector and print the report.", false);
  }

  override async handle(options: CommandOptions): Promise<void> {
    const root = projectRoot();
    const labels = (options['testLabels'] as string[] | undefined) ?? [];
    const files = (labels.length > 0 ? labels : [root]).flatMap((label) => testFilesOf(label));
    if (files.length === 0) throw new CommandError(`No test files (*.test.ts) found under ${labels.length > 0 ? labels.join(', ') : root}.`);
    const failfast = Boolean(options['failfast']);
    const stop = new AbortController();
    const stream = run({
      files: [...new Set(files)],
      concurrency: parallelism(options['parallel']),
      isolation: 'process',
      signal: stop.signal,
      coverage: Boolean(options['coverage']),
      ...(options['coverage'] ? { coverageExcludeGlobs: ['**/node_modules/**', '**/*.test.*'] } : {}),
      ...((options['pattern'] as string[]).length > 0 ? { testNamePatterns: (options['pattern'] as string[]).map((pattern) => new RegExp(pattern)) } : {}),
      env: { ...process.env, ...(options['keepdb'] ? { NUAGES_KEEPDB: '1' } : {}) },
    });
    let failed = 0;
    let passed = 0;
    stream.on('test:pass', (event) => {
      if (event.details.type !== 'suite' && !event.skip && !event.todo) passed++;
    });
    stream.on('test:fail', (event) => {
      // After --failfast stopped the run, the files it cut short report as failed too: not counted.
      if (event.details.type === 'suite' || event.todo || stop.signal.aborted) return;
      failed++;
      if (failfast) stop.abort();
    });
    for await (const chunk of Readable.from(withoutAbortNoise(stream)).compose(new spec())) this.stdout.write(String(chunk), undefined, '');
    if (failed > 0) {
      throw new CommandError(`${failed} test${failed === 1 ? '' : 's'} failed${failfast ? ' (stopped at the first failure: --failfast)' : ''}, ${passed} passed.`, { returncode: 1 });
    }
  }
}

/** The reporter's events, less the failures of files --failfast cut short (an AbortError that says nothing of the tests). */
async function* withoutAbortNoise(events: AsyncIterable<{ type: string; data: unknown }>): AsyncGenerator<{ type: string; data: unknown }> {
  for await (const event of events) {
    const failure = event.type === 'test:fail' ? (event.data as { details?: { error?: { failureType?: string } } }).details?.error?.failureType : undefined;
    if (failure !== 'testAborted') yield event;
  }
}

/** The project's folder: BASE_DIR when the settings give one, else the current directory. */
function projectRoot(): string {
  const base = settingOr<unknown>('BASE_DIR', undefined);
  return typeof base === 'string' && base !== '' ? base : process.cwd();
}

/** The test files a label names: a file, the files under a folder, or those of an app. */
function testFilesOf(label: string): string[] {
  const path = resolve(label);
  if (existsSync(path)) return statSync(path).isDirectory() ? testFilesUnder(path) : [path];
  const app = apps.getAppConfigs().find((config) => config.label === label);
  if (app !== undefined) return testFilesUnder(app.path);
  // The example names one of the project's own apps (not one of Nuages's).
  const example = apps.getAppConfigs().find((config) => config.path.startsWith(projectRoot()))?.label ?? 'catalog';
  throw new CommandError(`'${label}' is neither a file, a folder (from ${process.cwd()}) nor an installed app's label. Give a path such as ${example}/tests/ or an app label such as ${example}.`);
}

function testFilesUnder(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...testFilesUnder(path));
    else if (TEST_FILE.test(entry.name)) found.push(path);
  }
  return found.sort((a, b) => relative(folder, a).localeCompare(relative(folder, b)));
}

/** --parallel: absent → 1, bare or 'auto' → one per core, else a positive whole number. */
function parallelism(value: unknown): number {
  if (value === true || value === 'auto') return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new CommandError(`--parallel takes a positive whole number or 'auto', got '${String(value)}'.`);
  return count;
}
