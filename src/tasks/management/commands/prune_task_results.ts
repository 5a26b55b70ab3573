/**
 * `manage.ts prune_task_results [--older-than 7d] [--backend alias]`: deletes finished
 * (SUCCESSFUL and FAILED) task results that finished longer ago than the retention,
 * OPTIONS.RESULT_RETENTION by default. Run it from cron; pending runs are never touched.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { BaseCommand, type CommandOptions } from '../../../core/management/base.ts';
import { durationSeconds } from '../../durations.ts';
import { queuedBackendFor } from '../queued-backend.ts';

/** '90' (seconds), '45s', '30m', '12h', '7d' or '2w' → seconds. */
export function parseAge(text: string): number {
  const seconds = durationSeconds(text);
  if (seconds === undefined) throw new InvalidArgumentError(`Expected an age such as 3600, 30m, 12h or 7d, got '${text}'.`);
  return seconds;
}

export default class PruneTaskResultsCommand extends BaseCommand {
  override help = 'Deletes finished task results older than the retention (OPTIONS.RESULT_RETENTION, or --older-than).';
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .option('--older-than <age>', 'Delete results finished longer ago than this: seconds, or 30m, 12h, 7d, 2w.', parseAge)
      .option('--backend <alias>', 'The TASKS alias.', 'default');
  }

  override async handle(options: CommandOptions): Promise<void> {
    const alias = options['backend'] as string;
    const backend = queuedBackendFor(alias, 'keeps no results to prune.');
    const age = (options['olderThan'] as number | undefined) ?? backend.resultRetention;
    const deleted = await backend.pruneResults(new Date(Date.now() - age * 1000));
    if (this.verbosity >= 1) this.stdout.write(`Deleted ${deleted} task result${deleted === 1 ? '' : 's'} finished more than ${age}s ago.`);
  }
}
