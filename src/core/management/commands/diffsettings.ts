/**
 * `manage.ts diffsettings [--all] [--output hash|unified]`: the settings that differ from
 * Nuages's defaults, as Django's command prints them (`###` marks a setting Nuages does not
 * define; `--output unified` prints the default as `-` and the value as `+`). Values are
 * shown as JavaScript writes them.
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import { Option, type Command } from 'commander';
import { settingsSnapshot } from '../../../conf/lazy-settings.ts';
import { defaultSettings } from '../../../conf/settings.ts';
import { BaseCommand, type CommandOptions } from '../base.ts';

function show(value: unknown): string {
  return inspect(value, { depth: Infinity, breakLength: Infinity, compact: true, colors: false });
}

export default class DiffSettingsCommand extends BaseCommand {
  override help = 'Displays differences between the current settings and Nuages\'s default settings.';
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .option('--all', 'Display all settings, regardless of their value. In "hash" mode, default values are prefixed by "###".', false)
      .addOption(
        new Option('--output <format>', "Selects the output format. 'hash' mode displays each changed setting, with the settings " +
          "that don't appear in the defaults followed by ###. 'unified' mode prefixes the default setting with a minus sign, " +
          'followed by the changed setting prefixed with a plus sign.').choices(['hash', 'unified']).default('hash'),
      );
  }

  override async handle(options: CommandOptions): Promise<void> {
    const defaults: Record<string, unknown> = { ...defaultSettings() };
    const current = settingsSnapshot();
    const showAll = Boolean(options['all']);
    const unified = options['output'] === 'unified';
    const lines: string[] = [];
    for (const key of Object.keys(current).sort()) {
      const value = current[key];
      const known = Object.hasOwn(defaults, key);
      const same = known && isDeepStrictEqual(value, defaults[key]);
      if (unified) {
        if (!known) lines.push(this.style.SUCCESS(`+ ${key} = ${show(value)}`));
        else if (!same) lines.push(this.style.ERROR(`- ${key} = ${show(defaults[key])}`), this.style.SUCCESS(`+ ${key} = ${show(value)}`));
        else if (showAll) lines.push(`  ${key} = ${show(value)}`);
      } else if (!known) lines.push(`${key} = ${show(value)}  ###`);
      else if (!same) lines.push(`${key} = ${show(value)}`);
      else if (showAll) lines.push(`### ${key} = ${show(value)}`);
    }
    this.stdout.write(lines.join('\n'));
  }
}
