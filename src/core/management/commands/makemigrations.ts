/**
 * `manage.ts makemigrations [app…]`: compares the models with the state the
 * existing migrations build and writes the migrations that close the gap.
 *
 * `--check` exits 1 when a migration is missing (for CI) and writes nothing;
 * `--dry-run` shows what would be written; `--noinput` answers every rename
 * question with no.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Command } from 'commander';
import { apps, type AppConfig } from '../../../conf/apps.ts';
import type { ModelBase } from '../../../db/models/base.ts';
import { arrangeForGraph, MigrationAutodetector, type PlannedMigration } from '../../../db/migrations/autodetector.ts';
import { MigrationLoader, migrationFiles, migrationsFolder } from '../../../db/migrations/loader.ts';
import { InteractiveMigrationQuestioner, MigrationQuestioner, QuestionerAbortError } from '../../../db/migrations/questioner.ts';
import { ProjectState } from '../../../db/migrations/state.ts';
import { writeMigration, suggestName } from '../../../db/migrations/writer.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';

const NUAGES_SRC = join(import.meta.dirname, '..', '..', '..');

/** Apps makemigrations looks at without labels: those with migrations, and the project's own. */
export function projectAppConfigs(): AppConfig[] {
  return apps.getAppConfigs().filter((config) => {
    if (migrationFiles(migrationsFolder(config)).size) return true;
    const inPackage = config.path.startsWith(NUAGES_SRC + sep) || config.path.split(sep).includes('node_modules');
    return !inPackage;
  });
}

/** Today's models, as a state. */
export function currentState(): ProjectState {
  return ProjectState.fromApps(apps.getModels() as unknown as (typeof ModelBase)[]);
}

export default class MakeMigrationsCommand extends BaseCommand {
  override help = 'Creates new migration(s) for apps.';

  override addArguments(parser: Command): void {
    parser
      .argument('[appLabels...]', 'Specify the app label(s) to create migrations for.')
      .option('--dry-run', "Just show what migrations would be made; don't actually write them.", false)
      .option('--empty', 'Create an empty migration.', false)
      .option('--noinput, --no-input', 'Tells Nuages to NOT prompt the user for input of any kind.')
      .option('-n, --name <name>', 'Use this name for migration file(s).')
      .option('--check', 'Exit with a non-zero status if model changes are missing migrations and don\'t actually write them.', false);
  }

  override async handle(options: CommandOptions): Promise<void> {
    const labels = (options['appLabels'] as string[] | undefined) ?? [];
    for (const label of labels) apps.getAppConfig(label);
    const name = options['name'] as string | undefined;
    if (name !== undefined && !/^\w+$/.test(name)) throw new CommandError('The migration name must be a valid identifier (letters, digits and _).');
    const check = Boolean(options['check']);
    const dryRun = Boolean(options['dryRun']) || check;
    const interactive = options['input'] !== false && !check && process.stdin.isTTY === true;

    const loader = await MigrationLoader.load(null);
    const conflicts = loader.detectConflicts();
    if (conflicts.size) {
      const list = [...conflicts].map(([app, names]) => `${names.join(', ')} in ${app}`).join('; ');
      throw new CommandError(
        `Conflicting migrations detected; multiple leaf nodes in the migration graph: (${list}). ` +
          'Make one depend on the other (edit its dependencies) or squash them.',
      );
    }
    const scope = labels.length ? labels : projectAppConfigs().map((c) => c.label);

    let planned: PlannedMigration[];
    if (options['empty']) {
      if (!labels.length) throw new CommandError('You must supply at least one app label when using --empty.');
      planned = arrangeForGraph(new Map(labels.map((label) => [label, []])), loader.graph, { migrationName: name });
      for (const migration of planned) {
        if (name === undefined) migration.name = `${migration.name.slice(0, 5)}${suggestName({ ...migration, initial: false })}`;
      }
    } else {
      const questioner = interactive ? new InteractiveMigrationQuestioner() : new MigrationQuestioner();
      const detector = new MigrationAutodetector(loader.projectState(), currentState(), questioner);
      let changes;
      try {
        changes = await detector.changes(new Set(scope));
      } catch (error) {
        if (error instanceof QuestionerAbortError) throw new CommandError(error.message, { returncode: 3 });
        throw error;
      }
      planned = arrangeForGraph(changes, loader.graph, { migrationName: name });
    }

    if (!planned.length) {
      if (options.verbosity >= 1) {
        this.stdout.write(labels.length === 1 ? `No changes detected in app '${labels[0]}'` : labels.length ? `No changes detected in apps '${labels.join("', '")}'` : 'No changes detected');
      }
      return;
    }
    for (const migration of planned) {
      const folder = migrationsFolder(apps.getAppConfig(migration.appLabel));
      const file = join(folder, `${migration.name}.ts`);
      if (options.verbosity >= 1) {
        this.stdout.write(`Migrations for '${migration.appLabel}':`, this.style.MIGRATE_HEADING);
        this.stdout.write(`  ${this.style.MIGRATE_LABEL(relative(process.cwd(), file))}`);
        for (const operation of migration.operations) this.stdout.write(`    - ${operation.describe()}`);
      }
      const text = writeMigration(migration);
      if (dryRun) {
        if (options.verbosity >= 3) this.stdout.write(text);
        continue;
      }
      mkdirSync(folder, { recursive: true });
      writeFileSync(file, text);
    }
    if (check) throw new CommandError('Model changes are not yet reflected in a migration: run makemigrations.', { returncode: 1 });
  }
}
