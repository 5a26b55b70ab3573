/**
 * `manage.ts squashmigrations app [start] end`: writes one migration that
 * replaces the app's migrations from `start` (or the first) to `end`, with
 * their operations folded where that is safe. The originals stay until every
 * database has applied the squashed one; then delete them and drop `replaces`.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { apps } from '../../../conf/apps.ts';
import { nodeKey, splitKey } from '../../../db/migrations/graph.ts';
import { MigrationExecutor } from '../../../db/migrations/executor.ts';
import { MigrationLoader, migrationsFolder } from '../../../db/migrations/loader.ts';
import type { MigrationKey } from '../../../db/migrations/migration.ts';
import { optimize } from '../../../db/migrations/optimizer.ts';
import { writeMigration } from '../../../db/migrations/writer.ts';
import { connections } from '../../../db/connections.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';

export default class SquashMigrationsCommand extends BaseCommand {
  override help = 'Squashes an existing set of migrations (from first until specified) into a single new one.';
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .argument('<appLabel>', 'App label of the application to squash migrations for.')
      .argument('<startOrEnd>', 'Migrations will be squashed until and including this migration (or from it, when two are given).')
      .argument('[end]', 'Migrations will be squashed until and including this migration.')
      .option('--no-optimize', 'Do not try to optimize the squashed operations.')
      .option('--squashed-name <name>', 'Sets the name of the new squashed migration.')
      .option('--noinput, --no-input', 'Tells Nuages to NOT prompt the user for input of any kind.');
  }

  override async handle(options: CommandOptions): Promise<void> {
    const appLabel = String(options['appLabel']);
    apps.getAppConfig(appLabel);
    const loader = await MigrationLoader.load(null);
    const executor = new MigrationExecutor(connections.get(), loader);
    const endArg = (options['end'] as string | undefined) ?? String(options['startOrEnd']);
    const startArg = options['end'] === undefined ? undefined : String(options['startOrEnd']);
    const [, endName] = executor.resolveTarget(appLabel, endArg);
    const plan = loader.graph.forwardsPlan(nodeKey(appLabel, endName!)).filter((key) => splitKey(key)[0] === appLabel);
    let start = 0;
    if (startArg !== undefined) {
      const [, startName] = executor.resolveTarget(appLabel, startArg);
      start = plan.indexOf(nodeKey(appLabel, startName!));
      if (start < 0) throw new CommandError(`The migration '${startName}' cannot be found among the ancestors of '${endName}'.`);
    }
    const migrations = plan.slice(start).map((key) => loader.graph.nodes.get(key)!);
    if (migrations.some((m) => m.replaces.length)) {
      throw new CommandError('You cannot squash squashed migrations! Finish transitioning to the squashed migration first (delete the originals and its replaces).');
    }
    const keys = new Set(migrations.map((m) => m.key));
    const dependencies: MigrationKey[] = [];
    for (const migration of migrations) {
      for (const dep of migration.dependencies) {
        if (!keys.has(nodeKey(dep[0], dep[1])) && !dependencies.some((d) => d[0] === dep[0] && d[1] === dep[1])) dependencies.push(dep);
      }
    }
    const operations = migrations.flatMap((m) => [...m.operations]);
    const folded = options['optimize'] === false ? operations : optimize(operations, appLabel);
    if (options.verbosity >= 1) this.stdout.write(`Optimized from ${operations.length} operations to ${folded.length} operations.`, this.style.MIGRATE_HEADING);
    const first = migrations[0]!.name;
    const name = (options['squashedName'] as string | undefined)
      ? `${first.slice(0, 4)}_${String(options['squashedName'])}`
      : `${start === 0 ? '0001' : first}_squashed_${endName}`;
    const text = writeMigration({
      initial: start === 0 && migrations[0]!.initial !== false,
      replaces: migrations.map((m) => [m.appLabel, m.name] as const),
      dependencies,
      operations: folded,
    });
    const file = join(migrationsFolder(apps.getAppConfig(appLabel)), `${name}.ts`);
    writeFileSync(file, text);
    if (options.verbosity >= 1) {
      this.stdout.write(`Created new squashed migration ${relative(process.cwd(), file)}`, this.style.MIGRATE_HEADING);
      this.stdout.write('  You should commit this migration but leave the old ones in place; the new migration will be used for new installs. Once you are sure all instances of the codebase have applied the migrations you squashed, you can delete them.');
    }
  }
}
