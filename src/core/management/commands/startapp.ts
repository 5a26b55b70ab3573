/**
 * `manage.ts startapp <name> [directory]`: a new app folder, as Django's command makes one:
 * models, views, URLs, a test file, an empty `migrations/` and a `templates/<name>/` folder.
 * Add the name to INSTALLED_APPS and include its `urlpatterns` to use it.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';

// A folder name that is also a usable module and URL namespace: Django asks for an identifier.
const APP_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function files(name: string): Record<string, string> {
  return {
    'models.ts': "// The app's models: `export class Thing extends Model<Thing>()({ ... }) {}` (see docs/orm.md).\nexport {};\n",
    'views.ts': "// The app's views: `export async function index(request: HttpRequest) { ... }` (see docs/urls-and-views.md).\nexport {};\n",
    'urls.ts':
      `// Included from the project's URLconf: path('${name}/', include('${name}/urls.ts')).\n` +
      "import type { URLPattern, URLResolver } from 'nuages/urls';\n\n" +
      `export const appName = '${name}';\n\n` +
      'export const urlpatterns: Array<URLPattern | URLResolver> = [];\n',
    'tests.test.ts': "// The app's tests, run by `npm test`: test('…', async () => { … }) from 'node:test' (see docs/testing.md).\nexport {};\n",
    'migrations/.gitkeep': '',
    [`templates/${name}/.gitkeep`]: '',
  };
}

export default class StartAppCommand extends BaseCommand {
  override help = 'Creates a Nuages app directory structure for the given app name in the current directory or optionally in the given directory.';
  override requiresSystemChecks: readonly string[] = [];

  override addArguments(parser: Command): void {
    parser.argument('<name>', 'Name of the application.').argument('[directory]', 'Optional destination directory.');
  }

  override async handle(options: CommandOptions): Promise<void> {
    const name = String(options['name']);
    if (!APP_NAME.test(name)) throw new CommandError(`'${name}' is not a valid app name. Please make sure the name is a valid identifier.`);
    const target = typeof options['directory'] === 'string' ? resolve(options['directory']) : resolve(process.cwd(), name);
    if (typeof options['directory'] === 'string') {
      if (!existsSync(target)) throw new CommandError(`Destination directory '${target}' does not exist, please create it first.`);
    } else if (existsSync(target)) {
      throw new CommandError(`'${target}' already exists`);
    }
    const planned = Object.entries(files(name)).map(([file, text]) => [resolve(target, file), text] as const);
    // Every conflict is found before anything is written: a refused command leaves no half app.
    const taken = planned.find(([path]) => existsSync(path));
    if (taken) throw new CommandError(`${taken[0]} already exists. Overlaying an app into an existing directory won't replace conflicting files.`);
    for (const [path, text] of planned) {
      mkdirSync(resolve(path, '..'), { recursive: true });
      writeFileSync(path, text);
    }
  }
}
