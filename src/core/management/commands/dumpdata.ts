/**
 * `manage.ts dumpdata [app_label[.ModelName] ...]`: the database's rows as a fixture
 * (Django's command, byte for byte the same JSON): every installed app, or the apps
 * and models named, in primary-key order, to stdout or `--output` (gzip for `.gz`).
 *
 * Models come app by app in registration order; with `--natural-foreign` they are
 * reordered so each comes after the models its natural keys name. Each model's rows
 * are read through its default manager (`objects`), or all of them with `--all`.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { apps, type AppConfig } from '../../../conf/apps.ts';
import type { ModelBase } from '../../../db/models/base.ts';
import { withoutAutoCreated } from '../../../db/models/options.ts';
import type { QuerySet } from '../../../db/models/query-set.ts';
import { router } from '../../../db/routers.ts';
import { getPublicSerializerFormats, getSerializationFormat, sortDependencies, type SerializeOptions } from '../../serializers/index.ts';
import { baseQuerySet } from '../../serializers/natural-keys.ts';
import { appendLabel, modelFor, parseAppsAndModelLabels } from '../app-labels.ts';
import { getAppConfigOrFail } from '../label-command.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';
import { openDumpOutput } from '../fixture-files.ts';

type ModelCtor = typeof ModelBase;

/** Each app to dump, with the models named (null: all of its models). */
type AppList = Map<AppConfig, ModelCtor[] | null>;

function parseIndent(value: string): number {
  if (!/^[+-]?\d+$/.test(value.trim())) throw new InvalidArgumentError(`invalid int value: '${value}'`);
  return Number(value);
}

/**
 * The models of an app that dumpdata writes: not the join models Nuages makes for
 * many-to-many fields (their rows are written with the field), nor a model swapped out.
 */
function dumpableModels(config: AppConfig): ModelCtor[] {
  return withoutAutoCreated(config.getModels() as unknown as ModelCtor[]).filter((model) => model._meta.swapped === undefined);
}

/** Django's "app.Model" or "app" arguments as the apps and models to dump. */
function appListFor(labels: readonly string[], excludedApps: ReadonlySet<AppConfig>, primaryKeys: readonly string[]): AppList {
  const list: AppList = new Map();
  const onlyOneModel = () => new CommandError('You can only use --pks option with one model');
  if (!labels.length) {
    if (primaryKeys.length) throw onlyOneModel();
    for (const config of apps.getAppConfigs()) if (hasModels(config) && !excludedApps.has(config)) list.set(config, null);
    return list;
  }
  if (labels.length > 1 && primaryKeys.length) throw onlyOneModel();
  for (const label of labels) {
    const parts = label.split('.');
    if (parts.length !== 2) {
      if (primaryKeys.length) throw onlyOneModel();
      const config = getAppConfigOrFail(label);
      if (hasModels(config) && !excludedApps.has(config)) list.set(config, null);
      continue;
    }
    const config = getAppConfigOrFail(parts[0]!);
    if (!hasModels(config) || excludedApps.has(config)) continue;
    const model = modelFor(label);
    if (!list.has(config)) list.set(config, []);
    const models = list.get(config);
    // An app named whole before (null) keeps all its models.
    if (models && !models.includes(model)) models.push(model);
  }
  return list;
}

function hasModels(config: AppConfig): boolean {
  return config.getModels().length > 0;
}

export default class DumpDataCommand extends BaseCommand {
  override help =
    'Output the contents of the database as a fixture of the given format (using each model\'s default manager unless --all is specified).';

  override addArguments(parser: Command): void {
    parser
      .argument('[appLabels...]', 'Restricts dumped data to the specified app_label or app_label.ModelName.')
      .option('--format <format>', 'Specifies the output serialization format for fixtures.', 'json')
      .option('--indent <n>', 'Specifies the indent level to use when pretty-printing output.', parseIndent)
      .option('--database <alias>', 'Nominates a specific database to dump fixtures from. Defaults to the "default" database.', 'default')
      .option('-e, --exclude <label>', 'An app_label or app_label.ModelName to exclude (use multiple --exclude to exclude multiple apps/models).', appendLabel, [])
      .option('--natural-foreign', 'Use natural foreign keys if they are available.', false)
      .option('--natural-primary', 'Use natural primary keys if they are available.', false)
      .option('-a, --all', "Use Nuages's base manager to dump all models stored in the database, including those that would otherwise be filtered or modified by a custom manager.", false)
      .option('--pks <keys>', 'Only dump objects with given primary keys. Accepts a comma-separated list of keys. This option only works when you specify one model.')
      .option('-o, --output <file>', 'Specifies file to which the output is written.');
  }

  override async handle(options: CommandOptions): Promise<void> {
    const format = String(options['format']);
    const using = String(options['database']);
    const output = options['output'] as string | undefined;
    const primaryKeys = options['pks'] ? String(options['pks']).split(',').map((key) => key.trim()) : [];
    const excluded = parseAppsAndModelLabels(options['exclude'] as string[]);
    const appList = appListFor((options['appLabels'] as string[] | undefined) ?? [], excluded.apps, primaryKeys);
    if (!getPublicSerializerFormats().includes(format)) throw new CommandError(`Unknown serialization format: ${format}`);
    const serializeOptions: SerializeOptions = {
      indent: options['indent'] as number | undefined,
      useNaturalForeignKeys: options['naturalForeign'] === true,
      useNaturalPrimaryKeys: options['naturalPrimary'] === true,
    };
    const querysets = this.#querysets(appList, excluded.models, {
      using,
      baseManager: options['all'] === true,
      primaryKeys,
      sorted: serializeOptions.useNaturalForeignKeys === true,
    });
    try {
      await this.#write(format, querysets, serializeOptions, output);
    } catch (error) {
      if (options.traceback || error instanceof CommandError) throw error;
      throw new CommandError(`Unable to serialize database: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The QuerySet of each model to dump, in order, each sorted by primary key. */
  #querysets(
    appList: AppList,
    excludedModels: ReadonlySet<ModelCtor>,
    options: { using: string; baseManager: boolean; primaryKeys: readonly string[]; sorted: boolean },
  ): QuerySet<ModelBase>[] {
    const listed = [...appList].flatMap(([config, models]) => models ?? dumpableModels(config));
    const models = options.sorted ? sortDependencies(listed, { allowCycles: true }) : listed;
    const querysets: QuerySet<ModelBase>[] = [];
    for (const model of models) {
      if (excludedModels.has(model) || !model._meta.managed || !router.allowMigrateModel(options.using, model)) continue;
      const manager = options.baseManager ? baseQuerySet(model) : (model.objects as QuerySet<ModelBase>);
      let queryset = manager.using(options.using).orderBy(model._meta.pk.name);
      if (options.primaryKeys.length) queryset = queryset.filter({ pk__in: options.primaryKeys });
      querysets.push(queryset);
    }
    return querysets;
  }

  async #write(format: string, querysets: readonly QuerySet<ModelBase>[], options: SerializeOptions, output: string | undefined): Promise<void> {
    const serializer = getSerializationFormat(format).createSerializer();
    const objects = (async function* () {
      for (const queryset of querysets) yield* queryset.iterator();
    })();
    if (!output) {
      for await (const text of inLargePieces(serializer.stream(objects, options))) this.stdout.out.write(text);
      return;
    }
    // A file's progress can be shown on the terminal (stdout itself carries no data then).
    const total = this.stdout.isTTY && this.verbosity > 0 ? await countAll(querysets) : undefined;
    const bar = total === undefined ? undefined : this.progress(total, { label: 'Objects' });
    const file = openDumpOutput(output);
    if (file.warning) this.stderr.write(file.warning, this.style.WARNING);
    try {
      const pieces = serializer.stream(objects, { ...options, onObject: bar ? () => bar.tick() : undefined });
      for await (const text of inLargePieces(pieces)) await file.write(text);
    } finally {
      bar?.stop();
      await file.close();
    }
  }
}

/** The serializer's pieces (one per object) joined into writes of about 64 KiB. */
async function* inLargePieces(pieces: AsyncIterable<string>): AsyncGenerator<string> {
  let buffer: string[] = [];
  let size = 0;
  for await (const piece of pieces) {
    buffer.push(piece);
    size += piece.length;
    if (size < 65_536) continue;
    yield buffer.join('');
    buffer = [];
    size = 0;
  }
  if (buffer.length) yield buffer.join('');
}

async function countAll(querysets: readonly QuerySet<ModelBase>[]): Promise<number> {
  let total = 0;
  for (const queryset of querysets) total += await queryset.orderBy().count();
  return total;
}
