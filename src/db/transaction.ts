/**
 * Transactions bound to the async context: `atomic()`, `onCommit()`, `setRollback()`.
 *
 * atomic(fn) → BEGIN (outermost) or SAVEPOINT (nested) → fn runs with the block as the
 * current block of its async context → COMMIT / RELEASE, or ROLLBACK / ROLLBACK TO on a
 * throw or `setRollback(true)` → onCommit hooks after the outermost COMMIT.
 *
 * Every statement issued inside `fn`, through any depth of awaits, `Promise.all`
 * branches included, runs in the transaction; other async flows never see it. Nested
 * atomic blocks opened by parallel branches of one transaction run one at a time (a
 * savepoint stack cannot interleave); statements of a branch wait while a sibling
 * branch's nested block is open, so a rollback in one branch never undoes another's writes.
 */
import type { CommitHook, DatabaseWrapper } from './backends/base/connection.ts';
import { AtomicBlock, TransactionState } from './backends/base/connection.ts';
import { connections, DEFAULT_DB_ALIAS } from './connections.ts';
import { NestedDurableAtomicError, TransactionManagementError } from './errors.ts';

/** Options of {@link atomic}. */
export interface AtomicOptions {
  /** The database alias; `'default'` when omitted. */
  readonly using?: string;
  /**
   * When nested, open a savepoint so a throw rolls back only this block (default true).
   * With `false`, a throw marks the enclosing block for rollback instead.
   */
  readonly savepoint?: boolean;
  /** Refuse to run nested in another atomic block: the block's commit is final on exit. */
  readonly durable?: boolean;
  /**
   * For the test toolkit's per-test transaction: durable blocks may nest directly inside
   * it, as Django's TestCase allows.
   */
  readonly fromTestCase?: boolean;
}

/** Options of {@link onCommit}. */
export interface OnCommitOptions {
  /** The database alias; `'default'` when omitted. */
  readonly using?: string;
  /** Log and swallow an error from the callback instead of throwing it from atomic(). */
  readonly robust?: boolean;
  /**
   * Run once per transaction for this key: callbacks given the same key are taken to do
   * the same work, so a later one is dropped when an earlier one is sure to run whenever
   * it would. None is lost to a savepoint rollback: a callback registered in a rolled-back
   * savepoint no longer stands in for one registered outside it. Outside a transaction
   * the callback runs at once, as without a key.
   */
  readonly key?: string;
}

/** A keyed onCommit hook; `block` moves up to the parent when its savepoint is released. */
interface KeyedHook {
  readonly fn: () => unknown;
  readonly robust: boolean;
  readonly key: string;
  block: AtomicBlock;
}

// The keyed hooks of each open transaction, by key: the index that makes keyed onCommit O(1) per call.
const keyedHooks = new WeakMap<TransactionState, Map<string, KeyedHook[]>>();

/** Options naming a database alias. */
export interface UsingOptions {
  /** The database alias; `'default'` when omitted. */
  readonly using?: string;
}

function wrapperFor(using: string | undefined): DatabaseWrapper {
  return connections.get(using ?? DEFAULT_DB_ALIAS);
}

async function runAtomic<T>(fn: () => T | Promise<T>, options: AtomicOptions): Promise<Awaited<T>> {
  const wrapper = wrapperFor(options.using);
  const parent = wrapper.currentBlock();
  if (parent === undefined) {
    const transaction = new TransactionState(wrapper.alias);
    transaction.root.fromTestCase = options.fromTestCase === true;
    await wrapper.beginTransaction(transaction);
    return runOutermost(wrapper, transaction, fn);
  }
  if (options.durable === true && !parent.fromTestCase) throw new NestedDurableAtomicError(wrapper.alias);
  if (options.savepoint === false) {
    const block = new AtomicBlock(parent.transaction, parent, null);
    block.fromTestCase = options.fromTestCase === true;
    try {
      return await wrapper.runInBlock(block, fn);
    } catch (error) {
      // No savepoint to undo this block alone: the enclosing one must roll back (Django).
      block.scope.needsRollback = true;
      throw error;
    }
  }
  return runSavepoint(wrapper, parent, fn, options);
}

async function runOutermost<T>(
  wrapper: DatabaseWrapper,
  transaction: TransactionState,
  fn: () => T | Promise<T>,
): Promise<Awaited<T>> {
  const root = transaction.root;
  let result: Awaited<T> | undefined;
  let failure: { error: unknown } | undefined;
  try {
    result = await wrapper.runInBlock(root, fn);
  } catch (error) {
    failure = { error };
  }
  try {
    // A branch that escaped fn without being awaited may still hold a nested savepoint.
    while (transaction.top !== root) await transaction.waitForTurn(root, wrapper.lockTimeoutMs);
  } catch (error) {
    failure ??= { error };
  }
  if (failure === undefined && !root.needsRollback) {
    try {
      await wrapper.commitTransaction(transaction);
    } catch (error) {
      await rollbackQuietly(wrapper, transaction);
      throw error;
    }
    await runHooks(wrapper, transaction.hooks);
    return result as Awaited<T>;
  }
  try {
    await wrapper.rollbackTransaction(transaction);
  } catch (error) {
    failure ??= { error };
  }
  root.needsRollback = false;
  transaction.hooks = [];
  if (failure !== undefined) throw failure.error;
  return result as Awaited<T>;
}

async function rollbackQuietly(wrapper: DatabaseWrapper, transaction: TransactionState): Promise<void> {
  try {
    await wrapper.rollbackTransaction(transaction);
  } catch {
    // The commit error is the one worth reporting.
  }
}

async function runSavepoint<T>(
  wrapper: DatabaseWrapper,
  parent: AtomicBlock,
  fn: () => T | Promise<T>,
  options: AtomicOptions,
): Promise<Awaited<T>> {
  const transaction = parent.transaction;
  // Check and claim synchronously after the last await, so a sibling branch cannot slip in.
  while (!parent.isWithin(transaction.top)) await transaction.waitForTurn(parent, wrapper.lockTimeoutMs);
  transaction.assertUsable(parent);
  const name = transaction.nextSavepointName();
  const block = new AtomicBlock(transaction, parent, name);
  block.fromTestCase = options.fromTestCase === true;
  const restoreTop = () => transaction.setTop(parent.scope);
  const created = wrapper.createSavepoint(transaction, name);
  transaction.setTop(block);
  try {
    await created;
  } catch (error) {
    restoreTop();
    throw error;
  }

  let result: Awaited<T> | undefined;
  let failure: { error: unknown } | undefined;
  try {
    result = await wrapper.runInBlock(block, fn);
  } catch (error) {
    failure = { error };
  }
  try {
    while (transaction.top !== block) await transaction.waitForTurn(block, wrapper.lockTimeoutMs);
  } catch (error) {
    failure ??= { error };
  }
  try {
    if (failure === undefined && !block.needsRollback) {
      try {
        await wrapper.releaseSavepoint(transaction, name);
        liftKeyedHooks(block);
      } catch (error) {
        failure = { error };
        await undoSavepoint(wrapper, block, name);
      }
    } else {
      await undoSavepoint(wrapper, block, name);
    }
  } finally {
    block.needsRollback = false;
    restoreTop();
  }
  if (failure !== undefined) throw failure.error;
  return result as Awaited<T>;
}

async function undoSavepoint(wrapper: DatabaseWrapper, block: AtomicBlock, name: string): Promise<void> {
  const transaction = block.transaction;
  transaction.hooks = transaction.hooks.filter((hook) => !hook.block.isWithin(block));
  dropKeyedHooks(block);
  try {
    await wrapper.rollbackToSavepoint(transaction, name);
  } catch {
    // The savepoint is gone (the database aborted the transaction): only a full rollback is left.
    if (block.parent !== undefined) block.parent.scope.needsRollback = true;
  }
}

async function runHooks(wrapper: DatabaseWrapper, hooks: readonly { fn: () => unknown; robust: boolean; key?: string }[]): Promise<void> {
  // Hooks run outside the finished transaction, so their own queries autocommit.
  await wrapper.runInBlock(undefined, async () => {
    let ranKeys: Set<string> | undefined;
    for (const hook of hooks) {
      if (hook.key !== undefined) {
        // Hooks of one key registered in blocks that were never nested in each other both survive; one runs.
        if (ranKeys?.has(hook.key) === true) continue;
        (ranKeys ??= new Set()).add(hook.key);
      }
      if (!hook.robust) {
        await hook.fn();
        continue;
      }
      try {
        await hook.fn();
      } catch (error) {
        reportRobustFailure(wrapper.alias, hook.fn, error);
      }
    }
  });
}

function reportRobustFailure(alias: string, fn: () => unknown, error: unknown): void {
  const name = fn.name === '' ? 'an anonymous function' : fn.name;
  console.error(`Error calling ${name} in onCommit() on database '${alias}' (robust: true):`, error);
}

/**
 * Runs `fn` in a database transaction and returns its result.
 *
 * Outermost: BEGIN, then COMMIT when `fn` resolves, ROLLBACK when it throws (the error is
 * rethrown) or after `setRollback(true)`. Nested: a SAVEPOINT, released on success and
 * rolled back to on a throw, so the outer block's writes survive. On SQLite, the
 * outermost block waits for the database's write lock (`OPTIONS.timeout`, 5 s by default).
 *
 * @throws NestedDurableAtomicError for `durable: true` inside another atomic block.
 * @example
 * await atomic(async () => {
 *   await order.save();                       // BEGIN; INSERT …
 *   await atomic(() => reserveStock(order));  // SAVEPOINT "nuages_s1"; …; RELEASE …
 *   onCommit(() => sendConfirmation(order));  // after COMMIT
 * });
 */
function atomicBlock<T>(fn: () => T | Promise<T>, options: AtomicOptions = {}): Promise<Awaited<T>> {
  return runAtomic(fn, options);
}

/**
 * The decorator form: returns a function that runs `fn` inside `atomic(…, options)` on
 * every call, with the same arguments.
 *
 * @example
 * const transfer = atomic.wrap(async (from: Account, to: Account, amount: Decimal) => { … });
 * await transfer(a, b, new Decimal('10.00'));
 */
function wrap<A extends unknown[], R>(
  fn: (...args: A) => R | Promise<R>,
  options: AtomicOptions = {},
): (...args: A) => Promise<Awaited<R>> {
  return (...args: A) => runAtomic(() => fn(...args), options);
}

/** {@link atomicBlock}, with `atomic.wrap` for the decorator form. */
export const atomic: typeof atomicBlock & { wrap: typeof wrap } = Object.assign(atomicBlock, { wrap });

/**
 * Runs `fn` after the outermost transaction commits, in registration order. Outside a
 * transaction it runs at once (Django's behaviour). Callbacks registered inside a nested
 * block that rolls back, or a transaction that rolls back, never run. Callbacks run outside
 * the transaction; atomic() resolves after they finish. A non-robust callback's error is
 * thrown from atomic() (the data is already committed) and skips the callbacks after it.
 * With `key`, callbacks of one key run once per transaction (see {@link OnCommitOptions.key}).
 *
 * @example
 * await atomic(async () => {
 *   await Order.objects.create({ … });
 *   onCommit(() => mailer.send(confirmation));
 *   for (const line of lines) onCommit(() => stock.refresh(), { key: 'stock' }); // runs once
 * });
 */
export function onCommit(fn: () => unknown, options: OnCommitOptions = {}): void | Promise<void> {
  const wrapper = wrapperFor(options.using);
  const robust = options.robust === true;
  const block = wrapper.currentBlock();
  if (block !== undefined) {
    if (options.key !== undefined) addKeyedHook(block, options.key, fn, robust);
    else block.transaction.hooks.push({ fn, robust, block });
    return;
  }
  let outcome: unknown;
  try {
    outcome = fn();
  } catch (error) {
    if (!robust) throw error;
    reportRobustFailure(wrapper.alias, fn, error);
    return;
  }
  if (outcome instanceof Promise) {
    return outcome.then(
      () => undefined,
      (error: unknown) => {
        if (!robust) throw error;
        reportRobustFailure(wrapper.alias, fn, error);
      },
    );
  }
}

function addKeyedHook(block: AtomicBlock, key: string, fn: () => unknown, robust: boolean): void {
  const transaction = block.transaction;
  let byKey = keyedHooks.get(transaction);
  if (byKey === undefined) keyedHooks.set(transaction, (byKey = new Map()));
  const same = byKey.get(key);
  // A hook whose savepoint scope encloses this block survives whenever this block's work
  // does (only rolling back an enclosing savepoint drops it), so it stands in for this one.
  if (same?.some((hook) => block.isWithin(hook.block.scope)) === true) return;
  const hook: KeyedHook = { fn, robust, key, block };
  transaction.hooks.push(hook);
  if (same === undefined) byKey.set(key, [hook]);
  else same.push(hook);
}

/** A released savepoint's work now stands or falls with its parent: so do its keyed hooks. */
function liftKeyedHooks(released: AtomicBlock): void {
  const byKey = keyedHooks.get(released.transaction);
  const parent = released.parent;
  if (byKey === undefined || parent === undefined) return;
  for (const [key, hooks] of byKey) {
    for (const hook of hooks) if (hook.block.isWithin(released)) hook.block = parent;
    // Keep the index short (a loop of savepoints would grow it): a hook enclosed by an earlier
    // one's scope is redundant; it stays registered and runHooks skips it by key.
    const kept = hooks.filter((hook, i) => !hooks.some((other, j) => j < i && hook.block.isWithin(other.block.scope)));
    if (kept.length !== hooks.length) byKey.set(key, kept);
  }
}

function dropKeyedHooks(rolledBack: AtomicBlock): void {
  const byKey = keyedHooks.get(rolledBack.transaction);
  if (byKey === undefined) return;
  for (const [key, hooks] of byKey) {
    const kept = hooks.filter((hook) => !hook.block.isWithin(rolledBack));
    if (kept.length === 0) byKey.delete(key);
    else if (kept.length !== hooks.length) byKey.set(key, kept);
  }
}

function blockOrThrow(using: string | undefined, what: string): AtomicBlock {
  const wrapper = wrapperFor(using);
  const block = wrapper.currentBlock();
  if (block === undefined) {
    throw new TransactionManagementError(
      `${what} works only inside an atomic block, and no atomic block is open on database ` +
        `'${wrapper.alias}' in this async context. Call it inside atomic(async () => { … }).`,
    );
  }
  return block;
}

/**
 * Marks the innermost atomic block that can roll back on its own (the nearest savepoint,
 * or the transaction) to roll back when it exits, without throwing. `false` clears the
 * mark, e.g. after undoing a failure by hand. Queries inside a marked block are refused.
 *
 * @throws TransactionManagementError outside an atomic block.
 */
export function setRollback(rollback: boolean, options: UsingOptions = {}): void {
  blockOrThrow(options.using, 'setRollback()').scope.needsRollback = rollback;
}

/**
 * Whether the current atomic block is marked to roll back.
 *
 * @throws TransactionManagementError outside an atomic block.
 */
export function getRollback(options: UsingOptions = {}): boolean {
  const block = blockOrThrow(options.using, 'getRollback()');
  for (let b: AtomicBlock | undefined = block; b !== undefined; b = b.parent) if (b.needsRollback) return true;
  return false;
}

/** Whether the current async context is inside `atomic()` on the alias. */
export function inAtomicBlock(options: UsingOptions = {}): boolean {
  return wrapperFor(options.using).inAtomicBlock();
}

/** Whether statements in the current async context autocommit: false inside `atomic()`. */
export function getAutocommit(options: UsingOptions = {}): boolean {
  return !inAtomicBlock(options);
}

/** The test toolkit's handle on a transaction or savepoint opened by {@link beginTestTransaction}. @internal */
export interface TestTransaction {
  /** The database alias. */
  readonly alias: string;
  /**
   * Rolls the block back, drops its onCommit callbacks unrun, and makes the enclosing test
   * block (or none) the shared one again. Blocks roll back in the reverse order of opening.
   */
  rollback(): Promise<void>;
}

/**
 * Opens the block every async context without an atomic block of its own runs in: the
 * transaction (BEGIN) when none is shared yet, else a savepoint in the shared one, so a
 * suite's block holds its tests' blocks. Durable atomic blocks nest directly in it (Django's
 * TestCase); its onCommit callbacks never run (see the test toolkit's
 * captureOnCommitCallbacks). On a pooled backend the whole block uses one session.
 *
 * @throws TransactionManagementError when called inside an atomic block of the caller's own.
 * @internal
 */
export async function beginTestTransaction(using: string = DEFAULT_DB_ALIAS): Promise<TestTransaction> {
  const wrapper = wrapperFor(using);
  const parent = wrapper.sharedBlock;
  if (wrapper.currentBlock() !== parent) {
    throw new TransactionManagementError(
      `A test transaction on database '${wrapper.alias}' was opened inside an atomic block. Open it ` +
        `from a test hook (before/beforeEach), outside atomic().`,
    );
  }
  if (parent === undefined || parent.transaction.closed) {
    const transaction = new TransactionState(wrapper.alias);
    transaction.root.fromTestCase = true;
    await wrapper.beginTransaction(transaction);
    wrapper.setSharedBlock(transaction.root);
    return { alias: wrapper.alias, rollback: () => endTestBlock(wrapper, transaction.root, undefined) };
  }
  const transaction = parent.transaction;
  while (!parent.isWithin(transaction.top)) await transaction.waitForTurn(parent, wrapper.lockTimeoutMs);
  const block = new AtomicBlock(transaction, parent, transaction.nextSavepointName());
  block.fromTestCase = true;
  transaction.setTop(block);
  try {
    await wrapper.createSavepoint(transaction, block.savepoint as string);
  } catch (error) {
    transaction.setTop(parent.scope);
    throw error;
  }
  wrapper.setSharedBlock(block);
  return { alias: wrapper.alias, rollback: () => endTestBlock(wrapper, block, parent) };
}

async function endTestBlock(wrapper: DatabaseWrapper, block: AtomicBlock, parent: AtomicBlock | undefined): Promise<void> {
  if (wrapper.sharedBlock !== block) {
    throw new TransactionManagementError(
      `Test transactions on database '${wrapper.alias}' must roll back in the reverse order they were ` +
        `opened: this one is not the innermost, or it was already rolled back.`,
    );
  }
  const transaction = block.transaction;
  try {
    // Requests or branches the test left running may still hold a nested savepoint.
    while (transaction.top !== block) await transaction.waitForTurn(block, wrapper.lockTimeoutMs);
  } finally {
    wrapper.setSharedBlock(parent);
    if (parent === undefined) {
      transaction.hooks = [];
      keyedHooks.delete(transaction);
      await wrapper.rollbackTransaction(transaction);
    } else {
      try {
        await undoSavepoint(wrapper, block, block.savepoint as string);
      } finally {
        block.needsRollback = false;
        transaction.setTop(parent.scope);
      }
    }
  }
}

/**
 * The onCommit callbacks waiting in the current transaction on the alias, in registration
 * order (none outside a transaction): what the test toolkit captures.
 * @internal
 */
export function pendingCommitHooks(using: string = DEFAULT_DB_ALIAS): readonly CommitHook[] {
  return wrapperFor(using).currentBlock()?.transaction.hooks ?? [];
}

/**
 * Runs onCommit callbacks as a commit would (keys deduplicated, robust ones logged) but
 * without ending the transaction: the test toolkit's captureOnCommitCallbacks({ execute: true }).
 * @internal
 */
export function runCommitHooks(hooks: readonly CommitHook[], using: string = DEFAULT_DB_ALIAS): Promise<void> {
  return runHooks(wrapperFor(using), hooks);
}
