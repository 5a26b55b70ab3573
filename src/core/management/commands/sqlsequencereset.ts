/**
 * `manage.ts sqlsequencereset app…`: prints the SQL that moves each model's id sequence
 * past its largest id, for after rows were inserted with explicit ids. Run the output with
 * dbshell (`node manage.ts sqlsequencereset shop | node manage.ts dbshell`). SQLite needs
 * none: its next id already follows the largest one.
 */
import type { Command } from 'commander';
import type { AppConfig } from '../../../conf/apps.ts';
import { connections } from '../../../db/connections.ts';
import type { SequenceModel } from '../../../db/backends/base/operations.ts';
import type { ModelLike } from '../../../db/models/options.ts';
import { compilerFor } from '../../../db/models/sql/backend.ts';
import type { CommandOptions } from '../base.ts';
import { AppCommand } from '../label-command.ts';

export default class SqlSequenceResetCommand extends AppCommand {
  override help = 'Prints the SQL statements for resetting sequences for the given app name(s).';
  override outputTransaction = true;

  override addArguments(parser: Command): void {
    super.addArguments(parser);
    parser.option('--database <alias>', 'Nominates a database to print the SQL for. Defaults to the "default" database.', 'default');
  }

  override handleAppConfig(appConfig: AppConfig, options: CommandOptions): string {
    const connection = connections.get(String(options['database']));
    const statements = compilerFor(connection).ops.sequenceResetSql(this.style, withJoinModels(appConfig));
    if (statements.length === 0 && options.verbosity >= 1) this.stderr.write('No sequences found.');
    return statements.join('\n');
  }
}

/**
 * The app's models, each preceded by the join models its many-to-many fields created
 * (Django's order). A join model already listed by the registry is listed once.
 */
function withJoinModels(appConfig: AppConfig): SequenceModel[] {
  const models = new Set<SequenceModel>();
  for (const model of appConfig.getModels() as unknown as Array<SequenceModel & ModelLike>) {
    for (const join of model._meta.autoCreatedJoinModels) models.add(join);
    models.add(model);
  }
  return [...models];
}
