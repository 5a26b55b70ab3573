/**
 * `nuages/contrib/contenttypes`: a row per installed model, for permissions and generic
 * relations. Add `'nuages/contrib/contenttypes'` to INSTALLED_APPS; `migrate` creates the
 * rows for every model.
 *
 * ```ts
 * import { ContentType } from 'nuages/contrib/contenttypes';
 * const ct = await ContentType.objects.getForModel(Book);   // cached per database
 * ```
 */
export { ContentType, ContentTypeManager } from './models.ts';
export { appModels, createContentTypes } from './management.ts';
