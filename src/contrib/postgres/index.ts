/**
 * `nuages/contrib/postgres`: what only PostgreSQL has, as Django's django.contrib.postgres —
 * ArrayField, GIN/GiST/BRIN/B-tree/hash indexes, full-text search and trigram similarity.
 * Importing it registers the `search` and `trigramSimilar` lookups on CharField and TextField.
 */
export { ArrayField, ArrayFieldNotSupportedError, arrayLiteral, type ArrayFieldOptions } from './fields/array.ts';
export { BTreeIndex, BrinIndex, GinIndex, GistIndex, HashIndex, type PostgresIndexOptions } from './indexes.ts';
export {
  SearchVector, SearchQuery, SearchRank, SearchVectorField, TrigramSimilarity, TrigramDistance, ensureTrigramExtension,
  FullTextSearchNotSupportedError, TrigramExtensionMissingError,
  type SearchVectorOptions, type SearchQueryOptions, type SearchRankOptions, type SearchType, type SearchWeight,
} from './search.ts';
