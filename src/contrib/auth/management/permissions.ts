/**
 * What auth does after `migrate` (Django's create_permissions, a postMigrate receiver): the
 * content types of the app's models first, then their permissions — `defaultPermissions`
 * (add, change, delete, view: "Can add book", `add_book`) and the `permissions` option.
 * Existing permissions are left alone; renamed ones are not updated, as in Django.
 */
import type { AppConfig } from '../../../conf/apps.ts';
import type { ModelBase } from '../../../db/models/base.ts';
import type { MigrateArgs } from '../../../db/models/signals.ts';
import { router } from '../../../db/routers.ts';
import { appModels, createContentTypes, migratedModelExists } from '../../contenttypes/management.ts';
import { ContentType } from '../../contenttypes/models.ts';
import { Permission } from '../models.ts';

type ModelCtor = typeof ModelBase;

/** Django's get_permission_codename: `'add'` on Book → `'add_book'`. */
export function getPermissionCodename(action: string, meta: ModelCtor['_meta']): string {
  return `${action}_${meta.modelName}`;
}

/** Every permission `migrate` creates for a model, as `[codename, name]`. */
export function modelPermissions(model: ModelCtor): [string, string][] {
  const meta = model._meta;
  const builtin = meta.defaultPermissions.map((action): [string, string] => [getPermissionCodename(action, meta), `Can ${action} ${meta.verboseName}`]);
  return [...builtin, ...meta.permissions.map(([codename, name]): [string, string] => [codename, name])];
}

/** Creates the missing content types and permissions of the app a `postMigrate` was sent for. */
export async function createPermissions(args: MigrateArgs): Promise<void> {
  const appConfig = args.appConfig as AppConfig;
  await createContentTypes(args);
  if (!migratedModelExists(args.apps, 'contenttypes', 'ContentType') || !migratedModelExists(args.apps, 'auth', 'Permission')) return;
  const using = args.using;
  if (!router.allowMigrateModel(using, Permission)) return;
  const models = appModels(appConfig);
  if (models.length === 0) return;
  const contentTypes = await ContentType.objects.using(using).getForModels(...models);
  const wanted: [ContentType, string, string][] = models.flatMap((model) =>
    modelPermissions(model).map(([codename, name]): [ContentType, string, string] => [contentTypes.get(model)!, codename, name]),
  );
  const ids = [...new Set(wanted.map(([ct]) => ct.id))];
  const rows = (await Permission.objects.using(using).filter({ contentType__in: ids }).orderBy().valuesList('contentType', 'codename')) as unknown as [
    number,
    string,
  ][];
  const existing = new Set(rows.map(([ct, codename]) => `${ct}:${codename}`));
  const created = wanted
    .filter(([ct, codename]) => !existing.has(`${ct.id}:${codename}`))
    .map(([contentType, codename, name]) => {
      const permission = new Permission({ codename, name });
      permission.contentType = contentType;
      return permission;
    });
  if (created.length === 0) return;
  await Permission.objects.using(using).bulkCreate(created);
  if (args.verbosity >= 2) for (const permission of created) args.stdout?.write(`Adding permission '${String(permission)}'`);
}
