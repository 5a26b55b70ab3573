/**
 * The contract between the worker and a backend it drains. The worker owns the policy
 * (concurrency, timeouts, retries, shutdown); a backend only stores: it claims runs under a
 * lease, renews leases, and records how each attempt ended, refusing (LeaseLostError) when
 * the lease was lost to another worker in the meantime.
 *
 * claim() → Claim (RUNNING, leased) → renew() every third of the lease while it runs →
 * succeed() | retry() | fail()
 */
import { UnknownTaskError } from './errors.ts';
import { QueuedTaskBackend, type RunnerOptions } from './queued-backend.ts';
import { findTask, resolveTask } from './registry.ts';
import type { TaskError, TaskResult } from './result.ts';
import { Task } from './task.ts';
import type { JsonValue } from './json.ts';
import { Worker } from './worker.ts';

/** A run a worker holds: the result (RUNNING, this attempt counted) and its lease token. */
export interface Claim {
  readonly result: TaskResult;
  /** The declared task; a stand-in that throws UnknownTaskError when no module declares it. */
  readonly task: Task<never, unknown, never>;
  /** Proves the lease: writes made with another token are refused. */
  readonly token: string;
  readonly maxAttempts: number;
}

/** What a worker asks for. */
export interface ClaimRequest {
  /** Only these queues; null for every queue. */
  readonly queues: readonly string[] | null;
  readonly limit: number;
  readonly workerId: string;
}

/** A backend with a queue that the Worker of worker.ts drains by claims. */
export abstract class WorkerTaskBackend extends QueuedTaskBackend {
  readonly #listeners = new Set<() => void>();

  override createRunner(options: RunnerOptions = {}): Worker {
    return new Worker({ ...options, backend: this });
  }

  /** Claim up to `limit` runs that are due, highest priority first, each under a fresh lease. */
  abstract claim(request: ClaimRequest): Promise<Claim[]>;

  /** Extend the leases of `claims`; returns the ids still held (the others were taken over). */
  abstract renew(claims: readonly Claim[]): Promise<Set<string>>;

  /** Record success. @throws LeaseLostError when the claim is no longer held. */
  abstract succeed(claim: Claim, returnValue: JsonValue): Promise<void>;

  /** Record a failed attempt and make the run READY again at `runAfter`. @throws LeaseLostError. */
  abstract retry(claim: Claim, error: TaskError, runAfter: Date): Promise<void>;

  /** Record the last failed attempt: the run is FAILED for good. @throws LeaseLostError. */
  abstract fail(claim: Claim, error: TaskError): Promise<void>;

  /**
   * Run `fn` in a transaction in which succeed() takes part, for `atomic` tasks. Backends
   * without one run it as is: an atomic task is then at-least-once like any other.
   */
  async runInTransaction<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  /** Call `listener` when a run is enqueued in this process (a worker wakes at once). */
  onWork(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Wake this process's workers. */
  protected notifyWork(): void {
    for (const listener of this.#listeners) listener();
  }

  /** The task declared under `name`, or a stand-in whose attempts fail with UnknownTaskError. */
  protected async taskNamed(name: string, modulePath: string): Promise<Task<never, unknown, never>> {
    return declaredOrStandIn(name, modulePath);
  }

  /** The declared task for a stored result, without importing anything (reads stay cheap). */
  protected knownTask(name: string, modulePath: string): Task<never, unknown, never> {
    return knownTask(name, modulePath);
  }
}

/** The task declared under `name` (importing `modulePath` if need be), or a stand-in whose attempts fail with UnknownTaskError. */
export async function declaredOrStandIn(name: string, modulePath: string): Promise<Task<never, unknown, never>> {
  try {
    return await resolveTask(name, modulePath || null);
  } catch (error) {
    if (!(error instanceof UnknownTaskError)) throw error;
    return standInTask(name, modulePath, error);
  }
}

/** The task declared under `name` in this process, or a stand-in, without importing anything. */
export function knownTask(name: string, modulePath: string): Task<never, unknown, never> {
  return findTask(name) ?? standInTask(name, modulePath, new UnknownTaskError(name, null));
}

function standInTask(name: string, modulePath: string, error: UnknownTaskError): Task<never, unknown, never> {
  return new Task({
    fn: () => {
      throw error;
    },
    name,
    modulePath,
    priority: 0,
    queueName: 'default',
    backend: 'default',
    runAfter: null,
    takesContext: false,
    maxAttempts: null,
    timeout: null,
    nonRetryable: [],
    uniqueKey: null,
    atomic: false,
  }) as unknown as Task<never, unknown, never>;
}
