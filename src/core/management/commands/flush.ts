/**
 * `manage.ts flush [--noinput] [--database alias]`: empties every table of the installed
 * apps' models and sends `postMigrate` again, as Django's command does, so what migrate's
 * receivers create (content types, permissions) is back. The migration history stays.
 */
import type { Command } from 'commander';
import { apps } from '../../../conf/apps.ts';
import { connections } from '../../../db/connections.ts';
import { schemaEditorFor } from '../../../db/schema.ts';
import { compilerFor } from '../../../db/models/sql/backend.ts';
import { atomic } from '../../../db/transaction.ts';
import type { ModelBase } from '../../../db/models/base.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';
import { Prompter } from '../prompt.ts';
import { emitPostMigrateSignal } from '../sql.ts';

/** The tables of the installed models (with their join tables) that exist, and whether one has an auto key. */
async function modelTables(alias: string): Promise<{ tables: string[]; autoKeys: boolean }> {
  const existing = new Set(await schemaEditorFor(connections.get(alias)).tableNames());
  const tables = new Set<string>();
  let autoKeys = false;
  const add = (model: typeof ModelBase) => {
    const meta = model._meta;
    if (!meta.managed || !existing.has(meta.dbTable)) return;
    tables.add(meta.dbTable);
    autoKeys ||= meta.pk?.isAuto === true;
  };
  for (const model of apps.getModels() as unknown as Array<typeof ModelBase>) {
    add(model);
    for (const field of model._meta.manyToMany) add(field.throughModel as unknown as typeof ModelBase);
  }
  return { tables: [...tables].sort(), autoKeys };
}

export default class FlushCommand extends BaseCommand {
  override help =
    'Removes ALL DATA from the database, including data added during migrations. Does not achieve a "fresh install" state.';

  override addArguments(parser: Command): void {
    parser
      .option('--noinput, --no-input', 'Tells Nuages to NOT prompt the user for input of any kind.')
      .option('--database <alias>', 'Nominates a database to flush. Defaults to the "default" database.', 'default');
  }

  override async handle(options: CommandOptions): Promise<void> {
    const alias = String(options['database']);
    const interactive = options['input'] !== false;
    const verbosity = Number(options['verbosity'] ?? 1);
    const connection = connections.get(alias);
    const name = String(connection.settings.NAME);
    if (interactive && !(await this.#confirm(name))) {
      this.stdout.write('Flush cancelled.');
      return;
    }
    const { tables, autoKeys } = await modelTables(alias);
    const statements = compilerFor(connection).ops.sqlFlush(tables, { resetSequences: autoKeys });
    try {
      await atomic(
        async () => {
          for (const sql of statements) await connection.executeScript(sql);
        },
        { using: alias },
      );
    } catch (error) {
      throw new CommandError(
        `Database ${name} couldn't be flushed. Possible reasons:\n` +
          '  * The database isn\'t running or isn\'t configured correctly.\n' +
          "  * At least one of the expected database tables doesn't exist.\n" +
          '  * The SQL was invalid.\n' +
          `The full error: ${(error as Error).message}`,
        { cause: error },
      );
    }
    // Data that migrate's receivers make (content types, permissions) comes back.
    await emitPostMigrateSignal({ verbosity, interactive: false, using: alias, stdout: this.stdout });
  }

  async #confirm(name: string): Promise<boolean> {
    const prompter = new Prompter(this.stdin, this.stdout.out);
    try {
      const answer = await prompter.ask(
        'You have requested a flush of the database.\n' +
          `This will IRREVERSIBLY DESTROY all data currently in the "${name}" database,\n` +
          'and return each table to an empty state.\n' +
          'Are you sure you want to do this?\n\n' +
          "    Type 'yes' to continue, or 'no' to cancel: ",
      );
      return answer === 'yes';
    } finally {
      prompter.close();
    }
  }
}
