/**
 * callCommand(): run a command from code (tests, scripts, other commands), as Django's
 * call_command does. String arguments are parsed as on the command line; a final object
 * sets options by their JavaScript name (`dryRun`) or Django's (`dry_run`).
 */
import type { Command } from 'commander';
import { BaseCommand, optionsFrom, OutputWrapper, type CommandOptions, type Reader, type Writer } from './base.ts';
import { loadCommand } from './discovery.ts';

/** Options object accepted as the last argument of `callCommand()`. */
export interface CallCommandOptions {
  stdin?: Reader;
  stdout?: Writer;
  stderr?: Writer;
  [option: string]: unknown;
}

/** Options every command takes from callCommand() without declaring them. */
const STREAM_OPTIONS = ['stdin', 'stdout', 'stderr'];

/**
 * Run a command by name (or a command instance) and return what its handle() returned,
 * after writing it to stdout (between BEGIN; and COMMIT; for SQL-printing commands).
 *
 * System checks are skipped unless `skipChecks: false`. Errors propagate: a CommandError
 * is thrown, not turned into an exit code, and a usage error is `CommandError('Error: …')`.
 * An option the command does not have is a TypeError listing those it has. A required
 * option (`requiredOption()`) may be given in the object.
 *
 * ```ts
 * const out = { text: '', write(s: string) { this.text += s; } };
 * await callCommand('check', '--deploy', { stdout: out });
 * await callCommand('migrate', 'shop', { verbosity: 0, skipChecks: false });
 * ```
 */
export async function callCommand(command: string | BaseCommand, ...args: Array<string | CallCommandOptions>): Promise<unknown> {
  const last = args[args.length - 1];
  const given: CallCommandOptions = typeof last === 'object' && last !== null ? (args.pop() as CallCommandOptions) : {};
  const positional = args as string[];
  const instance = await commandWithStreams(command, given);
  const name = typeof command === 'string' ? command : instance.constructor.name;
  const parser = instance.createParser('', name);
  const keys = optionKeys(parser, instance);
  const byKey = new Map<string, unknown>();
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(given)) {
    const canonical = keys.has(key) ? key : keys.has(camelCase(key)) ? camelCase(key) : undefined;
    if (canonical === undefined) unknown.push(key);
    else byKey.set(canonical, value);
  }
  // As Django does, required options given in the object go through the parser, which would
  // otherwise refuse the command line for lacking them.
  await parser.parseAsync([...positional, ...requiredOptionArgs(parser, byKey)], { from: 'user' });
  if (unknown.length) {
    throw new TypeError(
      `Unknown option(s) for ${name} command: ${unknown.join(', ')}. Valid options are: ${[...keys].sort().join(', ')}.`,
    );
  }
  for (const stream of STREAM_OPTIONS) byKey.delete(stream);
  const options: CommandOptions = Object.assign(optionsFrom(parser), { skipChecks: true }, Object.fromEntries(byKey));
  return instance.execute(options);
}

async function commandWithStreams(command: string | BaseCommand, given: CallCommandOptions): Promise<BaseCommand> {
  const { stdin, stdout, stderr } = given;
  if (typeof command === 'string') return loadCommand(command, { stdin, stdout, stderr });
  if (stdin) command.stdin = stdin;
  if (stdout) command.stdout = new OutputWrapper(stdout);
  if (stderr) command.stderr = new OutputWrapper(stderr);
  return command;
}

/** Every key the options object may use: options and arguments by JavaScript name, streams, stealth options. */
function optionKeys(parser: Command, command: BaseCommand): Set<string> {
  const keys = new Set([...STREAM_OPTIONS, ...command.stealthOptions]);
  for (const option of parser.options) keys.add(option.attributeName() === 'color' ? 'noColor' : option.attributeName());
  for (const argument of parser.registeredArguments) keys.add(argument.name());
  return keys;
}

/** `--flag=value` for each required option the object gives (each value of a list). */
function requiredOptionArgs(parser: Command, byKey: ReadonlyMap<string, unknown>): string[] {
  return parser.options
    .filter((option) => option.mandatory && byKey.has(option.attributeName()))
    .flatMap((option) => {
      const value = byKey.get(option.attributeName());
      const flag = option.long ?? option.short;
      return (Array.isArray(value) ? value : [value]).map((item) => `${flag}=${String(item)}`);
    });
}

/** Django's dest names (`dry_run`) as the JavaScript names commander gives options (`dryRun`). */
function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
