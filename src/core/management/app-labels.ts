/**
 * `app_label` and `app_label.ModelName` arguments, as dumpdata's and loaddata's
 * `--exclude` take them (Django's parse_apps_and_model_labels).
 */
import { apps, type AppConfig } from '../../conf/apps.ts';
import type { ModelBase } from '../../db/models/base.ts';
import { CommandError } from './base.ts';
import { getAppConfigOrFail } from './label-command.ts';

type ModelCtor = typeof ModelBase;

/** The model `label` ('app.Model', any case) names. @throws CommandError "Unknown model: app.Model" */
export function modelFor(label: string): ModelCtor {
  const [appLabel, modelName] = label.split('.');
  const config = apps.findAppConfig(appLabel ?? '');
  const model = config?.getModels().find((m) => m.name.toLowerCase() === modelName?.toLowerCase());
  if (!model || label.split('.').length !== 2) throw new CommandError(`Unknown model: ${label}`);
  return model as unknown as ModelCtor;
}

/** The models and apps `labels` name, each an app label or `app_label.ModelName`. */
export function parseAppsAndModelLabels(labels: readonly string[]): { models: Set<ModelCtor>; apps: Set<AppConfig> } {
  const models = new Set<ModelCtor>();
  const configs = new Set<AppConfig>();
  for (const label of labels) {
    if (label.includes('.')) models.add(modelFor(label));
    else configs.add(getAppConfigOrFail(label));
  }
  return { models, apps: configs };
}

/** Commander's parser for a repeatable label option (`-e auth -e shelf.tag`): the values in order. */
export function appendLabel(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}
