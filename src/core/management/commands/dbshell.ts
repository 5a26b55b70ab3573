/**
 * `manage.ts dbshell [--database alias] [-- parameters]`: opens the database's own client
 * (sqlite3, psql) on the connection settings of the alias, as Django's command does.
 * Arguments after `--` go to the client: `manage.ts dbshell -- -c 'select 1'`.
 */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { connections } from '../../../db/connections.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';

export default class DbShellCommand extends BaseCommand {
  override help = 'Runs the command-line client for specified database, or the default database if none is provided.';
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .option('--database <alias>', 'Nominates a database onto which to open a shell. Defaults to the "default" database.', 'default')
      .argument('[parameters...]', 'Additional arguments to pass to the database client, after --.');
  }

  override async handle(options: CommandOptions): Promise<void> {
    const parameters = (options['parameters'] as string[] | undefined) ?? [];
    const { command, args, env } = connections.get(String(options['database'])).shellCommand(parameters);
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    const status = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT'
            ? new CommandError(`You appear not to have the '${command}' program installed or on your path.`)
            : new CommandError(`Could not start '${command}': ${error.message}`, { cause: error }),
        ),
      );
      child.once('exit', (code) => resolve(code));
    });
    if (status !== 0) throw new CommandError(`"${[command, ...args].join(' ')}" returned non-zero exit status ${status}.`);
  }
}
