/**
 * `manage.ts showmigrations [app…]`: every app's migrations, `[X]` when
 * applied; `--plan` lists them in the order migrate would apply them.
 */
import type { Command } from 'commander';
import { connections } from '../../../db/connections.ts';
import { splitKey } from '../../../db/migrations/graph.ts';
import { MigrationLoader } from '../../../db/migrations/loader.ts';
import { apps } from '../../../conf/apps.ts';
import { BaseCommand, type CommandOptions } from '../base.ts';

export default class ShowMigrationsCommand extends BaseCommand {
  override help = 'Shows all available migrations for the current project.';

  override addArguments(parser: Command): void {
    parser
      .argument('[appLabels...]', 'App labels of applications to limit the output to.')
      .option('--database <alias>', 'Nominates a database to show migrations for.', 'default')
      .option('-l, --list', 'Shows a list of all migrations and which are applied (the default).', false)
      .option('-p, --plan', 'Shows all migrations in the order they will be applied.', false);
  }

  override async handle(options: CommandOptions): Promise<void> {
    const loader = await MigrationLoader.load(connections.get(String(options['database'])));
    const graph = loader.graph;
    const applied = loader.appliedMigrations;
    if (options['plan']) {
      const seen = new Set<string>();
      for (const leaf of graph.leafNodes()) {
        for (const key of graph.forwardsPlan(leaf)) {
          if (seen.has(key)) continue;
          seen.add(key);
          const deps = options.verbosity >= 2 ? [...graph.parents.get(key)!].sort() : [];
          const suffix = deps.length ? ` ... (${deps.join(', ')})` : '';
          this.stdout.write(`${applied.has(key) ? '[X]' : '[ ]'}  ${key}${suffix}`);
        }
      }
      if (!seen.size) this.stdout.write('(no migrations)', this.style.ERROR);
      return;
    }
    const labels = (options['appLabels'] as string[] | undefined)?.length
      ? (options['appLabels'] as string[])
      : apps.getAppConfigs().map((c) => c.label).sort();
    for (const label of labels) {
      apps.getAppConfig(label);
      this.stdout.write(label, this.style.MIGRATE_LABEL);
      const keys = new Set<string>();
      for (const leaf of graph.leafNodes(label)) {
        for (const key of graph.forwardsPlan(leaf)) if (splitKey(key)[0] === label) keys.add(key);
      }
      if (!keys.size) {
        this.stdout.write(' (no migrations)', this.style.ERROR);
        continue;
      }
      for (const key of keys) {
        const migration = graph.nodes.get(key)!;
        const squashed = migration.replaces.length ? ` (${migration.replaces.length} squashed migrations)` : '';
        const mark = applied.has(key) ? '[X]' : migration.replaces.some(([a, n]) => applied.has(`${a}.${n}`)) ? '[-]' : '[ ]';
        this.stdout.write(` ${mark} ${splitKey(key)[1]}${squashed}`);
      }
    }
  }
}
