/**
 * `nuages/test`: the test toolkit. Today: query-count assertions built on
 * `captureQueries()`; the test client, RequestFactory and TestCase helpers join here.
 */
export { assertNumQueries, assertMaxQueries } from './assert-num-queries.ts';
export type { AssertQueriesOptions } from './assert-num-queries.ts';
