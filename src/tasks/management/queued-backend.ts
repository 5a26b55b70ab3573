/** What the task commands share: the `--backend` alias resolved to a backend with queues. */
import { CommandError } from '../../core/management/errors.ts';
import { taskBackends } from '../handler.ts';
import { QueuedTaskBackend } from '../queued-backend.ts';

/**
 * The backend of TASKS[alias], which must keep queues and results (database, bullmq).
 *
 * @throws CommandError naming the alias and its backend class, then `lacking` (what the
 * command misses in it and how to fix that).
 */
export function queuedBackendFor(alias: string, lacking: string): QueuedTaskBackend {
  const backend = taskBackends.get(alias);
  if (!(backend instanceof QueuedTaskBackend)) throw new CommandError(`Task backend '${alias}' (${backend.constructor.name}) ${lacking}`);
  return backend;
}
