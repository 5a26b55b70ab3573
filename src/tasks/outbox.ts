/**
 * The transactional outbox of broker backends (BullMQ).
 *
 * enqueue() inside atomic() → INSERT into nuages_tasks_taskoutboxentry, in the caller's
 * transaction → COMMIT (rolled back: the row, so the task, never existed) → onCommit wakes
 * this process's relay → the relay reads unsent rows, hands them to their backend's
 * deliver() and marks them sent. Relays also poll (OUTBOX_POLL_INTERVAL) in `manage.ts
 * worker` and in the web servers, so rows committed by a process that died before its
 * relay ran are moved by another process.
 *
 * A row may be delivered twice (a relay that died between deliver() and the mark, or two
 * relays reading the same row): the row's id is the run's idempotency key at the broker
 * (BullMQ's jobId), so the second delivery stores nothing and the task runs once.
 */
import { getLogger } from '../utils/log.ts';
import { onCommit } from '../db/transaction.ts';
import { isRunId } from './backend.ts';
import { BrokerTaskBackend, type RunRecord } from './broker-backend.ts';
import { taskBackends } from './handler.ts';
import type { JsonValue } from './json.ts';
import { TaskOutboxEntry } from './models.ts';

const log = getLogger('nuages.tasks');
/** Rows read and delivered per round trip. */
const BATCH_SIZE = 500;
// onCommit key: however many tasks a transaction enqueues, its commit wakes the relay once.
const WAKE_KEY = 'nuages.tasks.outbox';

/** Write `record` to the outbox of `database`, in the transaction open there; the commit wakes the relay. */
export async function writeToOutbox(backend: string, record: RunRecord, database: string): Promise<void> {
  await TaskOutboxEntry.objects.using(database).create({
    id: record.id,
    backendName: backend,
    taskName: record.taskName,
    modulePath: record.modulePath,
    queueName: record.queueName,
    priority: record.priority,
    args: record.args as unknown[],
    runAfter: record.runAfter,
    uniqueKey: record.uniqueKey,
    maxAttempts: record.maxAttempts,
    enqueuedAt: record.enqueuedAt,
  });
  onCommit(() => outboxRelay(database).wake(), { using: database, key: WAKE_KEY });
}

/** The outbox row of run `id`, if the run went through the outbox of `database`. */
export async function findOutboxEntry(id: string, database: string): Promise<TaskOutboxEntry | undefined> {
  return isRunId(id) ? TaskOutboxEntry.objects.using(database).filter({ pk: id }).first() : undefined;
}

/** Delete rows relayed before `olderThan` from the outbox of `database`; returns how many. */
export async function pruneOutbox(olderThan: Date, database: string): Promise<number> {
  const [deleted] = await TaskOutboxEntry.objects.using(database).filter({ sentAt__lt: olderThan }).delete();
  return deleted;
}

/** The run an outbox row holds. */
export function recordOf(entry: TaskOutboxEntry): RunRecord {
  return {
    id: entry.id,
    taskName: entry.taskName,
    modulePath: entry.modulePath,
    queueName: entry.queueName,
    priority: entry.priority,
    args: entry.args as JsonValue[],
    runAfter: entry.runAfter,
    uniqueKey: entry.uniqueKey,
    maxAttempts: entry.maxAttempts,
    enqueuedAt: entry.enqueuedAt,
  };
}

/**
 * Moves committed outbox rows of one database to their backends. One per database and
 * process ({@link outboxRelay}); wake() runs a pass now, start() also polls.
 */
export class OutboxRelay {
  readonly database: string;
  #pass: Promise<number> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #intervalMs = 0;
  readonly #reported = new Set<string>();

  constructor(database: string) {
    this.database = database;
  }

  /** Whether the relay polls. */
  get started(): boolean {
    return this.#intervalMs > 0;
  }

  /** Poll every `intervalSeconds` (the shortest asked for wins), besides the wake-ups. */
  start(intervalSeconds: number): void {
    const ms = Math.max(1, intervalSeconds * 1000);
    if (this.started && this.#intervalMs <= ms) return;
    this.#intervalMs = ms;
    clearTimeout(this.#timer);
    this.#schedule();
  }

  /** Stop polling and wait for the pass under way. */
  async stop(): Promise<void> {
    this.#intervalMs = 0;
    clearTimeout(this.#timer);
    await this.idle();
  }

  /** Run a pass soon (after a commit that wrote to the outbox). */
  wake(): void {
    if (this.#pass !== undefined) {
      this.#again = true;
      return;
    }
    void this.flush();
  }

  /** Resolves once no pass is under way. */
  async idle(): Promise<void> {
    while (this.#pass !== undefined) await this.#pass.catch(() => 0);
  }

  /** Move every unsent row now; returns how many were delivered. Errors are logged, and the rows stay for the next pass. */
  async flush(): Promise<number> {
    if (this.#pass !== undefined) {
      this.#again = true;
      await this.idle();
      return 0;
    }
    let moved = 0;
    this.#pass = (async () => {
      do {
        this.#again = false;
        moved += await this.#safePass();
      } while (this.#again);
      return moved;
    })();
    try {
      return await this.#pass;
    } finally {
      this.#pass = undefined;
    }
  }

  #schedule(): void {
    if (!this.started) return;
    this.#timer = setTimeout(() => {
      void this.flush().finally(() => this.#schedule());
    }, this.#intervalMs);
    // Polling alone never keeps a process alive: servers and workers do.
    this.#timer.unref();
  }

  async #safePass(): Promise<number> {
    try {
      return await this.#deliverAll();
    } catch (error) {
      log.error(`The task outbox relay of database '${this.database}' failed; the rows stay for its next pass.`, { error });
      return 0;
    }
  }

  async #deliverAll(): Promise<number> {
    let moved = 0;
    for (;;) {
      const rows = await this.#unsent().orderBy('enqueuedAt').slice(0, BATCH_SIZE);
      let deliveredNow = 0;
      for (const [alias, group] of groupBy(rows, (row) => row.backendName)) {
        const backend = this.#backend(alias);
        if (backend !== undefined) deliveredNow += await this.#deliver(backend, group);
      }
      moved += deliveredNow;
      // A short batch was the last; a batch nothing of which could be delivered waits for the next pass.
      if (rows.length < BATCH_SIZE || deliveredNow === 0) return moved;
    }
  }

  async #deliver(backend: BrokerTaskBackend, rows: readonly TaskOutboxEntry[]): Promise<number> {
    const storedIds = await backend.deliver(rows.map(recordOf));
    const sentAt = new Date();
    const asIs = rows.filter((row, i) => storedIds[i] === row.id).map((row) => row.id);
    if (asIs.length > 0) await this.#unsent().filter({ pk__in: asIs }).update({ sentAt });
    for (const [i, row] of rows.entries()) {
      if (storedIds[i] !== row.id) await this.#unsent().filter({ pk: row.id }).update({ sentAt, deliveredId: storedIds[i]! });
    }
    return rows.length;
  }

  #backend(alias: string): BrokerTaskBackend | undefined {
    try {
      const backend = taskBackends.get(alias);
      if (backend instanceof BrokerTaskBackend) return backend;
      this.#reportOnce(alias, `Task outbox rows name backend '${alias}', which is a ${backend.constructor.name} and takes no outbox runs; they stay unsent.`);
    } catch (error) {
      this.#reportOnce(alias, `Task outbox rows name backend '${alias}', which cannot be built (${(error as Error).message}); they stay unsent.`);
    }
    return undefined;
  }

  #reportOnce(alias: string, message: string): void {
    if (this.#reported.has(alias)) return;
    this.#reported.add(alias);
    log.error(message);
  }

  #unsent() {
    return TaskOutboxEntry.objects.using(this.database).filter({ sentAt__isnull: true });
  }
}

const relays = new Map<string, OutboxRelay>();

/** The relay of the outbox in `database`, in this process. */
export function outboxRelay(database: string): OutboxRelay {
  let relay = relays.get(database);
  if (relay === undefined) relays.set(database, (relay = new OutboxRelay(database)));
  return relay;
}

/**
 * Start polling the outboxes of every broker backend of TASKS (`manage.ts worker`, and the
 * web servers at start-up). Returns a function that stops them.
 */
export function startOutboxRelays(): () => Promise<void> {
  const started: OutboxRelay[] = [];
  for (const alias of taskBackends.aliases()) {
    const backend = taskBackends.get(alias);
    if (!(backend instanceof BrokerTaskBackend) || backend.outboxDatabase === null) continue;
    const { outboxDatabase, outboxPollInterval } = backend;
    const relay = outboxRelay(outboxDatabase);
    relay.start(outboxPollInterval);
    started.push(relay);
  }
  return async () => {
    await Promise.all(started.map((relay) => relay.stop()));
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group === undefined) groups.set(name, [item]);
    else group.push(item);
  }
  return groups;
}
