/**
 * DatabaseBackend: the queue is a table of the project's database (DBTaskResult, in the
 * `nuages/tasks` app), so tasks are durable with no other service.
 *
 * enqueue → INSERT (a unique run: the partial unique index refuses a second pending row)
 * → worker: claim in one transaction (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so
 * workers never wait on each other's rows; SQLite: BEGIN IMMEDIATE already makes the
 * transaction the only writer) → UPDATE to RUNNING with a claim token and a lease →
 * renewals while it runs → an UPDATE guarded by the token records the outcome.
 *
 * Delivery is at least once: a worker killed mid-attempt leaves its run RUNNING with a
 * lease nobody renews; once it expires another worker claims the run again, recording
 * the lost attempt as a WorkerLostError. Make tasks idempotent, or declare them `atomic`
 * so their writes commit with their success and roll back with the lost attempt.
 */
import { randomBytes } from 'node:crypto';
import { apps } from '../../conf/apps.ts';
import { ObjectDoesNotExist } from '../../core/exceptions.ts';
import { IntegrityError } from '../../db/errors.ts';
import { Q } from '../../db/models/query-utils.ts';
import { atomic } from '../../db/transaction.ts';
import { isRunId, type EnqueueRequest, type TaskBackendParams } from '../backend.ts';
import { InvalidTaskBackend, LeaseLostError, TaskResultDoesNotExist, WorkerLostError } from '../errors.ts';
import type { JsonValue } from '../json.ts';
import { DBTaskResult } from '../models.ts';
import { TaskResult, taskErrorFrom, type TaskError } from '../result.ts';
import { TaskResultStatus } from '../status.ts';
import type { Schedule } from '../schedule.ts';
import { LeaseScheduler } from '../scheduler.ts';
import { WorkerTaskBackend, type Claim, type ClaimRequest } from '../worker-backend.ts';

const PENDING = [TaskResultStatus.READY, TaskResultStatus.RUNNING];
const FINISHED = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED];
const CLAIM_FIELDS = ['status', 'attempts', 'workerIds', 'claimToken', 'leaseExpiresAt', 'startedAt', 'lastAttemptedAt', 'errors', 'finishedAt'];

/**
 * Tasks in a table of the database OPTIONS.DATABASE names (default 'default'); run them
 * with `manage.ts worker`.
 *
 * ```ts
 * INSTALLED_APPS: ['nuages/tasks', …],
 * TASKS: { default: { BACKEND: 'database', QUEUES: ['default', 'mail'], OPTIONS: { MAX_ATTEMPTS: 5 } } },
 * ```
 */
export class DatabaseBackend extends WorkerTaskBackend {
  /** The DATABASES alias holding the table. */
  readonly database: string;

  constructor(params: TaskBackendParams) {
    super(params);
    const database = params.options['DATABASE'] ?? 'default';
    if (typeof database !== 'string') throw new InvalidTaskBackend(`TASKS.${params.alias}.OPTIONS.DATABASE must be a DATABASES alias, got ${JSON.stringify(database)}.`);
    this.database = database;
    if (apps.appsReady && !apps.isInstalled('nuages/tasks')) {
      throw new InvalidTaskBackend(`TASKS.${params.alias} uses the 'database' backend, whose table belongs to the app 'nuages/tasks'. Add 'nuages/tasks' to INSTALLED_APPS and run manage.ts migrate.`);
    }
  }

  protected override async enqueueRun<R>(request: EnqueueRequest<R>): Promise<TaskResult<R>> {
    const { task } = request;
    const row = new DBTaskResult({
      taskName: task.name,
      modulePath: task.modulePath,
      backendName: this.alias,
      queueName: task.queueName,
      priority: task.priority,
      args: request.args,
      maxAttempts: request.maxAttempts,
      enqueuedAt: request.enqueuedAt,
      runAfter: request.runAfter,
      uniqueKey: request.uniqueKey,
    });
    // The id is not editable in forms, so not an init field; the request fixes it.
    row.id = request.id;
    const existing = row.uniqueKey === null ? await this.#insert(row) : await this.#insertUnique(row);
    if (existing !== null) return this.#toResult(existing) as TaskResult<R>;
    const result = this.#toResult(row) as TaskResult<R>;
    await this.announceEnqueued(result);
    this.notifyWork();
    return result;
  }

  // Insert, or return the row already stored under the id: the id is the run's idempotency
  // key, and only framework code outside transactions (the scheduler) passes one that may exist.
  async #insert(row: DBTaskResult): Promise<DBTaskResult | null> {
    try {
      await row.save({ using: this.database, forceInsert: true });
      return null;
    } catch (error) {
      const same = error instanceof IntegrityError ? await this.#rows().filter({ pk: row.id }).first() : undefined;
      if (same === undefined) throw error;
      return same;
    }
  }

  // Insert, or return the run under the same id or the pending row holding the key. A savepoint
  // keeps a refused INSERT from spoiling a transaction the caller has open (PostgreSQL aborts it otherwise).
  async #insertUnique(row: DBTaskResult): Promise<DBTaskResult | null> {
    for (let tries = 0; tries < 3; tries++) {
      try {
        await atomic(() => row.save({ using: this.database, forceInsert: true }), { using: this.database });
        return null;
      } catch (error) {
        if (!(error instanceof IntegrityError)) throw error;
      }
      const same = await this.#rows().filter({ pk: row.id }).first();
      if (same !== undefined) return same;
      const holder = await this.#rows().filter({ uniqueKey: row.uniqueKey, status__in: PENDING }).first();
      if (holder !== undefined) return holder;
      // The holder finished between the INSERT and the read: the key is free again.
    }
    throw new IntegrityError(`Could not enqueue unique task '${row.taskName}': its key stayed taken by runs that kept finishing.`);
  }

  override async getResult(id: string): Promise<TaskResult> {
    // Ids are UUIDs; anything else cannot name a row (and the UUID column would refuse it).
    if (!isRunId(id)) throw new TaskResultDoesNotExist(id, this.alias);
    try {
      return this.#toResult(await this.#rows().get({ pk: id }));
    } catch (error) {
      if (error instanceof ObjectDoesNotExist) throw new TaskResultDoesNotExist(id, this.alias);
      throw error;
    }
  }

  override async claim(request: ClaimRequest): Promise<Claim[]> {
    // An idle worker only reads: the write transaction opens once there is work.
    if (!(await this.#due(new Date(), request.queues).exists())) return [];
    const claimed = await atomic(
      async () => {
        const now = new Date();
        const rows = await this.#due(now, request.queues).selectForUpdate({ skipLocked: true }).orderBy('-priority', 'enqueuedAt').slice(0, request.limit);
        const runnable = rows.filter((row) => this.#startAttempt(row, request.workerId, now));
        // One UPDATE per row: claims are few (the free slots), and bulkUpdate's CASE loses jsonb's type on PostgreSQL.
        for (const row of rows) await this.#rows().filter({ pk: row.id }).update(pick(row, CLAIM_FIELDS));
        return runnable;
      },
      { using: this.database },
    );
    return Promise.all(
      claimed.map(async (row) => {
        const task = await this.taskNamed(row.taskName, row.modulePath);
        return { result: this.#toResult(row, task), task, token: row.claimToken!, maxAttempts: row.maxAttempts };
      }),
    );
  }

  // Turn a due row into a running attempt, in memory; false when it has no attempt left
  // (its lost attempts used them up), in which case it is now FAILED.
  #startAttempt(row: DBTaskResult, workerId: string, now: Date): boolean {
    if (row.status === TaskResultStatus.RUNNING) {
      const lost = new WorkerLostError(`Worker ${row.workerIds.at(-1) ?? '(unknown)'} stopped renewing its lease on this run (it died or hung); the run was taken over.`);
      row.errors = [...row.errors, taskErrorFrom(lost, row.attempts)];
    }
    if (row.attempts >= row.maxAttempts) {
      Object.assign(row, { status: TaskResultStatus.FAILED, finishedAt: now, claimToken: null, leaseExpiresAt: null });
      return false;
    }
    Object.assign(row, {
      status: TaskResultStatus.RUNNING,
      attempts: row.attempts + 1,
      workerIds: [...row.workerIds, workerId],
      claimToken: randomBytes(16).toString('hex'),
      leaseExpiresAt: new Date(now.getTime() + this.leaseSeconds * 1000),
      startedAt: row.startedAt ?? now,
      lastAttemptedAt: now,
    });
    return true;
  }

  override async renew(claims: readonly Claim[]): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const held = this.#held(claims);
    await held.update({ leaseExpiresAt: new Date(Date.now() + this.leaseSeconds * 1000) });
    return new Set((await held.valuesList('id', { flat: true })) as string[]);
  }

  override async succeed(claim: Claim, returnValue: JsonValue): Promise<void> {
    await this.#finish(claim, { status: TaskResultStatus.SUCCESSFUL, returnValue, finishedAt: new Date() });
  }

  override async retry(claim: Claim, error: TaskError, runAfter: Date): Promise<void> {
    await this.#finish(claim, { status: TaskResultStatus.READY, errors: [...claim.result.errors, error], runAfter });
  }

  override async fail(claim: Claim, error: TaskError): Promise<void> {
    await this.#finish(claim, { status: TaskResultStatus.FAILED, errors: [...claim.result.errors, error], finishedAt: new Date() });
  }

  override async pruneResults(olderThan: Date): Promise<number> {
    const [deleted] = await this.#rows().filter({ status__in: FINISHED, finishedAt__lt: olderThan }).delete();
    return deleted;
  }

  override async runInTransaction<T>(fn: () => Promise<T>): Promise<T> {
    return atomic(fn, { using: this.database });
  }

  /** Schedules run under a lease row in this backend's database (scheduler.ts). */
  override async startScheduler(schedules: readonly Schedule[], holder: string): Promise<LeaseScheduler> {
    return new LeaseScheduler(this, schedules, holder).start();
  }

  // Runs that may start now: READY and due, or RUNNING under a lease nobody renewed.
  #due(now: Date, queues: readonly string[] | null) {
    const due = this.#rows().filter(
      Q({ status: TaskResultStatus.READY, runAfter__isnull: true })
        .or(Q({ status: TaskResultStatus.READY, runAfter__lte: now }))
        .or(Q({ status: TaskResultStatus.RUNNING, leaseExpiresAt__lt: now })),
    );
    return queues === null ? due : due.filter({ queueName__in: [...queues] });
  }

  async #finish(claim: Claim, values: Record<string, unknown>): Promise<void> {
    const updated = await this.#held([claim]).update({ ...values, claimToken: null, leaseExpiresAt: null });
    if (updated === 0) throw new LeaseLostError(claim.result.id);
  }

  #held(claims: readonly Claim[]) {
    return this.#rows().filter({ pk__in: claims.map((c) => c.result.id), claimToken__in: claims.map((c) => c.token) });
  }

  #rows() {
    return DBTaskResult.objects.using(this.database);
  }

  #toResult(row: DBTaskResult, task = this.knownTask(row.taskName, row.modulePath)): TaskResult {
    return new TaskResult({
      // The task as this run was enqueued: using() options travel in the row.
      task: task.using({ priority: row.priority, queueName: row.queueName, runAfter: row.runAfter, backend: this.alias }),
      id: row.id,
      args: row.args as JsonValue[],
      backend: this.alias,
      status: row.status as TaskResultStatus,
      enqueuedAt: row.enqueuedAt,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      lastAttemptedAt: row.lastAttemptedAt,
      errors: row.errors as TaskError[],
      workerIds: row.workerIds,
      returnValue: (row.returnValue ?? null) as JsonValue,
    });
  }
}

function pick(row: DBTaskResult, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field, (row as unknown as Record<string, unknown>)[field]]));
}
