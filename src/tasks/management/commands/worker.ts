/**
 * `manage.ts worker [--queue q …] [--concurrency N] [--backend alias]`: runs the tasks of a
 * database or BullMQ backend until SIGTERM/SIGINT, then lets running attempts finish within
 * --shutdown-timeout and exits 0. Run one per machine or container; several share the queue
 * safely. Beside the tasks it runs the backend's schedules (periodic(), every()) and the
 * relay that moves committed outbox rows to broker backends.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { BaseCommand, CommandError, type CommandOptions } from '../../../core/management/base.ts';
import { connections } from '../../../db/connections.ts';
import { taskBackends } from '../../handler.ts';
import { startOutboxRelays } from '../../outbox.ts';
import type { RunningScheduler, TaskRunner } from '../../queued-backend.ts';
import { autodiscoverTasks } from '../../registry.ts';
import { schedulesFor } from '../../schedule.ts';
import { TaskResultStatus } from '../../status.ts';
import type { AttemptReport } from '../../worker.ts';
import { queuedBackendFor } from '../queued-backend.ts';

function number(min: number, whole: boolean) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || (whole && !Number.isInteger(value))) {
      throw new InvalidArgumentError(`Expected a ${whole ? 'whole number' : 'number'} ≥ ${min}, got '${text}'.`);
    }
    return value;
  };
}

export default class WorkerCommand extends BaseCommand {
  override help = 'Runs background tasks from a task backend until stopped (SIGTERM or SIGINT).';

  override addArguments(parser: Command): void {
    parser
      .option('--queue <name>', 'Only this queue; repeat for several (default: every queue).', (value: string, previous: string[]) => [...previous, value], [] as string[])
      .option('--concurrency <n>', 'Tasks run at once.', number(1, true), 1)
      .option('--backend <alias>', 'The TASKS alias to drain.', 'default')
      .option('--shutdown-timeout <s>', 'Seconds running tasks get to finish after SIGTERM/SIGINT.', number(0, false), 30)
      .option('--burst', 'Run the tasks that are due, then exit.', false);
  }

  override async handle(options: CommandOptions): Promise<void> {
    const alias = options['backend'] as string;
    const backend = queuedBackendFor(alias, `has no queue for a worker to drain. Point TASKS.${alias}.BACKEND at 'database' or 'bullmq'.`);
    const queues = options['queue'] as string[];
    const unknown = queues.filter((queue) => backend.queues.size > 0 && !backend.queues.has(queue));
    if (unknown.length > 0) throw new CommandError(`Task backend '${alias}' has no queue ${unknown.map((q) => `'${q}'`).join(', ')} (its QUEUES: ${[...backend.queues].join(', ')}).`);
    const discovered = await autodiscoverTasks();
    const runner = backend.createRunner({
      queues,
      concurrency: options['concurrency'] as number,
      shutdownTimeout: options['shutdownTimeout'] as number,
      onAttempt: (report) => this.#report(report),
    });
    const where = queues.length > 0 ? `queues ${queues.join(', ')}` : 'every queue';
    const schedules = schedulesFor(alias);
    this.stdout.write(
      `Worker ${runner.id} started: backend '${alias}', ${where}, concurrency ${runner.concurrency}, ${discovered.length} tasks module(s), ${schedules.length} schedule(s).`,
    );
    const stopRelays = startOutboxRelays();
    try {
      if (options['burst']) await runner.runUntilEmpty();
      else await this.#runUntilSignalled(runner, await backend.startScheduler(schedules, runner.id));
    } finally {
      await stopRelays();
      await taskBackends.closeAll();
      await connections.closeAll();
    }
    this.stdout.write(`Worker ${runner.id} stopped.`);
  }

  async #runUntilSignalled(runner: TaskRunner, scheduler: RunningScheduler): Promise<void> {
    const stop = (signal: string) => {
      this.stdout.write(`${signal}: worker ${runner.id} stops claiming; ${runner.activeCount} task(s) running get ${runner.shutdownTimeout}s to finish.`);
      runner.stop();
      // Hands the schedules' lease to another worker now rather than after the drain.
      void scheduler.stop();
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    try {
      await runner.run();
    } finally {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      await scheduler.stop();
    }
  }

  #report(report: AttemptReport): void {
    if (this.verbosity < 1) return;
    const { result, task } = report.claim;
    const line = `Task ${task.name} ${result.id} attempt ${result.attempts}: ${report.status} in ${Math.round(report.durationMs)}ms`;
    const error = report.error instanceof Error ? ` (${report.error.name}: ${report.error.message})` : report.error === undefined ? '' : ` (${String(report.error)})`;
    const style = report.status === TaskResultStatus.SUCCESSFUL ? this.style.SUCCESS : report.status === TaskResultStatus.READY ? this.style.WARNING : this.style.ERROR;
    this.stdout.write(line + error, style);
  }
}
