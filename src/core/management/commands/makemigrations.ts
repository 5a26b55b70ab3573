/**
 * `manage.ts makemigrations [app…]`: compares the models with the state the
 * existing migrations build and writes the migrations that close the gap.
 *
 * `--check` exits 1 when a migration is missing (for CI) and writes nothing;
 * `--dry-run` shows what would be written; `--noinput` answers every rename
 * question with no. `--merge` joins the branches of an app whose graph has
 * more than one leaf with an empty migration that depends on every leaf.
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
import { migrationNameTimestamp, writeMigration, suggestName } from '../../../db/migrations/writer.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';
import { conflictingMigrationsError } from '../migration-check.ts';

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
      .option('--merge', 'Enable fixing of migration conflicts.', false)
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
    // Django only looks at the named apps' conflicts when labels are given.
    if (labels.length) for (const app of [...conflicts.keys()]) if (!labels.includes(app)) conflicts.delete(app);
    if (conflicts.size && !options['merge']) {
      throw conflictingMigrationsError(conflicts);
    }
    if (options['merge']) {
      if (!conflicts.size) {
        if (options.verbosity >= 1) this.stdout.write('No conflicts detected to merge.');
        return;
      }
      await this.#merge(loader, conflicts, { name, dryRun, interactive, verbosity: options.verbosity });
      return;
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

  /**
   * Writes one merge migration per conflicted app: no operations, a
   * dependency on each leaf. Each branch is listed first with the operations
   * it has since the branches parted, so the user can judge they don't clash.
   */
  async #merge(
    loader: MigrationLoader,
    conflicts: Map<string, string[]>,
    options: { name: string | undefined; dryRun: boolean; interactive: boolean; verbosity: number },
  ): Promise<void> {
    const questioner = options.interactive ? new InteractiveMigrationQuestioner() : new MigrationQuestioner();
    for (const [appLabel, leaves] of conflicts) {
      const ancestries = leaves.map((leaf) =>
        loader.graph.forwardsPlan(`${appLabel}.${leaf}`).filter((key) => key.startsWith(`${appLabel}.`)),
      );
      let common = 0;
      while (ancestries.every((a) => common < a.length && a[common] === ancestries[0]![common])) common++;
      if (options.verbosity >= 1) {
        this.stdout.write(`Merging ${appLabel}`, this.style.MIGRATE_HEADING);
        leaves.forEach((leaf, i) => {
          this.stdout.write(`  ${this.style.MIGRATE_LABEL(`Branch ${leaf}`)}`);
          for (const key of ancestries[i]!.slice(common)) {
            for (const operation of loader.graph.nodes.get(key)!.operations) this.stdout.write(`    - ${operation.describe()}`);
          }
        });
      }
      if (!(await questioner.askMerge(appLabel))) continue;
      const numbers = leaves.map((leaf) => /^\d+/.exec(leaf)).filter((m) => m !== null).map((m) => Number(m[0]));
      const next = (numbers.length ? Math.max(...numbers) : 1) + 1;
      const joined = [...leaves].sort().join('_');
      const suffix = options.name ?? `merge_${joined.length > 47 ? migrationNameTimestamp() : joined}`;
      const migrationName = `${String(next).padStart(4, '0')}_${suffix}`;
      const text = writeMigration({ dependencies: leaves.map((leaf) => [appLabel, leaf] as const), operations: [] });
      const folder = migrationsFolder(apps.getAppConfig(appLabel));
      const file = join(folder, `${migrationName}.ts`);
      if (options.dryRun) {
        if (options.verbosity >= 3) {
          this.stdout.write(`Full merge migrations file '${migrationName}.ts':`, this.style.MIGRATE_HEADING);
          this.stdout.write(text);
        }
        continue;
      }
      writeFileSync(file, text);
      if (options.verbosity >= 1) this.stdout.write(`\nCreated new merge migration ${relative(process.cwd(), file)}`);
    }
  }
}
