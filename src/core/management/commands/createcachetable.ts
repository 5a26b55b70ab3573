/**
 * `manage.ts createcachetable [tableNames...]`: creates the table of every database
 * cache in CACHES (`BACKEND: 'db'`), skipping tables that exist, as Django's command.
 *
 * Which database: `--database` when given; otherwise the cache's `OPTIONS.DATABASE`,
 * else `'default'`. With `--database`, a cache whose OPTIONS.DATABASE names another
 * alias is left alone (its table belongs there). The routers' `allowMigrate()` for
 * Django's `django_cache.cacheentry` model can refuse a database, as in Django.
 */
import type { Command } from 'commander';
import { settings } from '../../../conf/lazy-settings.ts';
import { cacheTableSql, CACHE_ENTRY_MODEL, createCacheTable, DatabaseCache } from '../../../cache/backends/db.ts';
import { caches } from '../../../cache/caches.ts';
import { connections, DEFAULT_DB_ALIAS } from '../../../db/connections.ts';
import { DatabaseError } from '../../../db/errors.ts';
import { router } from '../../../db/routers.ts';
import { schemaEditorFor } from '../../../db/schema.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';

/** Creates the tables the database cache needs; `--dry-run` prints the SQL instead. */
export default class CreateCacheTableCommand extends BaseCommand {
  override help = 'Creates the tables needed to use the SQL cache backend.';
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .argument('[tableNames...]', 'Optional table names. Otherwise, settings.CACHES is used to find cache tables.')
      .option('--database <alias>', 'Nominates a database onto which the cache tables will be installed. Defaults to the cache\'s OPTIONS.DATABASE, else the "default" database.')
      .option('--dry-run', 'Does not create the table, just prints the SQL that would be run.', false);
  }

  override async handle(options: CommandOptions): Promise<void> {
    const chosen = options['database'] as string | undefined;
    if (chosen !== undefined && !Object.hasOwn(connections.databases, chosen)) {
      throw new CommandError(`Database '${chosen}' is not in DATABASES (it has ${Object.keys(connections.databases).map((alias) => `'${alias}'`).join(', ')}).`);
    }
    const dryRun = options['dryRun'] === true;
    const tableNames = (options['tableNames'] as string[] | undefined) ?? [];
    if (tableNames.length > 0) {
      for (const table of tableNames) await this.#createTable(chosen ?? DEFAULT_DB_ALIAS, table, dryRun, options.verbosity);
      return;
    }
    for (const alias of Object.keys(settings.CACHES)) {
      const backend = caches.get(alias).backend;
      if (!(backend instanceof DatabaseCache)) continue;
      if (chosen !== undefined && backend.database !== undefined && backend.database !== chosen) continue;
      await this.#createTable(chosen ?? backend.database ?? DEFAULT_DB_ALIAS, backend.table, dryRun, options.verbosity);
    }
  }

  async #createTable(database: string, table: string, dryRun: boolean, verbosity: number): Promise<void> {
    if (!router.allowMigrateModel(database, CACHE_ENTRY_MODEL)) return;
    const connection = connections.get(database);
    if ((await schemaEditorFor(connection).tableNames()).includes(table)) {
      if (verbosity > 0) this.stdout.write(`Cache table '${table}' already exists.`);
      return;
    }
    if (dryRun) {
      for (const sql of cacheTableSql(connection, table)) this.stdout.write(sql);
      return;
    }
    try {
      await createCacheTable(connection, table);
    } catch (error) {
      if (!(error instanceof DatabaseError)) throw error;
      throw new CommandError(`Cache table '${table}' could not be created.\nThe error was: ${error.message}.`, { cause: error });
    }
    if (verbosity > 1) this.stdout.write(`Cache table '${table}' created.`);
  }
}
