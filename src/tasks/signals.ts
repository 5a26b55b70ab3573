/**
 * The signals of the tasks framework, as Django 6.0's `django.tasks.signals`. The sender is
 * the backend's class; the payload carries the TaskResult.
 *
 * ```ts
 * import { taskFinished, TaskResultStatus } from 'nuages/tasks';
 * taskFinished.connect(({ taskResult }) => {
 *   if (taskResult.status === TaskResultStatus.FAILED) alertOps(taskResult.task.name, taskResult.errors);
 * });
 * ```
 */
import { Signal } from '../core/signals.ts';
import type { TaskResult } from './result.ts';

/** The payload of every task signal. */
export interface TaskSignalArgs {
  taskResult: TaskResult;
}

/** Sent after a run is stored (or, by ImmediateBackend, just before it runs). */
export const taskEnqueued = new Signal<TaskSignalArgs>({ name: 'taskEnqueued' });

/** Sent when an attempt starts, in the process that runs it. */
export const taskStarted = new Signal<TaskSignalArgs>({ name: 'taskStarted' });

/**
 * Sent when an attempt ends, in the process that ran it. The status says how: SUCCESSFUL,
 * FAILED (no attempt left), or READY (it failed and will be retried).
 */
export const taskFinished = new Signal<TaskSignalArgs>({ name: 'taskFinished' });
