/**
 * `nuages/tasks`: Django 6.0's task API, its backends and a worker.
 *
 * task(fn) → Task → task.enqueue(...args) → taskBackends.get(alias) (TASKS)
 *   → ImmediateBackend (runs now) | DummyBackend (records) | DatabaseBackend (a table)
 *     | BullMQBackend (Redis; inside atomic() through the outbox, outbox.ts)
 *   → `manage.ts worker` (worker.ts, or BullMQ's Worker) runs, retries → TaskResult
 * periodic()/every() (schedule.ts) → the worker's scheduler enqueues each period once.
 */
export { task, Task, DEFAULT_PRIORITY, DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, MAX_PRIORITY, MIN_PRIORITY } from './task.ts';
export type { ErrorClass, TaskOptions, UsingOptions } from './task.ts';
export { TaskContext, TaskResult, TaskResultStatus, type TaskError, type TaskResultState } from './result.ts';
export { BaseTaskBackend, type EnqueueOptions, type EnqueueRequest, type TaskBackendClass, type TaskBackendParams } from './backend.ts';
export { QueuedTaskBackend, type RunnerOptions, type RunningScheduler, type TaskRunner } from './queued-backend.ts';
export { BrokerTaskBackend, type RunRecord } from './broker-backend.ts';
export { WorkerTaskBackend, type Claim, type ClaimRequest } from './worker-backend.ts';
export { createTaskBackend, defaultTaskBackend, registerTaskBackend, taskBackends } from './handler.ts';
export { ImmediateBackend } from './backends/immediate.ts';
export { DummyBackend } from './backends/dummy.ts';
export { DatabaseBackend } from './backends/database.ts';
export { BullMQBackend, type JobData } from './backends/bullmq.ts';
export { BullMQRunner } from './backends/bullmq-runner.ts';
export { DBTaskResult, SchedulerLease, TaskOutboxEntry } from './models.ts';
export { OutboxRelay, outboxRelay, startOutboxRelays } from './outbox.ts';
export { every, periodic, periodOfRunId, Schedule, schedulesFor, removeSchedule, type PeriodicOptions, type ScheduleOptions } from './schedule.ts';
export { LeaseScheduler } from './scheduler.ts';
export { Worker, type AttemptReport, type WorkerOptions } from './worker.ts';
export { autodiscoverTasks, findTask } from './registry.ts';
export { retryDelaySeconds, type BackoffPolicy } from './retry.ts';
export { taskEnqueued, taskFinished, taskStarted, type TaskSignalArgs } from './signals.ts';
export type { JsonValue } from './json.ts';
export * from './errors.ts';
