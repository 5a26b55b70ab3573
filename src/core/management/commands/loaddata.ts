/**
 * `manage.ts loaddata fixture [fixture ...]`: loads fixtures into the database, as
 * Django's command does.
 *
 * labels → files found (fixture-files.ts) → each read and deserialized → each object
 * saved raw (preSave/postSave receivers get `raw: true`) → relations that named a later
 * row by natural key set → foreign keys checked → id sequences moved past the loaded ids
 * (PostgreSQL) → "Installed N object(s) from M fixture(s)". All of it in one transaction
 * on `--database`: when any object fails, nothing is written. Foreign keys are checked at
 * the end, so a row may point to one that comes later in the fixture.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { AppConfig } from '../../../conf/apps.ts';
import { connections } from '../../../db/connections.ts';
import { DatabaseError } from '../../../db/errors.ts';
import type { ModelBase } from '../../../db/models/base.ts';
import { compilerFor } from '../../../db/models/sql/backend.ts';
import { router } from '../../../db/routers.ts';
import { atomic } from '../../../db/transaction.ts';
import { deserialize, getPublicSerializerFormats, type DeserializedObject } from '../../serializers/index.ts';
import { pyStr } from '../../serializers/errors.ts';
import { appendLabel, parseAppsAndModelLabels } from '../app-labels.ts';
import { BaseCommand, CommandError, makeStyle, type CommandOptions } from '../base.ts';
import { findFixtureFiles, humanize, parseFixtureName, READ_STDIN, readFixtureFile, type FoundFixture } from '../fixture-files.ts';

type ModelCtor = typeof ModelBase;

/** What one run of the command has loaded so far. */
interface LoadState {
  fixtureCount: number;
  loadedObjectCount: number;
  fixtureObjectCount: number;
  readonly models: Set<ModelCtor>;
  readonly deferred: DeserializedObject[];
}

export default class LoadDataCommand extends BaseCommand {
  override help = 'Installs the named fixture(s) in the database.';

  #using = 'default';
  #ignore = false;
  #appLabel: string | undefined;
  #format: string | undefined;
  #excludedModels: ReadonlySet<ModelCtor> = new Set();
  #excludedApps: ReadonlySet<AppConfig> = new Set();
  #found = new Map<string, FoundFixture[]>();

  override addArguments(parser: Command): void {
    parser
      .argument('<fixtureLabels...>', 'Fixture labels.')
      .option('--database <alias>', 'Nominates a specific database to load fixtures into. Defaults to the "default" database.', 'default')
      .option('--app <appLabel>', 'Only look for fixtures in the specified app.')
      .option('-i, --ignorenonexistent', 'Ignores entries in the serialized data for fields that do not currently exist on the model.', false)
      .option('-e, --exclude <label>', 'An app_label or app_label.ModelName to exclude. Can be used multiple times.', appendLabel, [])
      .option('--format <format>', 'Format of serialized data when reading from stdin.');
  }

  override async handle(options: CommandOptions): Promise<void> {
    this.#using = String(options['database']);
    this.#ignore = options['ignorenonexistent'] === true;
    this.#appLabel = options['app'] as string | undefined;
    this.#format = options['format'] as string | undefined;
    const excluded = parseAppsAndModelLabels(options['exclude'] as string[]);
    this.#excludedModels = excluded.models;
    this.#excludedApps = excluded.apps;
    this.#found = new Map();
    const labels = options['fixtureLabels'] as string[];
    await atomic(() => this.#loaddata(labels), { using: this.#using });
  }

  async #loaddata(labels: readonly string[]): Promise<void> {
    // Django looks for the first fixture before loading anything, so a typo fails fast.
    this.#findFixtures(labels[0]!);
    const state: LoadState = { fixtureCount: 0, loadedObjectCount: 0, fixtureObjectCount: 0, models: new Set(), deferred: [] };
    for (const label of labels) await this.#loadLabel(label, state);
    for (const obj of state.deferred) await obj.saveDeferredFields({ using: this.#using });
    const connection = connections.get(this.#using);
    try {
      await connection.checkConstraints(tablesOf(state.models));
    } catch (error) {
      throw new CommandError(`Problem installing fixtures: ${(error as Error).message}`, { cause: error });
    }
    if (state.loadedObjectCount > 0) await this.#resetSequences(state.models);
    if (this.verbosity >= 1) {
      const of = state.fixtureObjectCount === state.loadedObjectCount ? '' : ` (of ${state.fixtureObjectCount})`;
      this.stdout.write(`Installed ${state.loadedObjectCount} object(s)${of} from ${state.fixtureCount} fixture(s)`);
    }
  }

  /** The files of a label, looked for once per run (the verbosity-2 lines are printed once). */
  #findFixtures(label: string): FoundFixture[] {
    let found = this.#found.get(label);
    if (!found) {
      found = findFixtureFiles(label, {
        formats: getPublicSerializerFormats(),
        using: this.#using,
        appLabel: this.#appLabel,
        stdinFormat: this.#format,
        log: this.verbosity >= 2 ? (line) => this.stdout.write(line) : undefined,
      });
      this.#found.set(label, found);
    }
    return found;
  }

  async #loadLabel(label: string, state: LoadState): Promise<void> {
    const showProgress = this.verbosity >= 3;
    for (const fixture of this.#findFixtures(label)) {
      const { format, compression } = parseFixtureName(basename(fixture.file), getPublicSerializerFormats(), this.#format);
      const text = fixture.file === READ_STDIN ? await this.#readStdin() : readFixtureFile(fixture.file, compression);
      state.fixtureCount++;
      if (this.verbosity >= 2) this.stdout.write(`Installing ${format} fixture '${fixture.name}' from ${humanize(fixture.dir)}.`);
      let inFixture = 0;
      let loaded = 0;
      try {
        const objects = deserialize(format!, text, { using: this.#using, ignoreNonExistent: this.#ignore, handleForwardReferences: true });
        for await (const obj of objects) {
          inFixture++;
          if (!(await this.#saveObject(obj, state))) continue;
          loaded++;
          if (showProgress) this.stdout.write(`\rProcessed ${loaded} object(s).`, undefined, '');
        }
      } catch (error) {
        if (error instanceof CommandError) throw error;
        throw new CommandError(`Problem installing fixture '${fixture.file}': ${(error as Error).message}`, { cause: error });
      }
      if (inFixture && showProgress) this.stdout.write();
      state.loadedObjectCount += loaded;
      state.fixtureObjectCount += inFixture;
      if (inFixture === 0) this.stderr.write(`No fixture data found for '${fixture.name}'. (File format may be invalid.)`, this.style.WARNING);
    }
  }

  /** Saves an object unless excluded or routed elsewhere; returns whether it was saved. */
  async #saveObject(obj: DeserializedObject, state: LoadState): Promise<boolean> {
    const model = obj.object.constructor as ModelCtor;
    const meta = model._meta;
    if (this.#excludedModels.has(model) || [...this.#excludedApps].some((config) => config.label === meta.appLabel)) return false;
    let saved = false;
    if (meta.managed && meta.swapped === undefined && router.allowMigrateModel(this.#using, model)) {
      saved = true;
      state.models.add(model);
      try {
        await obj.save({ using: this.#using });
      } catch (error) {
        // As Django: the database's message, prefixed with the object it refused.
        if (error instanceof DatabaseError) error.message = `Could not load ${meta.label}(pk=${pyStr(obj.object.pk)}): ${error.message}`;
        throw error;
      }
    }
    if (obj.deferredFields.size) state.deferred.push(obj);
    return saved;
  }

  /** Moves each loaded model's id sequence past the ids the fixtures gave (PostgreSQL; nothing on SQLite). */
  async #resetSequences(models: ReadonlySet<ModelCtor>): Promise<void> {
    const connection = connections.get(this.#using);
    const statements = compilerFor(connection).ops.sequenceResetSql(makeStyle(false), [...models]);
    if (!statements.length) return;
    if (this.verbosity >= 2) this.stdout.write('Resetting sequences');
    for (const sql of statements) await connection.executeScript(sql);
  }

  async #readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
}

/** The tables rows of `models` were written to: theirs and their many-to-many join tables. */
function tablesOf(models: ReadonlySet<ModelCtor>): string[] {
  return [...models].flatMap((model) => [
    model._meta.dbTable,
    ...model._meta.autoCreatedJoinModels.map((join) => join._meta.dbTable),
  ]);
}
