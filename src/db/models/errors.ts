/** Errors of the model layer, each naming the model and field and the fix. */
import { NuagesError } from '../../core/errors.ts';

/** A relation was read synchronously but never loaded. */
export class RelationNotLoadedError extends NuagesError {
  readonly code = 'NUAGES_DB_RELATION_NOT_LOADED';
  constructor(model: string, field: string) {
    super(
      `${model}.${field} was not loaded. Add .selectRelated('${field}') or .prefetchRelated('${field}') to the ` +
        `query, or await obj.fetchRelated('${field}').`,
    );
  }
}

/** A field left out by only()/defer() was read synchronously. */
export class DeferredFieldError extends NuagesError {
  readonly code = 'NUAGES_DB_DEFERRED_FIELD';
  constructor(model: string, field: string) {
    super(
      `${model}.${field} was deferred by only()/defer() and is not loaded. Include it in only('${field}', …), ` +
        `remove it from defer(), or await obj.refreshFromDb({ fields: ['${field}'] }).`,
    );
  }
}

/** A model is used without an app label: Django's "doesn't declare an explicit app_label". */
export class ModelNotInAppError extends NuagesError {
  readonly code = 'NUAGES_DB_MODEL_NOT_IN_APP';
  constructor(model: string) {
    super(
      `Model ${model} isn't in an application in INSTALLED_APPS and doesn't declare an app label. ` +
        `Export it from an installed app's models.ts, or pass { appLabel: 'myapp' } in its options.`,
    );
  }
}

/** save()/delete() used in a way that cannot work (unsaved related object, no pk…). */
export class ModelStateError extends NuagesError {
  readonly code = 'NUAGES_DB_MODEL_STATE';
}

/** OuterRef() resolved in a query that is not the inner query of a Subquery or Exists. */
export class OuterRefOutsideSubqueryError extends NuagesError {
  readonly code = 'NUAGES_DB_OUTER_REF_OUTSIDE_SUBQUERY';
  constructor(name: string) {
    super(
      `OuterRef('${name}') refers to an outer query, but this query is not used as a subquery. ` +
        `Wrap the QuerySet in Subquery(...) or Exists(...) inside another query's filter() or annotate().`,
    );
  }
}
