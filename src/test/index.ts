/**
 * `nuages/test`: the test toolkit: query-count assertions built on
 * `captureQueries()`, the in-process test `Client` and `RequestFactory`,
 * `setupTestDatabase()` (test databases built by migration), `runSystemChecks()`,
 * `useMailOutbox()` (mail kept in the outbox, emptied per test);
 * TestCase helpers join here.
 */
export { assertNumQueries, assertMaxQueries } from './assert-num-queries.ts';
export type { AssertQueriesOptions } from './assert-num-queries.ts';
export { Client, TestClientError } from './client.ts';
export type { ClientOptions, ClientRequestOptions, TestResponse, TestResponseExtras } from './client.ts';
export { RequestFactory, MULTIPART_CONTENT, urlencode } from './request-factory.ts';
export type { FieldValue, RequestData, RequestFactoryOptions, RequestOptions } from './request-factory.ts';
export { setupTestDatabase } from './database.ts';
export type { SetupTestDatabaseOptions, TestDatabaseReport } from './database.ts';
export { runSystemChecks } from './checks.ts';
export type { RunSystemChecksOptions } from './checks.ts';
export { useMailOutbox } from './mail.ts';
