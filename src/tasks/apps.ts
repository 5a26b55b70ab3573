/**
 * `nuages/tasks` as an installed app: the tables of the 'database' task backend, the outbox
 * and the schedulers' leases; the `worker` and `prune_task_results` commands; and, in every
 * process that serves the project, the outbox relay of broker backends (started with the
 * server, stopped with it).
 */
import { AppConfig } from '../conf/apps.ts';
import { serverStarted, serverStopped } from '../core/servers/lifecycle.ts';

export default class TasksConfig extends AppConfig {
  override label = 'nuages_tasks';
  override verboseName = 'Tasks';

  override ready(): void {
    let stopRelays: (() => Promise<void>) | undefined;
    serverStarted.connect(
      async () => {
        const { startOutboxRelays } = await import('./outbox.ts');
        stopRelays ??= startOutboxRelays();
      },
      { dispatchUid: 'nuages.tasks.outbox-relay' },
    );
    serverStopped.connect(
      async () => {
        const stopping = stopRelays;
        stopRelays = undefined;
        await stopping?.();
        const { taskBackends } = await import('./handler.ts');
        await taskBackends.closeAll();
      },
      { dispatchUid: 'nuages.tasks.outbox-relay' },
    );
  }
}
