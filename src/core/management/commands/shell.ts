/**
 * `manage.ts shell [-c code] [--no-imports]`: a Node.js REPL with the project's settings
 * loaded and every installed model in scope by its class name (Django 5.2's automatic
 * imports), with top-level `await` (`await Book.objects.count()`). `-c` runs the code given
 * instead, as an async function body, and exits.
 */
import { start } from 'node:repl';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { apps } from '../../../conf/apps.ts';
import { settings } from '../../../conf/lazy-settings.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';

const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;

export default class ShellCommand extends BaseCommand {
  override help =
    "Runs a Node.js interactive interpreter with the project's settings and every installed model in scope. " +
    'Top-level await works: `await Book.objects.count()`.';
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .option('-c, --command <code>', 'Instead of opening an interactive shell, run a command as Node.js code and exit.')
      .option('--no-imports', 'Disable automatic imports of models.');
  }

  /** The names in scope: `settings`, and each model by class name (a later app's model wins a clash, as in Django). */
  #namespace(withModels: boolean): { names: Record<string, unknown>; byApp: Map<string, string[]> } {
    const names: Record<string, unknown> = { settings };
    const byApp = new Map<string, string[]>();
    if (!withModels) return { names, byApp };
    for (const config of apps.getAppConfigs()) {
      for (const model of config.getModels()) {
        names[model.name] = model;
        byApp.set(config.label, [...(byApp.get(config.label) ?? []), model.name]);
      }
    }
    return { names, byApp };
  }

  override async handle(options: CommandOptions): Promise<void> {
    const verbosity = Number(options['verbosity'] ?? 1);
    const { names, byApp } = this.#namespace(options['imports'] !== false);
    const count = [...byApp.values()].reduce((sum, models) => sum + models.length, 0);
    if (verbosity >= 2 && count > 0) {
      this.stdout.write(`${count} objects imported automatically:`);
      this.stdout.write('');
      for (const [label, models] of byApp) this.stdout.write(`  ${label}: ${models.join(', ')}`);
      this.stdout.write('');
    } else if (verbosity === 1 && count > 0) {
      this.stdout.write(`${count} objects imported automatically (use -v 2 for details).`);
      this.stdout.write('');
    }
    const code = options['command'];
    if (typeof code === 'string') {
      await this.#run(code, names);
      return;
    }
    await this.#interactive(names);
  }

  async #run(code: string, names: Record<string, unknown>): Promise<void> {
    let body: (...values: unknown[]) => Promise<unknown>;
    try {
      body = new AsyncFunction(...Object.keys(names), code);
    } catch (error) {
      throw new CommandError(`The code given to -c does not parse: ${(error as Error).message}`, { cause: error });
    }
    await body(...Object.values(names));
  }

  #interactive(names: Record<string, unknown>): Promise<void> {
    const out = this.stdout.out;
    const output = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        out.write(String(chunk));
        done();
      },
    });
    const input = this.stdin as unknown as NodeJS.ReadableStream;
    const repl = start({ prompt: '>>> ', input, output, useGlobal: false, terminal: this.stdin.isTTY === true });
    Object.assign(repl.context, names);
    return new Promise((resolve) => repl.on('exit', () => resolve()));
  }
}
