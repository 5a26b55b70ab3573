/**
 * `manage.ts collectstatic [--noinput] [--clear] [--dry-run] [-i PATTERN] [--no-default-ignore]`:
 * gathers STATICFILES_DIRS and the apps' static/ folders into STATIC_ROOT, as
 * Django's command; the work is in src/contrib/staticfiles/collect.ts.
 */
import { existsSync, readdirSync } from 'node:fs';
import type { Command } from 'commander';
import { collect, requireStaticRoot, staticStorageConfig } from '../../../contrib/staticfiles/collect.ts';
import { DEFAULT_IGNORE_PATTERNS } from '../../../contrib/staticfiles/finders.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';
import { Prompter } from '../prompt.ts';

/** Copies static files into STATIC_ROOT, hashing and compressing them as STORAGES.staticfiles says. */
export default class CollectStaticCommand extends BaseCommand {
  override help = 'Collect static files in a single location.';
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser
      .option('--noinput, --no-input', 'Do NOT prompt the user for input of any kind.')
      .option('-i, --ignore <pattern>', 'Ignore files, directories, or paths matching this glob-style pattern. Use multiple times to ignore more.', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('-n, --dry-run', 'Do everything except modify the filesystem.', false)
      .option('-c, --clear', 'Clear the existing files using the storage before trying to copy or link the original file.', false)
      .option('--no-default-ignore', "Don't ignore the common private glob-style patterns (defaults to 'CVS', '.*' and '*~').");
  }

  override async handle(options: CommandOptions): Promise<void> {
    const config = staticStorageConfig();
    const root = requireStaticRoot(config);
    const dryRun = options['dryRun'] === true;
    const clear = options['clear'] === true;
    const ignore = [...(options['defaultIgnore'] === false ? [] : DEFAULT_IGNORE_PATTERNS), ...((options['ignore'] as string[] | undefined) ?? [])];
    const interactive = options['input'] !== false;
    const hasFiles = existsSync(root) && readdirSync(root).length > 0;
    if (interactive && hasFiles && !(await this.#confirm(root, clear, dryRun))) {
      throw new CommandError('Collecting static files cancelled.');
    }
    const verbosity = options.verbosity;
    const result = collect({
      root, clear, dryRun, ignore, manifest: config.manifest, compress: config.compress,
      log: (message, level) => {
        if (verbosity >= level) this.stdout.write(message);
      },
    });
    if (verbosity < 1) return;
    const n = result.modified.length;
    const unmodified = result.unmodified.length > 0 ? `, ${result.unmodified.length} unmodified` : '';
    const processed = result.postProcessed.length > 0 ? `, ${result.postProcessed.length} post-processed` : '';
    this.stdout.write(`\n${n} static file${n === 1 ? '' : 's'} copied to '${root}'${unmodified}${processed}.`);
  }

  async #confirm(root: string, clear: boolean, dryRun: boolean): Promise<boolean> {
    const prompter = new Prompter(this.stdin, this.stdout.out);
    try {
      const answer = await prompter.ask(
        '\n' +
          (dryRun ? 'You have activated the --dry-run option so no files will be modified.\n\n' : '') +
          'You have requested to collect static files at the destination\nlocation as specified in your settings:\n\n' +
          `    ${root}\n\n` +
          (clear ? 'This will DELETE ALL FILES in this location!\n' : 'This will overwrite existing files!\n') +
          "Are you sure you want to do this?\n\nType 'yes' to continue, or 'no' to cancel: ",
      );
      return answer === 'yes';
    } finally {
      prompter.close();
    }
  }
}
