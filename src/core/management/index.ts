/**
 * `manage.ts`: find and run management commands.
 *
 * executeFromCommandLine(argv) → `--settings` applied → setup() → commands
 * discovered (Nuages's built-ins, then each installed app's
 * `management/commands/<name>.ts`) → the named command's runFromArgv().
 *
 * A project's manage.ts is two lines:
 *
 * ```ts
 * import { executeFromCommandLine } from 'nuages/core/management';
 * process.exitCode = await executeFromCommandLine(process.argv);
 * ```
 */
import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { apps } from '../../conf/apps.ts';
import { setup } from '../../conf/lazy-settings.ts';
import { NuagesError } from '../errors.ts';
import {
  BaseCommand,
  CommandError,
  makeStyle,
  optionsFrom,
  supportsColor,
  type CommandIO,
  type Reader,
  type Writer,
} from './base.ts';

export {
  BaseCommand,
  CHECK_LEVELS,
  CommandError,
  makeStyle,
  OutputWrapper,
  SystemCheckError,
  type CommandIO,
  type CommandOptions,
  type Reader,
  type Style,
  type Writer,
} from './base.ts';
export { createProgress, trackProgress, type Progress, type ProgressOptions } from './progress.ts';
export { addFieldErrors, csvFileSize, CsvFileError, inBatches, readCsvRows, RowErrors, type CsvReadOptions, type CsvRow, type RowError } from './csv-rows.ts';

/** A command module's default export is not a BaseCommand subclass. */
export class InvalidCommandError extends NuagesError {
  readonly code = 'NUAGES_INVALID_COMMAND';
}

/** Where a command lives: the app that provides it ('nuages' for built-ins) and its file. */
export interface CommandLocation {
  readonly app: string;
  readonly file: string;
}

const BUILTINS_APP = 'nuages';
const BUILTINS_DIR = join(import.meta.dirname, 'commands');
const COMMAND_EXTENSIONS = new Set(['.ts', '.js', '.mts', '.mjs']);

/**
 * Every available command by name. When two provide the same name, an app
 * listed earlier in INSTALLED_APPS wins over a later one, and any app wins
 * over the built-ins (so a project can replace `check`).
 */
export function getCommands(): Map<string, CommandLocation> {
  const commands = new Map<string, CommandLocation>();
  for (const [name, file] of commandFiles(BUILTINS_DIR)) commands.set(name, { app: BUILTINS_APP, file });
  for (const config of apps.getAppConfigs().reverse()) {
    for (const [name, file] of commandFiles(join(config.path, 'management', 'commands'))) {
      commands.set(name, { app: config.label, file });
    }
  }
  return commands;
}

function commandFiles(folder: string): Array<[string, string]> {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return [];
  }
  return entries
    .filter((f) => COMMAND_EXTENSIONS.has(extname(f)) && !f.startsWith('_') && !/\.d\.[mc]?ts$/.test(f) && !f.includes('.test.'))
    .sort()
    .map((f) => [basename(f, extname(f)), join(folder, f)]);
}

/**
 * Import a command and create it with the given streams.
 *
 * @throws CommandError for an unknown name; InvalidCommandError when its
 *   module does not default-export a BaseCommand subclass.
 */
export async function loadCommand(name: string, io: CommandIO = {}): Promise<BaseCommand> {
  const location = getCommands().get(name);
  if (!location) throw new CommandError(`Unknown command: '${name}'.${suggest(name)}`);
  const exported: unknown = (await import(pathToFileURL(location.file).href)).default;
  if (typeof exported !== 'function' || !(exported.prototype instanceof BaseCommand)) {
    throw new InvalidCommandError(
      `${location.file} must default-export a BaseCommand subclass (export default class extends BaseCommand { ... }).`,
    );
  }
  return new (exported as new (io: CommandIO) => BaseCommand)(io);
}

/** Options object accepted as the last argument of `callCommand()`. */
export interface CallCommandOptions {
  stdin?: Reader;
  stdout?: Writer;
  stderr?: Writer;
  [option: string]: unknown;
}

/**
 * Run a command from code (tests, scripts), as Django's call_command does.
 * String arguments are parsed as on the command line; a final object sets
 * options by their camelCase names. System checks are skipped unless
 * `skipChecks: false`. Errors propagate (CommandError is not turned into an
 * exit code). Returns what the command's handle() returned.
 *
 * ```ts
 * const out = { text: '', write(s: string) { this.text += s; } };
 * await callCommand('check', '--deploy', { stdout: out });
 * ```
 */
export async function callCommand(name: string, ...args: Array<string | CallCommandOptions>): Promise<unknown> {
  const last = args[args.length - 1];
  const objectOptions: CallCommandOptions = typeof last === 'object' && last !== null ? (args.pop() as CallCommandOptions) : {};
  const { stdin, stdout, stderr, ...given } = objectOptions;
  const command = await loadCommand(name, { stdin, stdout, stderr });
  const parser = command.createParser('', name);
  try {
    await parser.parseAsync(args as string[], { from: 'user' });
  } catch (error) {
    throw new CommandError(`Error parsing the arguments of '${name}': ${(error as Error).message}`, { cause: error });
  }
  const options = optionsFrom(parser);
  const valid = new Set([
    ...parser.options.map((o) => o.attributeName()),
    ...parser.registeredArguments.map((a) => a.name()),
    'noColor',
    'skipChecks',
  ]);
  const unknown = Object.keys(given).filter((key) => !valid.has(key));
  if (unknown.length) {
    throw new TypeError(
      `Unknown option(s) for ${name} command: ${unknown.join(', ')}. Valid options are: ${[...valid].sort().join(', ')}.`,
    );
  }
  Object.assign(options, { skipChecks: true }, given);
  return command.execute(options);
}

/**
 * The manage.ts entry point. Returns the process exit code; with
 * `--traceback`, errors are rethrown with their stack instead.
 */
export async function executeFromCommandLine(argv: readonly string[] = process.argv, io: CommandIO = {}): Promise<number> {
  const progName = basename(argv[1] ?? 'manage.ts');
  const args = argv.slice(2);
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const style = makeStyle(!args.includes('--no-color') && supportsColor(stderr));
  const traceback = args.includes('--traceback');

  const settingsPath = preParseOption(args, '--settings');
  if (settingsPath) process.env['NUAGES_SETTINGS_MODULE'] = settingsPath;
  let settingsError: unknown;
  try {
    await setup();
  } catch (error) {
    if (traceback) throw error;
    settingsError = error;
  }

  const subcommand = args[0] ?? 'help';
  if (subcommand === 'help' || subcommand === '--help' || subcommand === '-h') {
    const topic = subcommand === 'help' ? args[1] : undefined;
    if (topic !== undefined && getCommands().has(topic)) {
      const command = await loadCommand(topic, io);
      stdout.write(command.createParser(progName, topic).helpInformation());
      return 0;
    }
    stdout.write(mainHelp(progName, settingsError, style.NOTICE));
    return 0;
  }

  if (settingsError !== undefined) {
    const error = settingsError as Error;
    stderr.write(style.ERROR(`${error.name}: ${error.message}`) + '\n');
    return 1;
  }
  if (!getCommands().has(subcommand)) {
    stderr.write(`Unknown command: '${subcommand}'.${suggest(subcommand)}\nType '${progName} help' for usage.\n`);
    return 1;
  }
  const command = await loadCommand(subcommand, io);
  try {
    return await command.runFromArgv(progName, subcommand, args.slice(1));
  } finally {
    await closeCaches();
  }
}

/**
 * A command's writes invalidate cache tags, which opens connections to Redis or
 * Memcached; close them so the process exits when the command is done.
 */
async function closeCaches(): Promise<void> {
  const { caches } = await import('../../cache/caches.ts');
  await caches.closeAll();
}

function mainHelp(progName: string, settingsError: unknown, notice: (text: string) => string): string {
  const byApp = new Map<string, string[]>();
  for (const [name, { app }] of getCommands()) {
    const list = byApp.get(app) ?? [];
    list.push(name);
    byApp.set(app, list);
  }
  const lines = ['', `Type '${progName} help <subcommand>' for help on a specific subcommand.`, '', 'Available subcommands:'];
  const appNames = [...byApp.keys()].sort((a, b) => (a === BUILTINS_APP ? -1 : b === BUILTINS_APP ? 1 : a.localeCompare(b)));
  for (const app of appNames) {
    lines.push('', `[${app}]`, ...byApp.get(app)!.sort().map((name) => `    ${name}`));
  }
  if (settingsError !== undefined) {
    lines.push(
      notice(
        `Only Nuages's own commands are listed, because the settings could not be loaded ` +
          `(${(settingsError as Error).message}).`,
      ),
    );
  }
  return lines.join('\n') + '\n';
}

function preParseOption(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === flag) return args[i + 1];
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}

/** " Did you mean x?" for the closest command names, or ''. */
function suggest(name: string): string {
  const close = [...getCommands().keys()]
    .map((candidate) => ({ candidate, score: similarity(name, candidate) }))
    .filter((c) => c.score >= 0.6)
    .sort((a, b) => b.score - a.score)
    .map((c) => c.candidate);
  return close.length ? ` Did you mean ${close.slice(0, 3).join(' or ')}?` : '';
}

function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - levenshtein(a, b) / longest;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
