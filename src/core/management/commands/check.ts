/**
 * `manage.ts check`: run the system checks and report what they find.
 * Exits 1 when a message is at or above --fail-level (ERROR by default).
 */
import { Option, type Command } from 'commander';
import type { AppConfig } from '../../../conf/apps.ts';
import { availableTags, tagExists } from '../../checks/index.ts';
import { BaseCommand, CHECK_LEVELS, CommandError, type CommandOptions } from '../base.ts';
import { getAppConfigOrFail } from '../label-command.ts';

export default class CheckCommand extends BaseCommand {
  override help = 'Checks the entire project for potential problems.';
  // It runs the checks itself, with its own options.
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .argument('[appLabels...]', 'Limit the checks to these apps.')
      .option('-t, --tag <tag>', 'Run only checks labeled with given tag (repeatable).', (tag: string, tags: string[]) => [...tags, tag], [] as string[])
      .option('--list-tags', 'List available tags.', false)
      .option('--deploy', 'Check deployment settings.', false)
      .addOption(
        new Option('--fail-level <level>', 'Message level that will cause the command to exit with a non-zero status.')
          .choices(Object.keys(CHECK_LEVELS))
          .default('ERROR'),
      )
      .option('--database <alias>', 'Run database related checks against this database (repeatable).', (alias: string, all: string[]) => [...all, alias], [] as string[]);
  }

  override async handle(options: CommandOptions): Promise<void> {
    const deploy = Boolean(options['deploy']);
    if (options['listTags']) {
      this.stdout.write([...availableTags(deploy)].sort().join('\n'));
      return;
    }
    const labels = (options['appLabels'] as string[] | undefined) ?? [];
    const appConfigs: AppConfig[] | undefined = labels.length ? labels.map(getAppConfigOrFail) : undefined;
    const tags = (options['tag'] as string[] | undefined) ?? [];
    const unknown = tags.find((tag) => !tagExists(tag, deploy));
    if (unknown !== undefined) {
      throw new CommandError(
        `There is no system check with the "${unknown}" tag. Available tags: ${[...availableTags(deploy)].sort().join(', ')}.`,
      );
    }
    const databases = (options['database'] as string[] | undefined) ?? [];
    await this.check({
      appConfigs,
      tags: tags.length ? tags : undefined,
      displayNumIssues: true,
      includeDeploymentChecks: deploy,
      failLevel: CHECK_LEVELS[options['failLevel'] as keyof typeof CHECK_LEVELS],
      databases: databases.length ? databases : undefined,
    });
  }
}
