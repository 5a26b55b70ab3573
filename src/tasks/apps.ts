/**
 * `nuages/tasks` as an installed app: the table of the 'database' task backend, the
 * `worker` and `prune_task_results` commands. Install it to use either.
 */
import { AppConfig } from '../conf/apps.ts';

export default class TasksConfig extends AppConfig {
  override label = 'nuages_tasks';
  override verboseName = 'Tasks';
}
