/**
 * A backend whose queue lives outside the project's database, in a broker (BullMQ on Redis).
 * A broker cannot take part in a database transaction, so enqueue() inside atomic() writes
 * the run to the outbox table in that transaction instead (outbox.ts), and a relay delivers
 * it once committed; outside a transaction it is delivered at once.
 *
 * enqueue → in atomic() on OUTBOX_DATABASE? → outbox row (+ taskEnqueued after COMMIT)
 *         → otherwise deliver() → taskEnqueued
 * getResult → the broker's job → else the outbox row (READY until relayed)
 */
import { apps } from '../conf/apps.ts';
import { inAtomicBlock, onCommit } from '../db/transaction.ts';
import type { EnqueueRequest, TaskBackendParams } from './backend.ts';
import { InvalidTaskBackend, TaskResultDoesNotExist } from './errors.ts';
import type { JsonValue } from './json.ts';
import type { TaskOutboxEntry } from './models.ts';
import { findOutboxEntry, outboxRelay, pruneOutbox, recordOf, writeToOutbox } from './outbox.ts';
import { QueuedTaskBackend } from './queued-backend.ts';
import { TaskResult } from './result.ts';
import { knownTask } from './worker-backend.ts';

/** A run as a broker stores it: what the outbox keeps of an enqueue. */
export interface RunRecord {
  /** The result id, and the idempotency key: delivered twice, it is stored once. */
  readonly id: string;
  readonly taskName: string;
  readonly modulePath: string;
  readonly queueName: string;
  readonly priority: number;
  readonly args: readonly JsonValue[];
  readonly runAfter: Date | null;
  /** A unique task's dedup key (hashed), or null. */
  readonly uniqueKey: string | null;
  readonly maxAttempts: number;
  readonly enqueuedAt: Date;
}

const DEFAULT_OUTBOX_POLL_INTERVAL = 0.1;

/** A backend with a broker: subclasses deliver runs and read results back. */
export abstract class BrokerTaskBackend extends QueuedTaskBackend {
  /** The DATABASES alias of the outbox (OPTIONS.OUTBOX_DATABASE, default 'default'); null with OPTIONS.OUTBOX false. */
  readonly outboxDatabase: string | null;
  /** OPTIONS.OUTBOX_POLL_INTERVAL: seconds between the relay's looks at the outbox (default 0.1). */
  readonly outboxPollInterval: number;

  constructor(params: TaskBackendParams) {
    super(params);
    this.outboxPollInterval = this.numberOption('OUTBOX_POLL_INTERVAL', DEFAULT_OUTBOX_POLL_INTERVAL, { min: 0, above: true }) as number;
    const enabled = params.options['OUTBOX'] ?? true;
    const database = params.options['OUTBOX_DATABASE'] ?? 'default';
    if (typeof enabled !== 'boolean') throw new InvalidTaskBackend(`TASKS.${this.alias}.OPTIONS.OUTBOX must be true or false, got ${JSON.stringify(enabled)}.`);
    if (typeof database !== 'string') throw new InvalidTaskBackend(`TASKS.${this.alias}.OPTIONS.OUTBOX_DATABASE must be a DATABASES alias, got ${JSON.stringify(database)}.`);
    if (enabled && apps.appsReady && !apps.isInstalled('nuages/tasks')) {
      throw new InvalidTaskBackend(
        `TASKS.${this.alias} enqueues through the transactional outbox, a table of the app 'nuages/tasks'. ` +
          `Add 'nuages/tasks' to INSTALLED_APPS and run manage.ts migrate, or set TASKS.${this.alias}.OPTIONS.OUTBOX to false ` +
          '(then a task enqueued in a transaction that rolls back still runs, and one enqueued before a crash may be lost).',
      );
    }
    this.outboxDatabase = enabled ? database : null;
  }

  /**
   * Store `records` at the broker, each once: a record whose id the broker already holds
   * stores nothing. Returns, per record, the id the broker keeps the run under: the record's
   * own, or a unique task's pending run that stands for it.
   */
  abstract deliver(records: readonly RunRecord[]): Promise<string[]>;

  /** The result the broker holds under `id`, or undefined. */
  protected abstract findResult(id: string): Promise<TaskResult | undefined>;

  /** Delete the broker's finished results older than `olderThan`; returns how many. */
  protected abstract pruneBrokerResults(olderThan: Date): Promise<number>;

  protected override async enqueueRun<R>(request: EnqueueRequest<R>): Promise<TaskResult<R>> {
    const record: RunRecord = {
      id: request.id,
      taskName: request.task.name,
      modulePath: request.task.modulePath,
      queueName: request.task.queueName,
      priority: request.task.priority,
      args: request.args,
      runAfter: request.runAfter,
      uniqueKey: request.uniqueKey,
      maxAttempts: request.maxAttempts,
      enqueuedAt: request.enqueuedAt,
    };
    const result = new TaskResult<R>({ task: request.task, id: request.id, args: request.args, backend: this.alias, enqueuedAt: request.enqueuedAt });
    const outbox = this.outboxDatabase;
    if (outbox !== null && inAtomicBlock({ using: outbox })) {
      await writeToOutbox(this.alias, record, outbox);
      // The run exists once the transaction commits, not before.
      onCommit(() => this.announceEnqueued(result), { using: outbox, robust: true });
      return result;
    }
    const [storedId] = await this.deliver([record]);
    if (storedId !== record.id) return (await this.getResult(storedId!)) as TaskResult<R>;
    await this.announceEnqueued(result);
    return result;
  }

  /**
   * The broker's result; for a run still in the outbox, a READY result from its row; for a
   * unique task's run that was relayed onto a pending one, that one.
   */
  override async getResult(id: string): Promise<TaskResult> {
    const found = await this.findResult(id);
    if (found !== undefined) return found;
    const entry = this.outboxDatabase === null ? undefined : await findOutboxEntry(id, this.outboxDatabase);
    if (entry?.sentAt === null) return this.#pendingResult(entry);
    if (entry?.deliveredId) return this.getResult(entry.deliveredId);
    throw new TaskResultDoesNotExist(id, this.alias);
  }

  override async pruneResults(olderThan: Date): Promise<number> {
    const outboxRows = this.outboxDatabase === null ? 0 : await pruneOutbox(olderThan, this.outboxDatabase);
    return outboxRows + (await this.pruneBrokerResults(olderThan));
  }

  /** Let a relay pass under way finish (a script that enqueued then exits), then close. */
  override async close(): Promise<void> {
    if (this.outboxDatabase !== null) await outboxRelay(this.outboxDatabase).idle();
  }

  #pendingResult(entry: TaskOutboxEntry): TaskResult {
    const record = recordOf(entry);
    const task = knownTask(record.taskName, record.modulePath);
    return new TaskResult({
      task: task.using({ priority: record.priority, queueName: record.queueName, runAfter: record.runAfter, backend: this.alias }),
      id: record.id,
      args: record.args,
      backend: this.alias,
      enqueuedAt: record.enqueuedAt,
    });
  }
}
