/**
 * Commands that do the same thing for each name they are given: LabelCommand (any
 * labels: files, ids, names) and AppCommand (installed apps), Django's two helpers.
 */
import type { Command } from 'commander';
import { apps, type AppConfig } from '../../conf/apps.ts';
import { AppLookupError } from '../../conf/errors.ts';
import { BaseCommand, CommandError, type CommandOptions } from './base.ts';
import type { CommandParser } from './parser.ts';

/** Runs handleLabel() once per label and joins what each returned, one per line. */
async function eachLabel<T>(items: readonly T[], handleOne: (item: T) => unknown): Promise<string> {
  const output: string[] = [];
  for (const item of items) {
    const result = await handleOne(item);
    if (result !== undefined && result !== null && result !== '') output.push(String(result));
  }
  return output.join('\n');
}

/**
 * A command taking one or more labels and handling each in turn; what each returns is
 * printed on its own line. `label` names them in the usage and in the message shown
 * when none is given ("Enter at least one name.").
 *
 * ```ts
 * export default class extends LabelCommand {
 *   override help = 'Prints the size of each file.';
 *   override label = 'file';
 *   override async handleLabel(file: string) {
 *     return `${file}: ${(await stat(file)).size} bytes`;
 *   }
 * }
 * // node manage.ts filesize a.csv b.csv  →  a.csv: 120 bytes\nb.csv: 98 bytes
 * ```
 */
export abstract class LabelCommand extends BaseCommand {
  /** What a label is, for the usage line and the missing-labels message. */
  label = 'label';

  /** Handle one label; a returned string is part of the output. */
  abstract handleLabel(label: string, options: CommandOptions): unknown;

  override createParser(progName: string, subcommand: string): CommandParser {
    const parser = super.createParser(progName, subcommand);
    parser.missingArgsMessage ??= `Enter at least one ${this.label}.`;
    return parser;
  }

  /** Declares the labels; a subclass adding options calls `super.addArguments(parser)` first. */
  override addArguments(parser: Command): void {
    parser.argument(`<${this.label}...>`);
  }

  override handle(options: CommandOptions): Promise<string> {
    const labels = options[this.label] as readonly string[];
    return eachLabel(labels, (label) => this.handleLabel(label, options));
  }
}

/**
 * A command taking one or more installed app labels and handling each app in turn.
 * Every label is looked up before any app is handled, so a mistyped one changes nothing.
 *
 * ```ts
 * export default class extends AppCommand {
 *   override help = 'Counts the models of each app.';
 *   override handleAppConfig(app: AppConfig) {
 *     return `${app.label}: ${app.getModels().length} models`;
 *   }
 * }
 * ```
 */
export abstract class AppCommand extends BaseCommand {
  override missingArgsMessage: string | undefined = 'Enter at least one application label.';

  /** Handle one app; a returned string is part of the output. */
  abstract handleAppConfig(appConfig: AppConfig, options: CommandOptions): unknown;

  /** Declares the app labels; a subclass adding options calls `super.addArguments(parser)` first. */
  override addArguments(parser: Command): void {
    parser.argument('<appLabels...>', 'One or more application label.');
  }

  override handle(options: CommandOptions): Promise<string> {
    const appConfigs = (options['appLabels'] as readonly string[]).map(getAppConfigOrFail);
    return eachLabel(appConfigs, (appConfig) => this.handleAppConfig(appConfig, options));
  }
}

/**
 * The installed app with this label; an unknown label is the user's mistake, so it is a
 * CommandError ("No installed app with label 'x'. Installed labels: …") rather than a crash.
 */
export function getAppConfigOrFail(label: string): AppConfig {
  try {
    return apps.getAppConfig(label);
  } catch (error) {
    if (error instanceof AppLookupError) throw new CommandError(error.message, { cause: error });
    throw error;
  }
}
