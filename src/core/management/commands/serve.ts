/**
 * `manage.ts serve [addr:port] --workers N`: the production server. A
 * node:cluster primary keeps N workers serving; SIGTERM drains them
 * (in-flight requests finish), SIGHUP restarts them one at a time, a worker
 * that dies is replaced. Put it behind a reverse proxy that terminates TLS.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { settings } from '../../../conf/lazy-settings.ts';
import { createNodeApp } from '../../servers/application.ts';
import { ClusterPrimary, runWorker } from '../../servers/cluster.ts';
import { NuagesServer } from '../../servers/http-server.ts';
import { serverDefaults, type ServerOptions } from '../../servers/options.ts';
import { formatLogLine } from '../../servers/request-log.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';
import { listenAddress } from '../utils.ts';

function number(min: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) throw new InvalidArgumentError(`Expected a number ≥ ${min}, got '${text}'.`);
    return value;
  };
}

export default class ServeCommand extends BaseCommand {
  override help = 'Runs the production HTTP server: N worker processes on node:cluster, graceful shutdown and restarts.';
  // The primary runs the checks once; workers skip them.
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    const d = serverDefaults();
    parser
      .argument('[addrport]', 'Port, or ipaddr:port to listen on (default 127.0.0.1:8000).')
      .option('-w, --workers <n>', 'Worker processes (default: one per CPU).', number(1))
      .option('--max-body-size <bytes>', 'Largest request body accepted; larger gets 413.', number(0), d.maxBodySize)
      .option('--max-header-size <bytes>', 'Largest request line + headers; larger gets 431.', number(1024), d.maxHeaderSize)
      .option('--keep-alive-timeout <s>', 'Seconds an idle keep-alive connection stays open.', number(0), d.keepAliveTimeout)
      .option('--headers-timeout <s>', 'Seconds a client has to send its headers.', number(1), d.headersTimeout)
      .option('--request-timeout <s>', 'Seconds a client has to send the whole request.', number(1), d.requestTimeout)
      .option('--shutdown-timeout <s>', 'Seconds in-flight requests get to finish on SIGTERM/SIGHUP.', number(0), d.shutdownTimeout)
      .option('--health-path <path>', "Path answered 200 'ok' (503 while draining) without the app; '' turns it off.", d.healthPath)
      .option('--access-log', 'Log every request to stderr.', false);
  }

  override async handle(options: CommandOptions): Promise<void> {
    const serverOptions = this.#serverOptions(options);
    if (cluster.isWorker) {
      await this.#worker(serverOptions, Boolean(options['accessLog']));
      return;
    }
    if (!settings.DEBUG && settings.ALLOWED_HOSTS.length === 0) {
      throw new CommandError('You must set settings.ALLOWED_HOSTS if DEBUG is False.');
    }
    if (!options.skipChecks) await this.check({ displayNumIssues: false });
    const workers = (options['workers'] as number | undefined) ?? availableParallelism();
    const log = (line: string) => this.stdout.write(`[serve ${process.pid}] ${line}`);
    const primary = new ClusterPrimary({ workers: Math.floor(workers), shutdownTimeout: serverOptions.shutdownTimeout, log });
    const address = await primary.start();
    const shown = address.address.includes(':') ? `[${address.address}]` : address.address;
    log(`Listening on http://${shown}:${address.port}/ with ${primary.workers.length} worker(s).`);
    await new Promise<void>((resolve) => primary.handleSignals(resolve));
    log('Stopped.');
  }

  #serverOptions(options: CommandOptions): ServerOptions {
    const d = serverDefaults();
    const { host, port } = listenAddress(options['addrport'] as string | undefined, d);
    const health = String(options['healthPath'] ?? d.healthPath);
    if (health !== '' && !health.startsWith('/')) throw new CommandError(`--health-path must start with '/', got '${health}'.`);
    return {
      host,
      port,
      maxBodySize: options['maxBodySize'] as number,
      maxHeaderSize: options['maxHeaderSize'] as number,
      keepAliveTimeout: options['keepAliveTimeout'] as number,
      headersTimeout: options['headersTimeout'] as number,
      requestTimeout: options['requestTimeout'] as number,
      shutdownTimeout: options['shutdownTimeout'] as number,
      healthPath: health,
    };
  }

  async #worker(options: ServerOptions, accessLog: boolean): Promise<void> {
    const style = this.style;
    const server = new NuagesServer({
      ...options,
      app: await createNodeApp(),
      onResponse: accessLog ? (entry) => this.stderr.write(formatLogLine(entry, style), (text) => text) : undefined,
      onError: (error) => this.stderr.write(`[worker ${process.pid}] Error while serving a request: ${(error as Error).stack ?? String(error)}`),
    });
    await runWorker(server);
    // Stay alive until runWorker's shutdown path exits the process.
    await new Promise<never>(() => {});
  }
}
