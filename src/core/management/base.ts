/**
 * The base of every management command (`manage.ts <name>`).
 *
 * runFromArgv(argv) → CommandParser (commander) parses into options → execute(options):
 * colours chosen, system checks run (unless skipped), the unapplied-migrations warning
 * (when asked for), handle(options) → its returned string is written to stdout, between
 * BEGIN; and COMMIT; for an `outputTransaction` command. A CommandError becomes a
 * one-line message and exit code `returncode`; `--traceback` rethrows it instead.
 *
 * Arguments are parsed by commander, the CLI parser most Node tools use, instead of a
 * hand-written one; parser.ts words its usage errors as Django's argparse does.
 */
import { Command, CommanderError, Option } from 'commander';
import { CRITICAL, DEBUG, ERROR, formatCheckReport, INFO, runChecks, WARNING } from '../checks/index.ts';
import type { AppConfig } from '../../conf/apps.ts';
import { getVersion } from '../../utils/version.ts';
import { makeStyle, supportsColor, type Style, type StyleFunction } from './color.ts';
import { CommandError, SystemCheckError } from './errors.ts';
import { CommandParser } from './parser.ts';
import { createProgress, trackProgress, type Progress, type ProgressOptions } from './progress.ts';

export { CommandError, SystemCheckError } from './errors.ts';
export { makeStyle, parseColorSetting, supportsColor, type Style, type StyleFunction, type StyleRole } from './color.ts';
export { CommandParser } from './parser.ts';

/** Where command output goes: process.stdout, or anything with `write` (tests). */
export interface Writer {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Writes lines to a stream, adding the line ending and an optional style. */
export class OutputWrapper {
  readonly out: Writer;
  /** Applied to every write that does not pass its own style. */
  styleFunc: StyleFunction | undefined = undefined;
  ending: string;

  constructor(out: Writer, ending = '\n') {
    this.out = out;
    this.ending = ending;
  }

  /** Write `message`, ending it with the line ending unless it already ends so. */
  write(message = '', styleFunc?: StyleFunction, ending = this.ending): void {
    const text = ending && !message.endsWith(ending) ? message + ending : message;
    const style = styleFunc ?? this.styleFunc;
    this.out.write(style ? style(text) : text);
  }

  get isTTY(): boolean {
    return this.out.isTTY === true;
  }
}

/** Options every command receives, plus its own (camelCase, as commander names them). */
export interface CommandOptions {
  verbosity: number;
  settings: string | undefined;
  traceback: boolean;
  noColor: boolean;
  forceColor: boolean;
  skipChecks: boolean;
  /** Positional arguments in order. */
  args: unknown[];
  [option: string]: unknown;
}

/** Where a command reads answers from: process.stdin, or any readable stream (tests). */
export type Reader = NodeJS.ReadableStream & { isTTY?: boolean };

/** Streams and colour choice for a command instance. */
export interface CommandIO {
  stdin?: Reader;
  stdout?: Writer;
  stderr?: Writer;
  noColor?: boolean;
  forceColor?: boolean;
}

/** The options every command has, by flag; a command may drop some with `suppressedBaseArguments`. */
export const BASE_ARGUMENTS = Object.freeze(['--version', '--verbosity', '--settings', '--traceback', '--no-color', '--force-color', '--skip-checks'] as const);
export type BaseArgument = (typeof BASE_ARGUMENTS)[number];

/** What a command runs, around handle(), as Django's BEGIN;/COMMIT; for SQL it prints. */
const TRANSACTION_START = 'BEGIN;';
const TRANSACTION_END = 'COMMIT;';

/**
 * A management command. Put it in `<app>/management/commands/<name>.ts` as
 * the default export:
 *
 * ```ts
 * import { BaseCommand, CommandError, type CommandOptions } from 'nuages/core/management';
 * import type { Command } from 'commander';
 *
 * export default class extends BaseCommand {
 *   override help = 'Close the given polls.';
 *   override addArguments(parser: Command) {
 *     parser.argument('<pollIds...>').option('--delete', 'Delete instead of closing');
 *   }
 *   override async handle(options: CommandOptions) {
 *     if (!options['pollIds']) throw new CommandError('Give at least one poll id.');
 *     this.stdout.write('Closed.', this.style.SUCCESS);
 *   }
 * }
 * ```
 */
export abstract class BaseCommand {
  /** One-paragraph description shown by `help <name>`. */
  help = '';
  /** Check tags to run before handle(): '__all__', or [] for none. */
  requiresSystemChecks: '__all__' | readonly string[] = '__all__';
  /** Warn on stdout, before handle(), when the default database lacks migrations (runserver does). */
  requiresMigrationsChecks = false;
  /** False for a command that runs outside any project (startproject, startapp): `nuages` runs it without settings. */
  requiresSettings = true;
  /** Print the returned output between BEGIN; and COMMIT; (commands that print SQL). */
  outputTransaction = false;
  /** Options callCommand() accepts that the parser does not declare (stdin, stdout and stderr always are). */
  stealthOptions: readonly string[] = [];
  /** Standard options this command does not offer (`['--verbosity']`). */
  suppressedBaseArguments: readonly BaseArgument[] = [];
  /** Said when the command line has no argument at all, instead of the parser's own message. */
  missingArgsMessage: string | undefined = undefined;
  stdout: OutputWrapper;
  stderr: OutputWrapper;
  style: Style;
  /** The `--verbosity` of the running command (set by execute()); progress() is silent at 0. */
  verbosity = 1;
  #stdin: Reader | undefined;

  constructor(io: CommandIO = {}) {
    this.#stdin = io.stdin;
    this.stdout = new OutputWrapper(io.stdout ?? process.stdout);
    this.stderr = new OutputWrapper(io.stderr ?? process.stderr);
    this.style = makeStyle(false);
    this.#setColor(io.noColor ?? false, io.forceColor ?? false);
  }

  /**
   * Where interactive commands read answers (createsuperuser's prompts): the stream given
   * to the constructor, else process.stdin, touched only when a command reads it.
   */
  get stdin(): Reader {
    return this.#stdin ?? process.stdin;
  }

  set stdin(reader: Reader) {
    this.#stdin = reader;
  }

  /** Declare the command's own arguments and options on its commander parser. */
  addArguments(_parser: Command): void {}

  /** Do the work. A returned string is written to stdout. */
  abstract handle(options: CommandOptions): unknown;

  /** The parser: the standard options (less the suppressed ones), then the command's own. */
  createParser(progName: string, subcommand: string): CommandParser {
    const parser = new CommandParser(subcommand);
    parser
      .description(this.help)
      .exitOverride()
      .configureOutput({
        writeOut: (text) => this.stdout.out.write(text),
        writeErr: (text) => this.stderr.out.write(text),
      });
    parser.missingArgsMessage = this.missingArgsMessage;
    parser.name(progName ? `${progName} ${subcommand}` : subcommand);
    this.#addBaseArguments(parser);
    this.addArguments(parser);
    return parser;
  }

  #addBaseArguments(parser: Command): void {
    const offered = (flag: BaseArgument) => !this.suppressedBaseArguments.includes(flag);
    if (offered('--version')) parser.version(getVersion(), '--version', "Show program's version number and exit.");
    if (offered('--verbosity')) {
      parser.addOption(
        new Option('-v, --verbosity <level>', 'Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose output')
          .choices(['0', '1', '2', '3'])
          .default('1'),
      );
    }
    if (offered('--settings')) parser.option('--settings <path>', 'Path of the settings module; defaults to NUAGES_SETTINGS_MODULE.');
    if (offered('--traceback')) parser.option('--traceback', 'Raise on CommandError exceptions.', false);
    if (offered('--no-color')) parser.option('--no-color', "Don't colorize the command output.");
    if (offered('--force-color')) parser.option('--force-color', 'Force colorization of the command output.', false);
    if (offered('--skip-checks')) parser.option('--skip-checks', 'Skip system checks.', false);
  }

  /** Parse command-line arguments into CommandOptions; a usage error exits with code 2. */
  async parseArguments(progName: string, subcommand: string, args: readonly string[]): Promise<CommandOptions> {
    const parser = this.createParser(progName, subcommand);
    parser.calledFromCommandLine = true;
    await parser.parseAsync([...args], { from: 'user' });
    return optionsFrom(parser);
  }

  /**
   * Run from the command line (`argv` after the subcommand). Returns the exit
   * code: 0, the CommandError's returncode, or 2 for bad usage (0 for --help).
   */
  async runFromArgv(progName: string, subcommand: string, args: readonly string[]): Promise<number> {
    let options: CommandOptions;
    try {
      options = await this.parseArguments(progName, subcommand, args);
    } catch (error) {
      if (error instanceof CommanderError) return error.exitCode;
      throw error;
    }
    try {
      await this.execute(options);
      return 0;
    } catch (error) {
      if (options.traceback || !(error instanceof CommandError)) throw error;
      this.stderr.write(`${error.name}: ${error.message}`);
      return error.returncode;
    }
  }

  /**
   * Apply colour options, run the system checks if required, warn about unapplied
   * migrations if asked, then handle(). Returns handle()'s output, as written.
   */
  async execute(options: CommandOptions): Promise<unknown> {
    this.#setColor(options.noColor, options.forceColor);
    this.verbosity = options.verbosity;
    const tags = this.requiresSystemChecks;
    if (!options.skipChecks && (tags === '__all__' || tags.length > 0)) {
      await this.check({ tags: tags === '__all__' ? undefined : tags });
    }
    if (this.requiresMigrationsChecks) await this.checkMigrations();
    let output = await this.handle(options);
    if (typeof output === 'string' && output !== '') {
      if (this.outputTransaction) {
        output = `${this.style.SQL_KEYWORD(TRANSACTION_START)}\n${output}\n${this.style.SQL_KEYWORD(TRANSACTION_END)}`;
      }
      this.stdout.write(output as string);
    }
    return output;
  }

  /**
   * Run the system checks and report them as Django does: issues to stderr, a clean
   * report to stdout; anything at or above `failLevel` (ERROR by default) throws
   * SystemCheckError carrying the report.
   */
  async check(options: {
    appConfigs?: readonly AppConfig[];
    tags?: readonly string[];
    displayNumIssues?: boolean;
    includeDeploymentChecks?: boolean;
    failLevel?: number;
    databases?: readonly string[];
  } = {}): Promise<void> {
    const report = formatCheckReport(await runChecks(options), {
      displayNumIssues: options.displayNumIssues,
      failLevel: options.failLevel,
      style: this.style,
    });
    if (report.failed) throw new SystemCheckError(report.text);
    if (!report.text) return;
    if (report.visible.length) this.stderr.write(report.text, (text) => text);
    else this.stdout.write(report.text);
  }

  /**
   * Print, in the NOTICE style, how many migrations the default database lacks and for
   * which apps, as Django's check_migrations() does; nothing when it has them all.
   */
  async checkMigrations(): Promise<void> {
    // Loaded on demand: most commands never need the migration machinery.
    const { unappliedMigrations } = await import('./migration-check.ts');
    const missing = await unappliedMigrations();
    if (missing === undefined) return;
    this.stdout.write(
      this.style.NOTICE(
        `\nYou have ${missing.count} unapplied migration(s). Your project may not work properly until ` +
          `you apply the migrations for app(s): ${missing.appLabels.join(', ')}.`,
      ),
    );
    this.stdout.write(this.style.NOTICE("Run 'node manage.ts migrate' to apply them."));
  }

  /**
   * Show progress on stderr: a bar with count, rate and ETA on a TTY, a plain line every
   * two seconds elsewhere (CI logs), nothing at verbosity 0. Given an iterable, returns it
   * wrapped so each item ticks the display (arrays give their length as the total) and
   * stops it when the loop ends; given a total, returns a Progress to tick and stop.
   *
   * ```ts
   * for await (const row of this.progress(rows, { label: 'Rows' })) await save(row);
   * const bar = this.progress(file.size, { label: 'Reading' });
   * bar.tick(chunk.length); bar.stop();
   * ```
   */
  progress<T>(items: Iterable<T> | AsyncIterable<T>, options?: ProgressOptions): AsyncGenerator<T>;
  progress(total: number | undefined, options?: ProgressOptions): Progress;
  progress<T>(itemsOrTotal: Iterable<T> | AsyncIterable<T> | number | undefined, options: ProgressOptions = {}): AsyncGenerator<T> | Progress {
    const target = { stream: this.stderr.out, verbosity: this.verbosity };
    if (typeof itemsOrTotal === 'number' || itemsOrTotal === undefined) return createProgress(target, itemsOrTotal, options);
    const total = Array.isArray(itemsOrTotal) ? itemsOrTotal.length : undefined;
    return trackProgress(itemsOrTotal, createProgress(target, total, options));
  }

  /**
   * Colour stdout when it is a terminal (or forced) as Django does; stderr gets the ERROR
   * style only when it is a terminal itself, so a redirected error log stays plain text.
   */
  #setColor(noColor: boolean, forceColor: boolean): void {
    if (noColor && forceColor) {
      throw new CommandError("The --no-color and --force-color options can't be used together.");
    }
    this.style = makeStyle(!noColor && (forceColor || supportsColor(this.stdout.out)));
    this.stderr.styleFunc = !noColor && supportsColor(this.stderr.out) ? this.style.ERROR : undefined;
  }
}

/** Read commander's parse result into CommandOptions. */
export function optionsFrom(parser: Command): CommandOptions {
  const raw = parser.opts<Record<string, unknown>>();
  const { color, verbosity, ...rest } = raw;
  const options: CommandOptions = {
    ...rest,
    verbosity: Number(verbosity ?? 1),
    settings: rest['settings'] as string | undefined,
    traceback: Boolean(rest['traceback']),
    noColor: color === false,
    forceColor: Boolean(rest['forceColor']),
    skipChecks: Boolean(rest['skipChecks']),
    args: [...parser.processedArgs],
  };
  parser.registeredArguments.forEach((argument, index) => {
    options[argument.name()] = parser.processedArgs[index];
  });
  return options;
}

/** Checks levels, re-exported for `--fail-level`. */
export const CHECK_LEVELS = Object.freeze({ CRITICAL, ERROR, WARNING, INFO, DEBUG });
