/**
 * Full-text search and trigram similarity on PostgreSQL, as Django's contrib.postgres has
 * them: `SearchVector`, `SearchQuery`, `SearchRank`, the `search` lookup on text fields
 * (`filter({ body__search: 'cheese' })`), `SearchVectorField` for a stored tsvector column,
 * and `TrigramSimilarity` / `TrigramDistance` / `trigramSimilar` with the pg_trgm extension.
 */
import type { DatabaseFeatures } from '../../db/backends/base/types.ts';
import type { Deconstruction } from '../../db/models/deconstruct.ts';
import { connections } from '../../db/connections.ts';
import { NotSupportedError, ProgrammingError } from '../../db/errors.ts';
import { Expression, FExpression, type ResolveContext } from '../../db/models/expressions.ts';
import { Field, type FieldLookup } from '../../db/models/fields/field.ts';
import { FloatField } from '../../db/models/fields/numeric.ts';
import { CharField, TextField } from '../../db/models/fields/text.ts';
import type { ExprNode } from '../../db/models/sql/nodes.ts';

/** Full-text search used on a database without it (SQLite). */
export class FullTextSearchNotSupportedError extends NotSupportedError {
  override readonly code: string = 'NUAGES_POSTGRES_SEARCH_NOT_SUPPORTED';
}

/** The pg_trgm extension is missing and could not be created. */
export class TrigramExtensionMissingError extends ProgrammingError {
  override readonly code: string = 'NUAGES_POSTGRES_TRIGRAM_MISSING';
}

function requireSearch(features: DatabaseFeatures | undefined, what: string): void {
  if (features && !features.hasFullTextSearch) {
    throw new FullTextSearchNotSupportedError(`${what} needs PostgreSQL full-text search; this database has none. Use icontains on SQLite.`);
  }
}

function param(value: string): ExprNode {
  return { kind: 'param', value };
}

function raw(sql: string, params: readonly ExprNode[]): ExprNode {
  return { kind: 'raw', sql, params };
}

/** A stored `tsvector` column (fill it with update({ field: new SearchVector(…) }) or a trigger). */
export class SearchVectorField<N extends boolean = false> extends Field<string, N> {
  readonly internalType: string = 'SearchVectorField';

  /** Written as `new SearchVectorField({ … })` imported from nuages/contrib/postgres. */
  deconstruct(): Deconstruction {
    return { path: 'nuages/contrib/postgres', name: 'SearchVectorField', args: [this.options] };
  }

  override customColumnType(_columnType: unknown, ops?: { readonly hasArrayTypes: boolean }): string {
    // tsvector comes with the array types: both are PostgreSQL's alone.
    if (ops && !ops.hasArrayTypes) requireSearch({ hasFullTextSearch: false } as DatabaseFeatures, `${this.label} (a SearchVectorField column)`);
    return 'tsvector';
  }

  /** `vector = query` means "matches": `@@`, with a plain string read as plainto_tsquery. */
  override getLookup(name: string): FieldLookup | undefined {
    if (name !== 'exact') return super.getLookup(name);
    return (lhs, value, context) => {
      requireSearch(context.features, `Filtering ${context.path}`);
      const query = value instanceof Expression ? value : new SearchQuery(String(value));
      return { kind: 'lookup', lookup: 'expression', lhs: raw('%s @@ %s', [lhs, context.param(query, searchQueryOutput)]), rhs: null };
    };
  }
}

/** The type of a SearchQuery expression. */
class SearchQueryField extends Field<string, boolean> {
  readonly internalType: string = 'SearchQueryField';
}

const searchVectorOutput = new SearchVectorField({ null: true });
const searchQueryOutput = new SearchQueryField({ null: true });
const floatOutput = new FloatField({ null: true });

export type SearchWeight = 'A' | 'B' | 'C' | 'D';

export interface SearchVectorOptions {
  /** A text search configuration (`'english'`, `'french'`); the server's default otherwise. */
  config?: string;
  weight?: SearchWeight;
}

/** `new SearchVector('title', 'body', { config: 'english' })`: the document text as a tsvector. */
export class SearchVector extends Expression {
  readonly sources: readonly Expression[];
  readonly config: string | undefined;
  readonly weight: SearchWeight | undefined;

  constructor(...args: [...(string | Expression)[], SearchVectorOptions] | (string | Expression)[]) {
    super();
    const last = args.at(-1);
    const options = last !== undefined && typeof last === 'object' && !(last instanceof Expression) ? (args.pop() as SearchVectorOptions) : {};
    if (!args.length) throw new TypeError('SearchVector needs at least one field name or expression.');
    this.sources = (args as (string | Expression)[]).map((a) => (typeof a === 'string' ? new FExpression(a) : a));
    this.config = options.config;
    this.weight = options.weight;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field } {
    requireSearch(context.features, 'SearchVector');
    const parts = this.sources.map((s) => s.resolve(context).node);
    const text = parts.map(() => "COALESCE((%s)::text, '')").join(" || ' ' || ");
    let node = this.config ? raw(`to_tsvector(%s::regconfig, ${text})`, [param(this.config), ...parts]) : raw(`to_tsvector(${text})`, parts);
    if (this.weight) node = raw('setweight(%s, %s)', [node, param(this.weight)]);
    return { node, field: searchVectorOutput };
  }
}

export type SearchType = 'plain' | 'phrase' | 'raw' | 'websearch';

const QUERY_FUNCTIONS: Readonly<Record<SearchType, string>> = {
  plain: 'plainto_tsquery',
  phrase: 'phraseto_tsquery',
  raw: 'to_tsquery',
  websearch: 'websearch_to_tsquery',
};

export interface SearchQueryOptions {
  config?: string;
  /** How the text is read: words (plain, the default), a phrase, tsquery syntax (raw), or web-search syntax. */
  searchType?: SearchType;
  /** Matches documents that do NOT match the query. */
  invert?: boolean;
}

/** `new SearchQuery('cheese', { searchType: 'websearch' })`: the search terms as a tsquery. */
export class SearchQuery extends Expression {
  readonly value: string;
  readonly config: string | undefined;
  readonly searchType: SearchType;
  readonly invert: boolean;

  constructor(value: string, options: SearchQueryOptions = {}) {
    super();
    this.value = value;
    this.config = options.config;
    this.searchType = options.searchType ?? 'plain';
    this.invert = options.invert ?? false;
    if (!(this.searchType in QUERY_FUNCTIONS)) throw new TypeError(`SearchQuery: unknown searchType '${this.searchType}'; use plain, phrase, raw or websearch.`);
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field } {
    requireSearch(context.features, 'SearchQuery');
    const fn = QUERY_FUNCTIONS[this.searchType];
    const node = this.config ? raw(`${fn}(%s::regconfig, %s)`, [param(this.config), param(this.value)]) : raw(`${fn}(%s)`, [param(this.value)]);
    return { node: this.invert ? raw('!!(%s)', [node]) : node, field: searchQueryOutput };
  }
}

export interface SearchRankOptions {
  /** Weights of D, C, B, A labels, as ts_rank takes them (default {0.1, 0.2, 0.4, 1.0}). */
  weights?: readonly [number, number, number, number];
  normalization?: number;
  /** ts_rank_cd (cover density) instead of ts_rank. */
  coverDensity?: boolean;
}

/** `new SearchRank(vector, query)`: how well each row matches, for orderBy('-rank'). */
export class SearchRank extends Expression {
  readonly vector: Expression;
  readonly query: Expression;
  readonly options: SearchRankOptions;

  constructor(vector: Expression | string, query: Expression | string, options: SearchRankOptions = {}) {
    super();
    this.vector = typeof vector === 'string' ? new SearchVector(vector) : vector;
    this.query = typeof query === 'string' ? new SearchQuery(query) : query;
    this.options = options;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field } {
    requireSearch(context.features, 'SearchRank');
    const fn = this.options.coverDensity ? 'ts_rank_cd' : 'ts_rank';
    const vector = this.vector.resolve(context).node;
    const query = this.query.resolve(context).node;
    const args: ExprNode[] = [];
    let sql = `${fn}(`;
    if (this.options.weights) {
      sql += `${weightsArray(this.options.weights)}, `;
    }
    sql += '%s, %s';
    args.push(vector, query);
    if (this.options.normalization !== undefined) {
      sql += `, ${Math.trunc(this.options.normalization)}`;
    }
    return { node: raw(`${sql})`, args), field: floatOutput };
  }
}

function weightsArray(weights: readonly number[]): string {
  if (!weights.every((w) => Number.isFinite(w))) throw new TypeError('SearchRank weights must be four numbers.');
  return `'{${weights.join(',')}}'::float4[]`;
}

/** `body__search: 'cheese'` or a SearchQuery: to_tsvector(body) @@ the query. */
const searchLookup: FieldLookup = (lhs, value, context) => {
  requireSearch(context.features, `The search lookup in ${context.path}`);
  const query = value instanceof SearchQuery ? value : new SearchQuery(String(value));
  const vector = query.config ? raw("to_tsvector(%s::regconfig, COALESCE((%s)::text, ''))", [param(query.config), lhs]) : raw("to_tsvector(COALESCE((%s)::text, ''))", [lhs]);
  return { kind: 'lookup', lookup: 'expression', lhs: raw('%s @@ %s', [vector, context.param(query, searchQueryOutput)]), rhs: null };
};

/** `name__trigramSimilar: 'jonh'`: pg_trgm's `%` operator (similarity above pg_trgm.similarity_threshold). */
const trigramSimilarLookup: FieldLookup = (lhs, value, context) => {
  requireSearch(context.features, `The trigramSimilar lookup in ${context.path}`);
  return { kind: 'lookup', lookup: 'expression', lhs: raw('%s % %s', [lhs, param(String(value))]), rhs: null };
};

CharField.registerLookup('search', searchLookup);
TextField.registerLookup('search', searchLookup);
CharField.registerLookup('trigramSimilar', trigramSimilarLookup);
TextField.registerLookup('trigramSimilar', trigramSimilarLookup);

abstract class TrigramBase extends Expression {
  readonly expression: Expression;
  readonly text: string;

  constructor(expression: string | Expression, text: string) {
    super();
    this.expression = typeof expression === 'string' ? new FExpression(expression) : expression;
    this.text = text;
  }

  protected abstract readonly template: string;

  resolve(context: ResolveContext): { node: ExprNode; field: Field } {
    requireSearch(context.features, this.constructor.name);
    return { node: raw(this.template, [this.expression.resolve(context).node, param(this.text)]), field: floatOutput };
  }
}

/** `new TrigramSimilarity('name', 'jonh')`: pg_trgm's similarity(), 0 to 1. Needs ensureTrigramExtension(). */
export class TrigramSimilarity extends TrigramBase {
  protected readonly template = 'SIMILARITY(%s, %s)';
}

/** `new TrigramDistance('name', 'jonh')`: 1 − similarity, pg_trgm's `<->`. */
export class TrigramDistance extends TrigramBase {
  protected readonly template = '(%s <-> %s)';
}

/**
 * Creates the pg_trgm extension if it is missing (CREATE EXTENSION IF NOT EXISTS), as
 * Django's TrigramExtension migration does; throws TrigramExtensionMissingError with what
 * to ask the database administrator when the role may not create it.
 */
export async function ensureTrigramExtension(using = 'default'): Promise<void> {
  const connection = connections.get(using);
  if (connection.vendor !== 'postgres') {
    throw new FullTextSearchNotSupportedError(`Trigram similarity needs PostgreSQL with pg_trgm; the '${using}' database is ${connection.vendor}.`);
  }
  try {
    await connection.executeScript('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  } catch (error) {
    throw new TrigramExtensionMissingError(
      `The pg_trgm extension is not installed in the '${using}' database and could not be created (${(error as Error).message}). ` +
        `Ask an administrator to run CREATE EXTENSION pg_trgm in that database, or install the postgresql-contrib package.`,
      { cause: error, alias: using },
    );
  }
  // An extension lives in one schema per database; its functions must be on this connection's search_path.
  const row = await connection.fetchOne({
    sql: "SELECT to_regproc('similarity') IS NOT NULL, n.nspname, current_setting('search_path') FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'",
    params: [],
  }, 'read');
  if (row && row[0] !== true) {
    throw new TrigramExtensionMissingError(
      `pg_trgm is installed in the schema '${String(row[1])}', which is not on the search_path of the '${using}' connection (${String(row[2])}). ` +
        `Add '${String(row[1])}' to the role's search_path (ALTER ROLE … SET search_path), or move the extension with ALTER EXTENSION pg_trgm SET SCHEMA.`,
      { alias: using },
    );
  }
}
