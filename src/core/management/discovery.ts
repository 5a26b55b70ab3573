/**
 * Finding commands: Nuages's built-ins, then each installed app's
 * `management/commands/<name>.ts`, as Django's get_commands() and load_command_class().
 */
import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import difflib from 'difflib';
import { apps } from '../../conf/apps.ts';
import { NuagesError } from '../errors.ts';
import { BaseCommand, CommandError, type CommandIO } from './base.ts';

/** A command module's default export is not a BaseCommand subclass. */
export class InvalidCommandError extends NuagesError {
  readonly code = 'NUAGES_INVALID_COMMAND';
}

/** Where a command lives: the app that provides it ('nuages' for built-ins) and its file. */
export interface CommandLocation {
  readonly app: string;
  readonly file: string;
}

/** The group `help` lists the built-in commands under (Django's `[django]`). */
export const BUILTINS_APP = 'nuages';
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
  if (!location) throw new CommandError(unknownCommandMessage(name));
  const exported: unknown = (await import(pathToFileURL(location.file).href)).default;
  if (typeof exported !== 'function' || !(exported.prototype instanceof BaseCommand)) {
    throw new InvalidCommandError(
      `${location.file} must default-export a BaseCommand subclass (export default class extends BaseCommand { ... }).`,
    );
  }
  return new (exported as new (io: CommandIO) => BaseCommand)(io);
}

/**
 * "Unknown command: 'chek'. Did you mean check?", naming the closest command as Django
 * does (difflib's ratio of at least 0.6), or just "Unknown command: 'x'" when none is close.
 */
export function unknownCommandMessage(name: string): string {
  const [closest] = difflib.getCloseMatches(name, [...getCommands().keys()]);
  return `Unknown command: '${name}'${closest === undefined ? '' : `. Did you mean ${closest}?`}`;
}
