/**
 * Per-test database isolation for node:test, as Django's TestCase and TransactionTestCase.
 *
 * useTestCase(): before the suite → a transaction on each database, shared by every async
 * context (hooks, test bodies, requests of a live server) → `setUpTestData()` once → per
 * test: a savepoint and a fresh deep copy of the data → rolled back after the test → the
 * suite's transaction rolled back after the suite. Nothing is ever committed.
 *
 * useTransactionTestCase(): tests really commit; after each test every table of the
 * installed models is emptied (sequences reset) and `postMigrate` runs again, as `flush`.
 */
import { after, afterEach, before, beforeEach } from 'node:test';
import { NuagesError } from '../core/errors.ts';
import { callCommand } from '../core/management/call-command.ts';
import { DEFAULT_DB_ALIAS } from '../db/connections.ts';
import { beginTestTransaction, pendingCommitHooks, runCommitHooks, type TestTransaction } from '../db/transaction.ts';
import type { CommitHook } from '../db/backends/base/connection.ts';
import { deepCopy } from './copy.ts';

/** `data` read outside a test of the suite that declared it, or a test transaction misused. */
export class TestCaseSetupError extends NuagesError {
  readonly code = 'NUAGES_TEST_CASE_SETUP';
}

/** Options of {@link useTestCase}. */
export interface TestCaseOptions<T extends object> {
  /** The database aliases the tests use (default `['default']`): each gets its transaction. */
  readonly databases?: readonly string[];
  /**
   * Creates the suite's shared objects once, inside the suite's transaction (Django's
   * setUpTestData). Each test reads a deep copy of what it returns.
   */
  readonly setUpTestData?: () => T | Promise<T>;
}

/** Options of {@link useTransactionTestCase}. */
export interface TransactionTestCaseOptions {
  /** The database aliases the tests use (default `['default']`): each is emptied after each test. */
  readonly databases?: readonly string[];
}

/**
 * Runs each test of the enclosing `describe()` in a transaction rolled back after it; call
 * it at the top of the `describe()` body. Returns the objects `setUpTestData()` made, as
 * the current test's own copy: changing `data.book` in memory does not reach the next test,
 * and writes to the database are undone.
 *
 * ```ts
 * describe('orders', () => {
 *   const data = useTestCase({ setUpTestData: async () => ({ book: await Book.objects.create({ title: 'Dune' }) }) });
 *   test('renames', async () => { data.book.title = 'Emma'; await data.book.save(); });
 *   test('sees the original', async () => { assert.equal((await Book.objects.get({ pk: data.book.pk })).title, 'Dune'); });
 * });
 * ```
 *
 * onCommit() callbacks registered in a test never run (nothing commits): check them with
 * {@link captureOnCommitCallbacks}. `atomic({ durable: true })` works inside a test.
 */
export function useTestCase<T extends object = Record<never, never>>(options: TestCaseOptions<T> = {}): T {
  const aliases = options.databases ?? [DEFAULT_DB_ALIAS];
  const suite: TestTransaction[] = [];
  const perTest: TestTransaction[] = [];
  let original: T | undefined;
  let current: T | undefined;
  before(async () => {
    await openAll(aliases, suite);
    original = options.setUpTestData === undefined ? ({} as T) : await options.setUpTestData();
  });
  beforeEach(async () => {
    await openAll(aliases, perTest);
    current = original === undefined ? undefined : deepCopy(original);
  });
  afterEach(async () => {
    current = undefined;
    await rollbackAll(perTest);
  });
  after(async () => {
    original = undefined;
    await rollbackAll(suite);
  });
  return dataView(() => current);
}

async function openAll(aliases: readonly string[], opened: TestTransaction[]): Promise<void> {
  for (const alias of aliases) opened.push(await beginTestTransaction(alias));
}

async function rollbackAll(opened: TestTransaction[]): Promise<void> {
  let failure: { error: unknown } | undefined;
  // Every alias rolls back even when one fails, so the next test does not start inside it.
  for (let handle = opened.pop(); handle !== undefined; handle = opened.pop()) {
    try {
      await handle.rollback();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== undefined) throw failure.error;
}

/** The object a suite's tests read: each property read goes to the running test's copy. */
function dataView<T extends object>(read: () => T | undefined): T {
  const target = (): T => {
    const data = read();
    if (data === undefined) {
      throw new TestCaseSetupError(
        'The test data of useTestCase() was read outside a test of the describe() that declared it. ' +
          'Read it inside test() or the beforeEach/afterEach hooks of that describe().',
      );
    }
    return data;
  };
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(target(), key) as unknown,
    set: (_, key, value) => Reflect.set(target(), key, value),
    has: (_, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      // The proxy's own (empty) target must accept the key as configurable.
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
    deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
  });
}

/**
 * Lets the tests of the enclosing `describe()` commit for real (for code that needs
 * commits: onCommit callbacks, other connections, several processes), then empties every
 * table of the installed models after each test, resetting auto-increment sequences, and
 * sends `postMigrate` so content types and permissions exist again (as `manage.ts flush`).
 *
 * Rows a migration inserted are not restored (Django's `serialized_rollback` has no
 * counterpart): create them in the test, or use {@link useTestCase}.
 */
export function useTransactionTestCase(options: TransactionTestCaseOptions = {}): void {
  const aliases = options.databases ?? [DEFAULT_DB_ALIAS];
  const quiet = { write() {} };
  afterEach(async () => {
    for (const alias of aliases) await callCommand('flush', '--noinput', { database: alias, verbosity: 0, stdout: quiet });
  });
}

/** Options of {@link captureOnCommitCallbacks}. */
export interface CaptureOnCommitOptions {
  /** The database alias; `'default'` when omitted. */
  readonly using?: string;
  /** Run the captured callbacks after `fn`, and those they register in turn. */
  readonly execute?: boolean;
}

/**
 * The onCommit() callbacks registered while `fn` runs (in a useTestCase test, where nothing
 * commits), in order. With `execute: true` they run after `fn` as a commit would run them
 * (robust ones log their errors), and callbacks they register run too and are returned.
 *
 * ```ts
 * const callbacks = await captureOnCommitCallbacks({ execute: true }, () => client.post('/contact/', { … }));
 * assert.equal(callbacks.length, 1);
 * assert.equal(mail.outbox.length, 1);
 * ```
 */
export async function captureOnCommitCallbacks(
  options: CaptureOnCommitOptions,
  fn: () => unknown,
): Promise<Array<() => unknown>> {
  const using = options.using ?? DEFAULT_DB_ALIAS;
  const seen = new Set<CommitHook>(pendingCommitHooks(using));
  await fn();
  const callbacks: Array<() => unknown> = [];
  for (;;) {
    const added = pendingCommitHooks(using).filter((hook) => !seen.has(hook));
    if (added.length === 0) return callbacks;
    for (const hook of added) {
      seen.add(hook);
      callbacks.push(hook.fn);
    }
    if (options.execute !== true) return callbacks;
    await runCommitHooks(added, using);
  }
}
