/**
 * The base of every management command (`manage.ts <name>`).
 *
 * runFromArgv(argv) → commander parses into options → execute(options):
 * colours chosen, system checks run (unless skipped), handle(options) → its
 * returned string is written to stdout. A CommandError becomes a one-line
 * message and exit code 1; `--traceback` rethrows it instead.
 *
 * Arguments are parsed by commander, the CLI parser most Node tools use,
 * instead of a hand-written one.
 */
import { styleText } from 'node:util';
import { Command, CommanderError, Option } from 'commander';
import { NuagesError } from '../errors.ts';
import { CRITICAL, DEBUG, ERROR, formatCheckReport, INFO, runChecks, WARNING } from '../checks/index.ts';
import type { AppConfig } from '../../conf/apps.ts';
import { createProgress, trackProgress, type Progress, type ProgressOptions } from './progress.ts';

/** A failure a command reports to the user: printed without a stack, exit code `returncode`. */
export class CommandError extends NuagesError {
  readonly code: string = 'NUAGES_COMMAND_ERROR';
  readonly returncode: number;
  constructor(message: string, options: ErrorOptions & { returncode?: number } = {}) {
    super(message, options);
    this.returncode = options.returncode ?? 1;
  }
}

/** System checks found problems at or above the fail level. */
export class SystemCheckError extends CommandError {
  override readonly code = 'NUAGES_SYSTEM_CHECK';
}

/** Where command output goes: process.stdout, or anything with `write` (tests). */
export interface Writer {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

type StyleFunction = (text: string) => string;
type StyleFormat = Parameters<typeof styleText>[0];

/** Django's palette roles, each a function that colours text (or leaves it as is). */
export interface Style {
  ERROR: StyleFunction;
  SUCCESS: StyleFunction;
  WARNING: StyleFunction;
  NOTICE: StyleFunction;
  SQL_FIELD: StyleFunction;
  SQL_COLTYPE: StyleFunction;
  SQL_KEYWORD: StyleFunction;
  SQL_TABLE: StyleFunction;
  HTTP_INFO: StyleFunction;
  HTTP_SUCCESS: StyleFunction;
  HTTP_REDIRECT: StyleFunction;
  HTTP_NOT_MODIFIED: StyleFunction;
  HTTP_BAD_REQUEST: StyleFunction;
  HTTP_NOT_FOUND: StyleFunction;
  HTTP_SERVER_ERROR: StyleFunction;
  MIGRATE_HEADING: StyleFunction;
  MIGRATE_LABEL: StyleFunction;
}

const PALETTE: Record<keyof Style, StyleFormat> = {
  ERROR: ['red', 'bold'],
  SUCCESS: ['green', 'bold'],
  WARNING: ['yellow', 'bold'],
  NOTICE: 'red',
  SQL_FIELD: ['green', 'bold'],
  SQL_COLTYPE: 'green',
  SQL_KEYWORD: 'yellow',
  SQL_TABLE: 'bold',
  HTTP_INFO: 'bold',
  HTTP_SUCCESS: 'reset',
  HTTP_REDIRECT: 'green',
  HTTP_NOT_MODIFIED: 'cyan',
  HTTP_BAD_REQUEST: ['red', 'bold'],
  HTTP_NOT_FOUND: 'yellow',
  HTTP_SERVER_ERROR: ['magenta', 'bold'],
  MIGRATE_HEADING: ['cyan', 'bold'],
  MIGRATE_LABEL: 'bold',
};

/** A Style that colours when `color` is true and is the identity otherwise. */
export function makeStyle(color: boolean): Style {
  const style = {} as Style;
  for (const [role, format] of Object.entries(PALETTE) as Array<[keyof Style, StyleFormat]>) {
    style[role] = color ? (text) => styleText(format, text, { validateStream: false }) : (text) => text;
  }
  return style;
}

/** Whether a stream should get colours: a TTY, and NO_COLOR not set (FORCE_COLOR wins). */
export function supportsColor(stream: Writer): boolean {
  if (process.env['FORCE_COLOR'] !== undefined && process.env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true && process.env['NO_COLOR'] === undefined;
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
  stdout: OutputWrapper;
  stderr: OutputWrapper;
  style: Style;
  /** The `--verbosity` of the running command (set by execute()); progress() is silent at 0. */
  verbosity = 1;
  readonly #stdin: Reader | undefined;

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

  /** Declare the command's own arguments and options on its commander parser. */
  addArguments(_parser: Command): void {}

  /** Do the work. A returned string is written to stdout. */
  abstract handle(options: CommandOptions): unknown;

  /** The commander parser: the common options, then the command's own. */
  createParser(progName: string, subcommand: string): Command {
    const parser = new Command(subcommand)
      .usage('[options]')
      .description(this.help)
      .exitOverride()
      .configureOutput({
        writeOut: (text) => this.stdout.out.write(text),
        writeErr: (text) => this.stderr.out.write(text),
      })
      .addOption(
        new Option('-v, --verbosity <level>', 'Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose output')
          .choices(['0', '1', '2', '3'])
          .default('1'),
      )
      .option('--settings <path>', 'Path of the settings module; defaults to NUAGES_SETTINGS_MODULE.')
      .option('--traceback', 'Raise on CommandError exceptions.', false)
      .option('--no-color', "Don't colorize the command output.")
      .option('--force-color', 'Force colorization of the command output.', false)
      .option('--skip-checks', 'Skip system checks.', false);
    parser.name(`${progName} ${subcommand}`);
    this.addArguments(parser);
    return parser;
  }

  /** Parse command-line arguments into CommandOptions. */
  async parseArguments(progName: string, subcommand: string, args: readonly string[]): Promise<CommandOptions> {
    const parser = this.createParser(progName, subcommand);
    await parser.parseAsync([...args], { from: 'user' });
    return optionsFrom(parser);
  }

  /**
   * Run from the command line (`argv` after the subcommand). Returns the exit
   * code: 0, or the CommandError's returncode (commander's for bad usage).
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
      this.stderr.write(`${error.name}: ${error.message}`, this.style.ERROR);
      return error.returncode;
    }
  }

  /** Apply colour options, run the system checks if required, then handle(). */
  async execute(options: CommandOptions): Promise<unknown> {
    this.#setColor(options.noColor, options.forceColor);
    this.verbosity = options.verbosity;
    const tags = this.requiresSystemChecks;
    if (!options.skipChecks && (tags === '__all__' || tags.length > 0)) {
      await this.check({ tags: tags === '__all__' ? undefined : tags });
    }
    const output = await this.handle(options);
    if (typeof output === 'string' && output !== '') this.stdout.write(output);
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

  #setColor(noColor: boolean, forceColor: boolean): void {
    if (noColor && forceColor) {
      throw new CommandError("The --no-color and --force-color options can't be used together.");
    }
    const color = forceColor || (!noColor && supportsColor(this.stdout.out));
    this.style = makeStyle(color);
    this.stderr.styleFunc = color || (!noColor && supportsColor(this.stderr.out)) ? makeStyle(true).ERROR : undefined;
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
