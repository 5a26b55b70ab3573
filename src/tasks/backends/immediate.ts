/**
 * ImmediateBackend: runs each task inside `enqueue()`, as Django's ImmediateBackend; the
 * default of TASKS. For development, scripts and tests, where a worker would only add
 * waiting. It keeps no results: `enqueue()` returns the finished one.
 */
import { runAttempt } from '../attempt.ts';
import { BaseTaskBackend, newWorkerId, type EnqueueRequest } from '../backend.ts';
import { TaskResult, TaskResultStatus, taskErrorFrom } from '../result.ts';
import { taskFinished, taskStarted } from '../signals.ts';

/**
 * Runs tasks at enqueue time, once (no retries); a failure is recorded in the result, not thrown.
 *
 * ```ts
 * TASKS: { default: { BACKEND: 'immediate' } }
 * const result = await add.enqueue(1, 2); // result.status === 'SUCCESSFUL', result.returnValue === 3
 * ```
 */
export class ImmediateBackend extends BaseTaskBackend {
  protected override async enqueueRun<R>(request: EnqueueRequest<R>): Promise<TaskResult<R>> {
    const { task, args } = request;
    const result = new TaskResult<R>({ task, id: request.id, args, backend: this.alias, enqueuedAt: request.enqueuedAt });
    await this.announceEnqueued(result);
    const started = new Date();
    result.applyState({ status: TaskResultStatus.RUNNING, startedAt: started, lastAttemptedAt: started, workerIds: [newWorkerId()] });
    await taskStarted.send(this.constructor, { taskResult: result });
    const outcome = await runAttempt(task, result, { timeout: this.timeoutFor(task) });
    result.applyState(
      outcome.ok
        ? { status: TaskResultStatus.SUCCESSFUL, returnValue: outcome.value, finishedAt: new Date() }
        : { status: TaskResultStatus.FAILED, errors: [taskErrorFrom(outcome.error, 1)], finishedAt: new Date() },
    );
    await taskFinished.send(this.constructor, { taskResult: result });
    return result;
  }
}
