/**
 * `nuages/test`: the test toolkit: query-count assertions built on
 * `captureQueries()`, the in-process test `Client` and `RequestFactory`,
 * `setupTestDatabase()` (test databases built by migration), `runSystemChecks()`,
 * `useMailOutbox()` (mail kept in the outbox, emptied per test), assertions with
 * Django's names (assertContains, assertRedirects, assertHTMLEqual…), settings for
 * tests (`useSettings()`, `modifySettings()`), `loadFixtures()`, a frozen clock
 * (`useFrozenTime()`), outbound HTTP mocks (`useHttpMock()`), a live server and a real
 * browser (`useLiveServer()`, `useBrowser()`); model factories (`factory()`, `subFactory()`…);
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
export { createTestDatabases, setupTestEnvironment, teardownTestEnvironment, useTestDatabase } from './database.ts';
export type { TestDatabaseOptions, TestDatabases, TestEnvironment, TestEnvironmentOptions } from './database.ts';
export { captureOnCommitCallbacks, TestCaseSetupError, useTestCase, useTransactionTestCase } from './testcase.ts';
export type { CaptureOnCommitOptions, TestCaseOptions, TransactionTestCaseOptions } from './testcase.ts';
export { runSystemChecks } from './checks.ts';
export type { RunSystemChecksOptions } from './checks.ts';
export { useMailOutbox } from './mail.ts';
export { assertContains, assertNotContains, assertRedirects, assertTemplateUsed, assertTemplateNotUsed } from './assertions/responses.ts';
export type { ClientResponse, ContainsOptions, RedirectOptions, TemplateUsedOptions } from './assertions/responses.ts';
export { assertHTMLEqual, assertHTMLNotEqual, assertInHTML } from './assertions/html.ts';
export type { InHTMLOptions } from './assertions/html.ts';
export { assertJSONEqual, assertJSONNotEqual } from './assertions/json.ts';
export { assertQuerySetEqual } from './assertions/querysets.ts';
export type { QuerySetEqualOptions } from './assertions/querysets.ts';
export { assertFormError, assertFormSetError } from './assertions/forms.ts';
export { assertLogs, assertNoLogs } from './assertions/logs.ts';
export type { CapturedLogs } from './assertions/logs.ts';
export { assertWarns } from './assertions/warnings.ts';
export type { CapturedWarning, WarningMatcher } from './assertions/warnings.ts';
export { parseHtml, HTMLParseError } from './html/parser.ts';
export { modifySettings, useModifiedSettings, useSettings } from './settings.ts';
export type { ListEdit, ListEdits } from './settings.ts';
export { overrideSettings } from '../conf/lazy-settings.ts';
export { loadFixtures } from './fixtures.ts';
export type { LoadFixturesOptions } from './fixtures.ts';
export { TestToolMisuseError } from './errors.ts';
export { freezeTime, useFrozenTime } from './clock.ts';
export type { FrozenClock, Instant } from './clock.ts';
export { mockHttp, useHttpMock } from './http-mock.ts';
export type { HttpMock, HttpMockOptions, Interception, InterceptOptions, UseHttpMockOptions } from './http-mock.ts';
export { startLiveServer, useLiveServer } from './live-server.ts';
export type { LiveServer, LiveServerOptions, StartedLiveServer } from './live-server.ts';
export { BrowserUnavailableError, chromiumPath, launchBrowser, useBrowser } from './browser.ts';
export type { BrowserOptions, BrowserSession, UseBrowserOptions } from './browser.ts';
export * from './factories/index.ts';
