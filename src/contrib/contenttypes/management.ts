/**
 * What contenttypes does after `migrate`: one ContentType row per model of each app
 * (Django's create_contenttypes, a postMigrate receiver). Rows of models that no longer
 * exist are left alone, as Django leaves them to `remove_stale_contenttypes`.
 */
import { Apps, type AppConfig } from '../../conf/apps.ts';
import type { ModelBase } from '../../db/models/base.ts';
import { withoutAutoCreated } from '../../db/models/options.ts';
import { router } from '../../db/routers.ts';
import type { MigrateArgs } from '../../db/models/signals.ts';
import { ContentType } from './models.ts';

type ModelCtor = typeof ModelBase;

/**
 * The models of an app that get content types and permissions: concrete, not swapped out,
 * and not the join models Nuages creates for many-to-many fields (Django's get_models()).
 */
export function appModels(appConfig: AppConfig): ModelCtor[] {
  const models = withoutAutoCreated(appConfig.getModels() as unknown as ModelCtor[]);
  return models.filter((model) => !model._meta.abstract && model._meta.swapped === undefined);
}

/**
 * Whether the historical models a `postMigrate` receiver got include `appLabel.modelName`.
 * Migrating an app back to zero still sends `postMigrate`; its tables are gone by then.
 */
export function migratedModelExists(historical: unknown, appLabel: string, modelName: string): boolean {
  if (!(historical instanceof Apps)) return true;
  try {
    historical.getModel(appLabel, modelName);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the missing content types of the app a `postMigrate` was sent for. Connected by
 * the contenttypes app; auth's permission receiver calls it first for the same app.
 */
export async function createContentTypes(args: MigrateArgs): Promise<void> {
  const appConfig = args.appConfig as AppConfig;
  const using = args.using;
  if (!migratedModelExists(args.apps, 'contenttypes', 'ContentType')) return;
  if (!router.allowMigrateModel(using, ContentType)) return;
  const models = appModels(appConfig);
  if (models.length === 0) return;
  const manager = ContentType.objects.using(using);
  manager.clearCache();
  const existing = new Set((await manager.filter({ appLabel: appConfig.label }).valuesList<string>('model', { flat: true })) as string[]);
  const created = models
    .filter((model) => !existing.has(model._meta.modelName))
    .map((model) => new ContentType({ appLabel: appConfig.label, model: model._meta.modelName }));
  if (created.length === 0) return;
  await manager.bulkCreate(created);
  if (args.verbosity >= 2) for (const ct of created) args.stdout?.write(`Adding content type '${ct.appLabel} | ${ct.model}'`);
}
