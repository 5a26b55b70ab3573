/**
 * `manage.ts migrate`: creates the tables of every installed model that does
 * not have one yet. Provisional: migration files arrive with the migrations
 * framework; until then this is how a project gets its schema.
 */
import type { Command } from 'commander';
import { apps } from '../../../conf/apps.ts';
import { createTables } from '../../../db/schema.ts';
import type { ModelBase } from '../../../db/models/base.ts';
import { ForeignKey } from '../../../db/models/fields/related.ts';
import { BaseCommand, type CommandOptions } from '../base.ts';

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
  override help = "Creates the tables of installed models that don't have one yet.";

  override addArguments(parser: Command): void {
    parser.option('--database <alias>', 'The database to create tables in.', 'default');
  }

  override async handle(options: CommandOptions): Promise<void> {
    const models = apps.getModels() as unknown as ModelCtor[];
    const created = await createTables(creationOrder(models), { using: String(options['database']) });
    if (options.verbosity < 1) return;
    if (!created.length) this.stdout.write('No changes: every installed model has its table.');
    for (const table of created) this.stdout.write(`  Created table ${table}`, this.style.SUCCESS);
  }
}
