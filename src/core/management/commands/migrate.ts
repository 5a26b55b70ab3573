/**
 * `manage.ts migrate [app] [migration]`: brings the database to the latest
 * migrations (or to a named one, or `zero`), forwards or backwards, one
 * transaction per migration where DDL is transactional; records each in
 * nuages_migrations. Apps without migrations get their tables created.
 * `preMigrate` and `postMigrate` are sent around the work, once per app with models.
 */
import type { Command } from 'commander';
import { apps } from '../../../conf/apps.ts';
import { connections } from '../../../db/connections.ts';
import type { ModelBase } from '../../../db/models/base.ts';
import { ForeignKey } from '../../../db/models/fields/related.ts';
import { MigrationAutodetector } from '../../../db/migrations/autodetector.ts';
import { MigrationExecutor, type MigrationTarget, type ProgressEvent } from '../../../db/migrations/executor.ts';
import type { Migration } from '../../../db/migrations/migration.ts';
import { createTables } from '../../../db/schema.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';
import { conflictingMigrationsError } from '../migration-check.ts';
import { emitPostMigrateSignal, emitPreMigrateSignal } from '../sql.ts';
import { currentState, projectAppConfigs } from './makemigrations.ts';

type ModelCtor = typeof ModelBase;

/** Models ordered so a table is created after the tables its foreign keys point to. */
export function creationOrder(models: readonly ModelCtor[]): ModelCtor[] {
  const ordered: ModelCtor[] = [];
  const visiting = new Set<ModelCtor>();
  const visit = (model: ModelCtor) => {
    if (ordered.includes(model) || visiting.has(model)) return;
    visiting.add(model);
    for (const field of model._meta.fields) {
      if (field instanceof ForeignKey) {
        const target = field.remoteModel as unknown as ModelCtor;
        if (models.includes(target)) visit(target);
      }
    }
    ordered.push(model);
  };
  models.forEach(visit);
  return ordered;
}

export default class MigrateCommand extends BaseCommand {
  override help = 'Updates database schema. Manages both apps with migrations and those without.';
  // handle() runs the checks itself, against the database it migrates (as Django's migrate does).
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .argument('[appLabel]', 'App label of an application to synchronize the state.')
      .argument('[migrationName]', 'Database state will be brought to the state after that migration. Use the name "zero" to unapply all migrations.')
      .option('--database <alias>', 'Nominates a database to synchronize.', 'default')
      .option('--fake', 'Mark migrations as run without actually running them.', false)
      .option('--fake-initial', 'Detect if tables already exist and fake-apply initial migrations if so.', false)
      .option('--plan', 'Shows a list of the migration actions that will be performed.', false)
      .option('--noinput, --no-input', 'Tells Nuages to NOT prompt the user for input of any kind.');
  }

  override async handle(options: CommandOptions): Promise<void> {
    if (!options.skipChecks) await this.check({ databases: [String(options['database'])] });
    const verbosity = options.verbosity;
    const connection = connections.get(String(options['database']));
    const out = (text: string, style?: (s: string) => string) => {
      if (verbosity >= 1) this.stdout.write(text, style);
    };
    const started = new Map<Migration, number>();
    const progress = (event: ProgressEvent, migration: Migration, fake: boolean) => {
      if (event === 'apply_start' || event === 'unapply_start') {
        started.set(migration, performance.now());
        if (verbosity >= 1) this.stdout.write(`  ${event === 'apply_start' ? 'Applying' : 'Unapplying'} ${migration.key}...`, undefined, '');
        return;
      }
      const elapsed = verbosity > 1 ? ` (${((performance.now() - started.get(migration)!) / 1000).toFixed(3)}s)` : '';
      out(this.style.SUCCESS(fake ? ' FAKED' : ' OK') + elapsed);
    };
    const executor = await MigrationExecutor.create(connection, progress);
    const loader = executor.loader;
    const conflicts = loader.detectConflicts();
    if (conflicts.size) {
      throw conflictingMigrationsError(conflicts);
    }

    const appLabel = options['appLabel'] as string | undefined;
    const migrationName = options['migrationName'] as string | undefined;
    let targets: MigrationTarget[];
    if (appLabel !== undefined) {
      apps.getAppConfig(appLabel);
      if (!loader.migratedApps.has(appLabel)) throw new CommandError(`App '${appLabel}' does not have migrations.`);
      targets = migrationName !== undefined ? [executor.resolveTarget(appLabel, migrationName)] : executor.leafTargets(appLabel);
    } else {
      targets = executor.leafTargets();
    }
    const plan = executor.migrationPlan(targets);

    if (options['plan']) {
      out('Planned operations:', this.style.MIGRATE_HEADING);
      if (!plan.length) out('  No planned migration operations.');
      for (const { migration, backwards } of plan) {
        out(migration.key, this.style.MIGRATE_LABEL);
        const operations = backwards ? [...migration.operations].reverse() : migration.operations;
        for (const operation of operations) {
          const irreversible = backwards && !operation.reversible ? ' -> IRREVERSIBLE' : '';
          out(`    ${backwards ? 'Undo ' : ''}${operation.describe()}${irreversible}`, irreversible ? this.style.ERROR : undefined);
        }
      }
      return;
    }

    const unmigrated = [...loader.unmigratedApps].sort();
    const interactive = options['input'] !== false;
    const using = connection.alias;
    await emitPreMigrateSignal({ verbosity, interactive, using, plan, apps: () => executor.appliedState().apps, stdout: this.stdout });
    out('Operations to perform:', this.style.MIGRATE_HEADING);
    if (unmigrated.length) out(`  Synchronize unmigrated apps: ${unmigrated.join(', ')}`, this.style.MIGRATE_LABEL);
    if (appLabel === undefined) out(`  Apply all migrations: ${[...loader.migratedApps].sort().join(', ') || '(none)'}`, this.style.MIGRATE_LABEL);
    else if (targets[0]?.[1] === null) out(`  Unapply all migrations: ${appLabel}`, this.style.MIGRATE_LABEL);
    else out(`  Target specific migration: ${targets[0]![1]}, from ${appLabel}`, this.style.MIGRATE_LABEL);

    if (unmigrated.length) {
      out('Synchronizing apps without migrations:', this.style.MIGRATE_HEADING);
      const models = unmigrated.flatMap((label) => apps.getModels(label) as unknown as ModelCtor[]);
      const created = await createTables(creationOrder(models), { using: connection.alias });
      for (const table of created) out(`  Creating table ${table}`);
    }

    out('Running migrations:', this.style.MIGRATE_HEADING);
    if (!plan.length) {
      out('  No migrations to apply.');
      await this.#warnUnmigratedChanges(executor, out);
    } else {
      await executor.migrate(targets, { plan, fake: Boolean(options['fake']), fakeInitial: Boolean(options['fakeInitial']) });
    }
    // Sent even when nothing was applied, as Django does: receivers fill in what is missing.
    await emitPostMigrateSignal({ verbosity, interactive, using, plan, apps: () => executor.appliedState().apps, stdout: this.stdout });
  }

  /** Django's reminder: the models changed but no migration says so. */
  async #warnUnmigratedChanges(executor: MigrationExecutor, out: (text: string, style?: (s: string) => string) => void): Promise<void> {
    const scope = new Set(projectAppConfigs().map((c) => c.label).filter((label) => executor.loader.migratedApps.has(label)));
    if (!scope.size) return;
    const changes = await new MigrationAutodetector(executor.loader.projectState(), currentState()).changes(scope).catch(() => new Map());
    if (!changes.size) return;
    out(
      `  Your models in app(s): ${[...changes.keys()].map((a) => `'${a}'`).join(', ')} have changes that are not yet reflected in a migration, and so won't be applied.\n` +
        "  Run 'manage.ts makemigrations' to make new migrations, and then re-run 'manage.ts migrate' to apply them.",
      this.style.NOTICE,
    );
  }
}
