/**
 * `manage.ts sqlmigrate app migration`: prints the SQL a migration runs on
 * this database, without running it (`--backwards` for unapplying).
 */
import type { Command } from 'commander';
import { apps } from '../../../conf/apps.ts';
import { connections } from '../../../db/connections.ts';
import { MigrationExecutor } from '../../../db/migrations/executor.ts';
import { MigrationLoader } from '../../../db/migrations/loader.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';

export default class SqlMigrateCommand extends BaseCommand {
  override help = 'Prints the SQL statements for the named migration.';
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .argument('<appLabel>', 'App label of the application containing the migration.')
      .argument('<migrationName>', 'Migration name to print the SQL for.')
      .option('--database <alias>', 'Nominates a database to create SQL for.', 'default')
      .option('--backwards', 'Creates SQL to unapply the migration, rather than to apply it.', false);
  }

  override async handle(options: CommandOptions): Promise<string> {
    const connection = connections.get(String(options['database']));
    const appLabel = String(options['appLabel']);
    apps.getAppConfig(appLabel);
    const loader = await MigrationLoader.load(null);
    if (!loader.migratedApps.has(appLabel)) throw new CommandError(`App '${appLabel}' does not have migrations.`);
    const executor = new MigrationExecutor(connection, loader);
    const [, name] = executor.resolveTarget(appLabel, String(options['migrationName']));
    const migration = loader.graph.nodes.get(`${appLabel}.${name}`) ?? loader.diskMigrations.get(`${appLabel}.${name}`);
    if (!migration) throw new CommandError(`Cannot find a migration matching '${String(options['migrationName'])}' from app '${appLabel}'.`);
    const statements = await executor.collectSql(migration, Boolean(options['backwards']));
    // execute() wraps the output in BEGIN;/COMMIT; when the migration runs in one transaction.
    this.outputTransaction = migration.atomic && connection.features.supportsTransactionalDdl;
    return statements.map((sql) => (sql.startsWith('--') ? sql : `${sql};`)).join('\n');
  }
}
