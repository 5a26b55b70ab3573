/**
 * DummyBackend: records what is enqueued and never runs it, as Django's DummyBackend. For
 * tests that check what a view enqueues without running it.
 */
import { BaseTaskBackend, type EnqueueRequest } from '../backend.ts';
import { TaskResultDoesNotExist } from '../errors.ts';
import { TaskResult, TaskResultStatus } from '../result.ts';

/**
 * Keeps every enqueued run in `results`, status READY.
 *
 * ```ts
 * TASKS: { default: { BACKEND: 'dummy' } }
 * await sendReceipt.enqueue(order.pk);
 * const backend = taskBackends.get() as DummyBackend;
 * assert.deepEqual(backend.results.map((r) => r.args), [[order.pk]]);
 * backend.clear();
 * ```
 */
export class DummyBackend extends BaseTaskBackend {
  override readonly supportsDefer = true;
  override readonly supportsGetResult = true;
  /** Every run enqueued since the last clear(), oldest first. */
  readonly results: TaskResult[] = [];
  readonly #uniqueKeys = new Map<string, string>();
  readonly #byId = new Map<string, TaskResult>();

  protected override async enqueueRun<R>(request: EnqueueRequest<R>): Promise<TaskResult<R>> {
    // The id is the run's idempotency key: enqueued again, the run recorded under it stands.
    const same = this.#byId.get(request.id);
    if (same) return same.clone() as TaskResult<R>;
    if (request.uniqueKey !== null) {
      const pending = this.#pendingWithKey(request.uniqueKey);
      if (pending) return pending.clone() as TaskResult<R>;
    }
    const result = new TaskResult<R>({ task: request.task, id: request.id, args: request.args, backend: this.alias, enqueuedAt: request.enqueuedAt });
    this.results.push(result);
    this.#byId.set(result.id, result);
    if (request.uniqueKey !== null) this.#uniqueKeys.set(result.id, request.uniqueKey);
    await this.announceEnqueued(result);
    // A copy, as Django's: changing the returned result does not change the recorded one.
    return result.clone();
  }

  override async getResult(id: string): Promise<TaskResult> {
    const found = this.#byId.get(id);
    if (found === undefined) throw new TaskResultDoesNotExist(id, this.alias);
    return found.clone();
  }

  /** Forget every recorded run. */
  clear(): void {
    this.results.length = 0;
    this.#uniqueKeys.clear();
    this.#byId.clear();
  }

  #pendingWithKey(key: string): TaskResult | undefined {
    return this.results.find(
      (result) => this.#uniqueKeys.get(result.id) === key && (result.status === TaskResultStatus.READY || result.status === TaskResultStatus.RUNNING),
    );
  }
}
