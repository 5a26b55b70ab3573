/**
 * `manage.ts runserver [addr:port]`: the development server. Reloads on code
 * changes, serves static files under STATIC_URL, logs each request in colour.
 * Not for production: use `manage.ts serve`.
 */
import type { Command } from 'commander';
import { settings } from '../../../conf/lazy-settings.ts';
import { createNodeApp } from '../../servers/application.ts';
import { isReloaderChild, runWithReloader } from '../../servers/autoreload.ts';
import { NuagesServer } from '../../servers/http-server.ts';
import { formatLogLine } from '../../servers/request-log.ts';
import { staticFilesHook } from '../../servers/static-files.ts';
import { getVersion } from '../../../utils/version.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';
import { listenAddress } from '../utils.ts';

export default class RunserverCommand extends BaseCommand {
  override help = 'Starts a lightweight web server for development.';
  // The checks run in the serving process, after the banner, as Django's runserver does.
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .argument('[addrport]', 'Optional port number, or ipaddr:port')
      .option('-6, --ipv6', 'Tells Nuages to use an IPv6 address.', false)
      .option('--noreload', 'Tells Nuages to NOT use the auto-reloader.')
      .option('--nostatic', 'Tells Nuages to NOT automatically serve static files at STATIC_URL.')
      .option('--insecure', 'Allows serving static files even if DEBUG is False.', false);
  }

  override async handle(options: CommandOptions): Promise<void> {
    if (!settings.DEBUG && settings.ALLOWED_HOSTS.length === 0) {
      throw new CommandError('You must set settings.ALLOWED_HOSTS if DEBUG is False.');
    }
    const ipv6 = Boolean(options['ipv6']);
    const { host, port } = listenAddress(options['addrport'] as string | undefined, { host: ipv6 ? '::1' : '127.0.0.1', port: 8000 });
    const reload = options['noreload'] !== true;
    if (reload && !isReloaderChild()) {
      await runWithReloader([settings.BASE_DIR], (line) => this.stdout.write(line));
      return;
    }
    await this.#serve(host, port, options);
  }

  async #serve(host: string, port: number, options: CommandOptions): Promise<void> {
    if (!options.skipChecks) {
      this.stdout.write('Performing system checks...\n\n');
      await this.check({ displayNumIssues: true });
    }
    // Here rather than through requiresMigrationsChecks: only the serving process warns, after the checks.
    await this.checkMigrations();
    const serveStatic = options['nostatic'] !== true && (settings.DEBUG || Boolean(options['insecure']));
    const style = this.style;
    const server = new NuagesServer({
      app: await createNodeApp(),
      host,
      port,
      before: serveStatic ? staticFilesHook() : undefined,
      // A development server should not make the developer wait on a stuck request to restart.
      shutdownTimeout: 1,
      onResponse: (entry) => this.stderr.write(formatLogLine(entry, style), (text) => text),
      onError: (error) => this.stderr.write(`Error while serving a request: ${(error as Error).stack ?? String(error)}`),
    });
    const address = await server.listen();
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const now = new Date();
    const date = now.toLocaleString('en-US', { month: 'long', day: 'numeric', year: 'numeric' });
    const time = now.toLocaleTimeString('en-GB', { hour12: false });
    const settingsName = process.env['NUAGES_SETTINGS_MODULE'] ?? 'settings';
    this.stdout.write(
      `${date} - ${time}\n` +
        `Nuages version ${getVersion()}, using settings '${settingsName.replace(/^file:\/\//, '')}'\n` +
        `Starting development server at http://${shown}:${address.port}/\n` +
        'Quit the server with CONTROL-C.\n',
    );
    this.stdout.write(
      'WARNING: This is a development server. Do not use it in a production setting. ' +
        'Use a production server instead: manage.ts serve --workers N.',
      style.WARNING,
    );
    await new Promise<void>((resolve) => {
      const stop = () => void server.close().then(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  }
}
