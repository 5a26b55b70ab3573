/**
 * The tables of `nuages/tasks`: DBTaskResult (the 'database' backend's queue and results),
 * TaskOutboxEntry (the transactional outbox of broker backends) and SchedulerLease (which
 * worker runs a backend's schedules).
 *
 * DBTaskResult: one row per enqueued run of the 'database' task backend. The row is the
 * queue entry and the result at once; a worker claims it by writing its claim token and
 * lease into it, and records each attempt's outcome in it.
 *
 * ```sql
 * CREATE TABLE "nuages_tasks_dbtaskresult" ("id" char(32) NOT NULL PRIMARY KEY,
 *   "task_name" varchar(255) NOT NULL, "status" varchar(10) NOT NULL, "queue_name" varchar(32) NOT NULL,
 *   "priority" integer NOT NULL, "args" text NOT NULL, "run_after" datetime NULL, …,
 *   "claim_token" varchar(32) NULL, "lease_expires_at" datetime NULL, "unique_key" varchar(64) NULL);
 * ```
 */
import { CharField, DateTimeField, IntegerField, JSONField, TextField, UUIDField, uuid4 } from '../db/models/fields/index.ts';
import { Index, UniqueConstraint } from '../db/models/indexes.ts';
import { Model } from '../db/models/base.ts';
import { Q } from '../db/models/query-utils.ts';
import { TaskResultStatus } from './status.ts';

const STATUS_CHOICES: Array<[string, string]> = [
  [TaskResultStatus.READY, 'Ready'],
  [TaskResultStatus.RUNNING, 'Running'],
  [TaskResultStatus.SUCCESSFUL, 'Successful'],
  [TaskResultStatus.FAILED, 'Failed'],
];

/** A stored run of a task (see the module comment). */
export class DBTaskResult extends Model<DBTaskResult>()(
  {
    id: new UUIDField({ primaryKey: true, default: uuid4, editable: false }),
    taskName: new CharField({ maxLength: 255 }),
    /** The URL of the module that declared the task, imported by a worker that does not know it. */
    modulePath: new TextField({ blank: true, default: '' }),
    backendName: new CharField({ maxLength: 32 }),
    queueName: new CharField({ maxLength: 32, default: 'default' }),
    priority: new IntegerField({ default: 0 }),
    status: new CharField({ maxLength: 10, choices: STATUS_CHOICES, default: TaskResultStatus.READY }),
    args: new JSONField<unknown[]>({ default: () => [] }),
    returnValue: new JSONField({ null: true, default: null }),
    errors: new JSONField<unknown[]>({ default: () => [] }),
    workerIds: new JSONField<string[]>({ default: () => [] }),
    attempts: new IntegerField({ default: 0 }),
    maxAttempts: new IntegerField({ default: 1 }),
    enqueuedAt: new DateTimeField(),
    runAfter: new DateTimeField({ null: true }),
    startedAt: new DateTimeField({ null: true }),
    finishedAt: new DateTimeField({ null: true }),
    lastAttemptedAt: new DateTimeField({ null: true }),
    /** Who holds the run while it is RUNNING; the worker's writes check it. */
    claimToken: new CharField({ maxLength: 32, null: true }),
    /** When a RUNNING run whose worker stopped renewing may be taken over. */
    leaseExpiresAt: new DateTimeField({ null: true }),
    /** A hash of the task name and its uniqueKey, for unique tasks. */
    uniqueKey: new CharField({ maxLength: 64, null: true }),
  },
  {
    appLabel: 'nuages_tasks',
    verboseName: 'task result',
    verboseNamePlural: 'task results',
    indexes: [
      new Index({ fields: ['status', 'queueName', '-priority', 'enqueuedAt'], name: 'nuages_task_claim_idx' }),
      new Index({ fields: ['finishedAt'], name: 'nuages_task_finished_idx' }),
    ],
    constraints: [
      // While a unique run is pending, a second one with the same key cannot be inserted.
      new UniqueConstraint({
        fields: ['uniqueKey'],
        condition: Q({ status__in: [TaskResultStatus.READY, TaskResultStatus.RUNNING] }),
        name: 'nuages_task_unique_pending',
      }),
    ],
  },
) {}

/**
 * A run enqueued inside a transaction for a broker backend (BullMQ): written in that
 * transaction, so it exists if and only if the transaction commits, then moved to the broker
 * by the outbox relay (outbox.ts), which records when in `sentAt`.
 *
 * ```sql
 * CREATE TABLE "nuages_tasks_taskoutboxentry" ("id" char(32) NOT NULL PRIMARY KEY,
 *   "backend_name" varchar(32) NOT NULL, "task_name" varchar(255) NOT NULL, …,
 *   "enqueued_at" datetime NOT NULL, "sent_at" datetime NULL, "delivered_id" varchar(255) NULL);
 * CREATE INDEX "nuages_outbox_unsent_idx" ON "nuages_tasks_taskoutboxentry" ("enqueued_at") WHERE "sent_at" IS NULL;
 * ```
 */
export class TaskOutboxEntry extends Model<TaskOutboxEntry>()(
  {
    /** The run's result id, and its idempotency key at the broker (a relay may send a row twice). */
    id: new UUIDField({ primaryKey: true }),
    backendName: new CharField({ maxLength: 32 }),
    taskName: new CharField({ maxLength: 255 }),
    modulePath: new TextField({ blank: true, default: '' }),
    queueName: new CharField({ maxLength: 32, default: 'default' }),
    priority: new IntegerField({ default: 0 }),
    args: new JSONField<unknown[]>({ default: () => [] }),
    runAfter: new DateTimeField({ null: true }),
    /** A hash of the task name and its uniqueKey, for unique tasks. */
    uniqueKey: new CharField({ maxLength: 64, null: true }),
    maxAttempts: new IntegerField({ default: 1 }),
    enqueuedAt: new DateTimeField(),
    /** When the relay handed the run to the broker; null until then. */
    sentAt: new DateTimeField({ null: true }),
    /** The id the broker keeps the run under when it is not `id`: a unique task's pending run. */
    deliveredId: new CharField({ maxLength: 255, null: true }),
  },
  {
    appLabel: 'nuages_tasks',
    verboseName: 'task outbox entry',
    verboseNamePlural: 'task outbox entries',
    indexes: [new Index({ fields: ['enqueuedAt'], name: 'nuages_outbox_unsent_idx', condition: Q({ sentAt__isnull: true }) })],
  },
) {}

/**
 * Who runs the schedules of a database task backend: one row per backend, held by one worker
 * until `expiresAt` (renewed while it lives). `progress` maps each schedule's name to how far
 * (an ISO moment) its periods were enqueued, so the next holder knows what was missed.
 */
export class SchedulerLease extends Model<SchedulerLease>()(
  {
    /** The TASKS alias of the backend. */
    name: new CharField({ maxLength: 32, primaryKey: true }),
    holder: new CharField({ maxLength: 64 }),
    expiresAt: new DateTimeField(),
    progress: new JSONField<Record<string, string>>({ default: () => ({}) }),
  },
  { appLabel: 'nuages_tasks', verboseName: 'scheduler lease', verboseNamePlural: 'scheduler leases' },
) {}
