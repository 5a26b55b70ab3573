/**
 * `manage.ts clearsessions`: deletes expired sessions from the store SESSION_ENGINE
 * names (rows of `django_session`, session files). Run it from cron: the 'db' and
 * 'file' stores never delete an expired session on their own, they only ignore it.
 */
import { settingOr } from '../../../../conf/lazy-settings.ts';
import { BaseCommand, CommandError } from '../../../../core/management/base.ts';
import { sessionEngine } from '../../engine.ts';

export default class ClearSessionsCommand extends BaseCommand {
  override help = 'Can be run as a cronjob or directly to clean out expired sessions when the backend supports it.';

  override async handle(): Promise<void> {
    const store = sessionEngine();
    if (typeof store.clearExpired !== 'function') {
      const engine = settingOr<unknown>('SESSION_ENGINE', 'db');
      throw new CommandError(
        `Session engine ${typeof engine === 'string' ? `'${engine}'` : store.name} doesn't support clearing expired sessions. ` +
          'Give its store a static clearExpired() method.',
      );
    }
    await store.clearExpired();
  }
}
