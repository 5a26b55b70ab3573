/**
 * ContentType: one row per installed model (`django_content_type`, Django's schema), so
 * permissions and generic relations can point at a model by key.
 *
 * `ContentType.objects.getForModel(Book)` → per-database cache → one SELECT (or an INSERT
 * for a model migrate has not seen yet) → cached for the life of the database connection.
 */
import { apps } from '../../conf/apps.ts';
import { connections } from '../../db/connections.ts';
import { Model, type ModelBase } from '../../db/models/base.ts';
import { CharField } from '../../db/models/fields/text.ts';
import { QuerySet } from '../../db/models/query-set.ts';
import { Q } from '../../db/models/query-utils.ts';
import type { DatabaseWrapper } from '../../db/backends/base/connection.ts';

type ModelCtor = typeof ModelBase;

// Keyed by the connection wrapper, not the alias: a test that closes its connections and
// opens a fresh database gets a fresh cache, so ids from another database never leak in.
const caches = new WeakMap<DatabaseWrapper, Map<string | number, ContentType>>();

function cacheFor(alias: string): Map<string | number, ContentType> {
  const wrapper = connections.get(alias);
  let cache = caches.get(wrapper);
  if (!cache) caches.set(wrapper, (cache = new Map()));
  return cache;
}

function labelKey(appLabel: string, model: string): string {
  return `${appLabel}.${model}`;
}

/**
 * The manager of ContentType (`ContentType.objects`): look-ups by model class that are
 * cached per database, as Django's ContentTypeManager.
 */
export class ContentTypeManager extends QuerySet<ContentType> {
  /**
   * The content type of a model class (or instance), created if missing. Cached: the
   * second call for the same model on the same database sends no query.
   *
   * ```ts
   * const ct = await ContentType.objects.getForModel(Book);
   * // SELECT … FROM "django_content_type" WHERE ("app_label" = ? AND "model" = ?)   ['catalog', 'book']
   * ```
   */
  async getForModel(model: ModelCtor | ModelBase): Promise<ContentType> {
    const meta = metaOf(model);
    const cache = cacheFor(this.db);
    const cached = cache.get(labelKey(meta.appLabel, meta.modelName));
    if (cached) return cached;
    const [ct] = await this.getOrCreate({ appLabel: meta.appLabel, model: meta.modelName });
    addToCache(cache, ct);
    return ct;
  }

  /**
   * The content types of several models in one query (plus one INSERT per missing one),
   * as a Map from each model class given to its content type.
   */
  async getForModels(...models: readonly (ModelCtor | ModelBase)[]): Promise<Map<ModelCtor, ContentType>> {
    const cache = cacheFor(this.db);
    const result = new Map<ModelCtor, ContentType>();
    const missing = new Map<string, ModelCtor[]>();
    for (const model of models) {
      const cls = classOf(model);
      const meta = cls._meta;
      const key = labelKey(meta.appLabel, meta.modelName);
      const cached = cache.get(key);
      if (cached) result.set(cls, cached);
      else missing.set(key, [...(missing.get(key) ?? []), cls]);
    }
    if (missing.size === 0) return result;
    const condition = [...missing.values()]
      .map((group) => Q({ appLabel: group[0]!._meta.appLabel, model: group[0]!._meta.modelName }))
      .reduce((all, one) => all.or(one));
    for (const ct of await this.filter(condition)) {
      addToCache(cache, ct);
      for (const cls of missing.get(labelKey(ct.appLabel, ct.model)) ?? []) result.set(cls, ct);
      missing.delete(labelKey(ct.appLabel, ct.model));
    }
    for (const group of missing.values()) {
      const ct = await this.create({ appLabel: group[0]!._meta.appLabel, model: group[0]!._meta.modelName });
      addToCache(cache, ct);
      for (const cls of group) result.set(cls, ct);
    }
    return result;
  }

  /** The content type with this id, from the cache when it was seen before. */
  async getForId(id: number): Promise<ContentType> {
    const cache = cacheFor(this.db);
    const cached = cache.get(id);
    if (cached) return cached;
    const ct = await this.get({ pk: id });
    addToCache(cache, ct);
    return ct;
  }

  /** The content type named by its natural key, `('catalog', 'book')`. */
  async getByNaturalKey(appLabel: string, model: string): Promise<ContentType> {
    const cache = cacheFor(this.db);
    const cached = cache.get(labelKey(appLabel, model));
    if (cached) return cached;
    const ct = await this.get({ appLabel, model });
    addToCache(cache, ct);
    return ct;
  }

  /** Forget every cached content type of this database (after rows were changed by hand). */
  clearCache(): void {
    cacheFor(this.db).clear();
  }
}

function addToCache(cache: Map<string | number, ContentType>, ct: ContentType): void {
  cache.set(labelKey(ct.appLabel, ct.model), ct);
  cache.set(ct.id, ct);
}

function classOf(model: ModelCtor | ModelBase): ModelCtor {
  return (typeof model === 'function' ? model : model.constructor) as ModelCtor;
}

function metaOf(model: ModelCtor | ModelBase): ModelCtor['_meta'] {
  return classOf(model)._meta;
}

/**
 * One installed model, by app label and lower-case model name. Django's table and columns:
 * `django_content_type (id, app_label, model)`, unique together.
 */
export class ContentType extends Model<ContentType>()(
  {
    appLabel: new CharField({ maxLength: 100 }),
    model: new CharField({ maxLength: 100, verboseName: 'python model class name' }),
  },
  {
    appLabel: 'contenttypes',
    dbTable: 'django_content_type',
    uniqueTogether: [['appLabel', 'model']],
    verboseName: 'content type',
    verboseNamePlural: 'content types',
  },
) {
  static override objects = ContentTypeManager.asManager(this);

  /** The model class this row names, or undefined when that model is no longer installed. */
  modelClass(): ModelCtor | undefined {
    try {
      return apps.getModel(this.appLabel, this.model) as unknown as ModelCtor;
    } catch {
      return undefined;
    }
  }

  /** The model's verbose name, or the stored model name when it is not installed. */
  get name(): string {
    return this.modelClass()?._meta.verboseName ?? this.model;
  }

  /** `'Authentication and Authorization | user'`: the app's and the model's verbose names. */
  get appLabeledName(): string {
    const model = this.modelClass();
    if (!model) return this.model;
    return `${apps.findAppConfig(model._meta.appLabel)?.verboseName ?? model._meta.appLabel} | ${model._meta.verboseName}`;
  }

  /** One object of the model this content type names. */
  async getObjectForThisType(...conditions: Parameters<QuerySet<ModelBase>['get']>): Promise<ModelBase> {
    return this.#objects().get(...conditions);
  }

  /** Every object of the model this content type names, as a QuerySet. */
  getAllObjectsForThisType(...conditions: Parameters<QuerySet<ModelBase>['filter']>): QuerySet<ModelBase> {
    return this.#objects().filter(...conditions);
  }

  naturalKey(): [string, string] {
    return [this.appLabel, this.model];
  }

  override toString(): string {
    return this.appLabeledName;
  }

  #objects(): QuerySet<ModelBase> {
    const model = this.modelClass();
    if (!model) throw new ContentType.DoesNotExist(`The model ${this.appLabel}.${this.model} of this content type is not installed.`);
    return model.objects.using(this._state.db ?? 'default');
  }
}
