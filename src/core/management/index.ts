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
 *
 * The `nuages` command (`src/bin/nuages.ts`, Django's django-admin) is the same entry point
 * outside a project: it runs the commands that need no settings (startproject, startapp,
 * version, help), and any command once `--settings` or NUAGES_SETTINGS_MODULE names them.
 */
import { closeCachesAndTaskBackends } from '../close-connections.ts';
import { basename } from 'node:path';
import { setup } from '../../conf/lazy-settings.ts';
import { getVersion } from '../../utils/version.ts';
import { makeStyle, supportsColor, type CommandIO } from './base.ts';
import { getCommands, loadCommand, unknownCommandMessage } from './discovery.ts';

export {
  BASE_ARGUMENTS,
  BaseCommand,
  CHECK_LEVELS,
  CommandError,
  CommandParser,
  makeStyle,
  OutputWrapper,
  parseColorSetting,
  supportsColor,
  SystemCheckError,
  type BaseArgument,
  type CommandIO,
  type CommandOptions,
  type Reader,
  type Style,
  type StyleFunction,
  type StyleRole,
  type Writer,
} from './base.ts';
export { AppCommand, getAppConfigOrFail, LabelCommand } from './label-command.ts';
export { callCommand, type CallCommandOptions } from './call-command.ts';
export { getCommands, InvalidCommandError, loadCommand, type CommandLocation } from './discovery.ts';
export { TemplateCommand, type TemplateKind } from './templates.ts';
export { getRandomSecretKey } from './utils.ts';
export { createProgress, trackProgress, type Progress, type ProgressOptions } from './progress.ts';
export { addFieldErrors, csvFileSize, CsvFileError, inBatches, readCsvBatches, readCsvRows, RowErrors, RowLines, type CsvReadOptions, type CsvRow, type RowError } from './csv-rows.ts';

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
    if (topic === '--commands') {
      stdout.write([...getCommands().keys()].sort().map((name) => `${name}\n`).join(''));
      return 0;
    }
    if (topic === undefined) {
      stdout.write(mainHelp(progName, settingsError, style.NOTICE));
      return 0;
    }
    if (!getCommands().has(topic)) {
      stderr.write(`${unknownCommandMessage(topic)}\nType '${progName} help' for usage.\n`);
      return 1;
    }
    const command = await loadCommand(topic, io);
    stdout.write(command.createParser(progName, topic).helpInformation());
    return 0;
  }

  if (subcommand === 'version' || subcommand === '--version') {
    stdout.write(`${getVersion()}\n`);
    return 0;
  }

  const known = getCommands().has(subcommand);
  const command = known ? await loadCommand(subcommand, io) : undefined;
  // Without settings only the commands that make a project or an app run (`nuages startproject`);
  // an unknown name may be a command of an app the settings would have installed.
  if (settingsError !== undefined && command?.requiresSettings !== false) {
    const error = settingsError as Error;
    stderr.write(style.ERROR(`${error.name}: ${error.message}`) + '\n');
    return 1;
  }
  if (command === undefined) {
    stderr.write(`${unknownCommandMessage(subcommand)}\nType '${progName} help' for usage.\n`);
    return 1;
  }
  try {
    return await command.runFromArgv(progName, subcommand, args.slice(1));
  } finally {
    // A command's writes open cache connections, its tasks a broker's: closed, so the process exits.
    await closeCachesAndTaskBackends();
  }
}

function mainHelp(progName: string, settingsError: unknown, notice: (text: string) => string): string {
  const byApp = new Map<string, string[]>();
  for (const [name, { app }] of getCommands()) {
    const list = byApp.get(app) ?? [];
    list.push(name);
    byApp.set(app, list);
  }
  const lines = ['', `Type '${progName} help <subcommand>' for help on a specific subcommand.`, '', 'Available subcommands:'];
  for (const app of [...byApp.keys()].sort()) {
    lines.push('', `[${app}]`, ...byApp.get(app)!.sort().map((name) => `    ${name}`));
  }
  if (settingsError !== undefined) {
    lines.push(
      notice(
        `Note that only Nuages core commands are listed as settings are not properly configured ` +
          `(error: ${(settingsError as Error).message}).`,
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
