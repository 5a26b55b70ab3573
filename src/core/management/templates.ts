/**
 * What `startapp` and `startproject` share (Django's TemplateCommand): a folder of template
 * files copied into a new app or project, with the name put in.
 *
 * name validated → destination chosen (a new `<cwd>/<name>/` folder, or an existing one) →
 * template folder walked: `app_name`/`project_name` in paths replaced by the name, a `-tpl`
 * suffix dropped, the files to render (`-tpl` ones, `--extension`s, `--name`s) rendered by
 * the Django template language, the others copied → every destination checked before
 * anything is written, so a refused command leaves nothing behind.
 *
 * Templates are Django's own convention: `{{ project_name }}`, `{{ app_name }}`,
 * `{{ project_directory }}`, `{{ project_camel_case_name }}`, `{{ nuages_version }}`, plus
 * what the command adds (startproject: `{{ secret_key }}`). A custom `--template` folder
 * uses the same names.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin, createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Option, type Command } from 'commander';
import { Engine } from '../../template/engine.ts';
import { getVersion } from '../../utils/version.ts';
import { BaseCommand, CommandError, type CommandOptions } from './base.ts';

/** Which kind of thing a TemplateCommand makes: it names the template folder and the context variables. */
export type TemplateKind = 'app' | 'project';

// A folder name that is also a usable module and URL namespace: Django asks for an identifier.
// ASCII only, because the name also becomes an npm package name and a URL segment.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Packages every generated project depends on: a project of that name would depend on itself.
const PROJECT_DEPENDENCIES = ['nuages', 'node'];
// Folders never copied from a template, besides hidden ones (Django skips .git and __pycache__).
const EXCLUDED_DIRECTORIES = ['node_modules'];
const TEMPLATE_SUFFIX = '-tpl';

/** An option stored under another name than its flag's (argparse's dest): `--name` goes to `files`, since the `<name>` argument is `name`. */
class DestOption extends Option {
  readonly #dest: string;
  constructor(flags: string, description: string, dest: string) {
    super(flags, description);
    this.#dest = dest;
  }
  override attributeName(): string {
    return this.#dest;
  }
}

/** One file the command will write. */
interface PlannedFile {
  readonly source: string;
  readonly target: string;
  readonly render: boolean;
  readonly mode: number;
}

/**
 * A command that makes an app or a project from a template folder. Subclasses set `kind`
 * and may add context with `extraContext()`.
 */
export abstract class TemplateCommand extends BaseCommand {
  override requiresSystemChecks: readonly string[] = [];
  override requiresSettings = false;
  /** 'app' or 'project'. */
  abstract readonly kind: TemplateKind;

  /** Variables the command adds to the template context (startproject: the secret key). */
  extraContext(_name: string, _topDir: string): Record<string, unknown> {
    return {};
  }

  override addArguments(parser: Command): void {
    const kind = this.kind;
    // Repeatable like Django's action='append': the values add to the default, not replace it.
    const append = (value: string, previous: readonly string[]): string[] => [...previous, value];
    parser
      .argument('<name>', `Name of the ${kind}.`)
      .argument('[directory]', 'Optional destination directory.')
      .option('--template <path>', `The path to a folder to use as the ${kind} template instead of Nuages's own.`)
      .option('-e, --extension <extensions>', "The file extension(s) to render (default: 'ts'). Separate several with commas, or use -e several times.", append, ['ts'])
      .addOption(
        new DestOption('-n, --name <files>', 'The file name(s) to render. Separate several with commas, or use -n several times.', 'files')
          .argParser(append)
          .default([]),
      )
      .option('-x, --exclude <directories>', 'The directory name(s) to leave out, besides node_modules and hidden ones. Separate several with commas, or use -x several times.', append, []);
  }

  override async handle(options: CommandOptions): Promise<void> {
    const kind = this.kind;
    const name = String(options['name']);
    validateName(kind, name, 'name', process.cwd());
    const topDir = destination(kind, name, options['directory']);
    const templateDir = templateFolder(kind, options['template']);
    const extensions = commaSeparated(options['extension']).map((ext) => (ext.startsWith('.') ? ext : `.${ext}`));
    const extraFiles = commaSeparated(options['files']);
    const excluded = [...EXCLUDED_DIRECTORIES, ...commaSeparated(options['exclude'])];
    if (this.verbosity >= 2) {
      this.stdout.write(`Rendering ${kind} template files with extensions: ${extensions.join(', ')}`);
      this.stdout.write(`Rendering ${kind} template files with filenames: ${extraFiles.join(', ')}`);
    }
    const planned = planFiles(templateDir, topDir, { placeholder: `${kind}_name`, name, extensions, extraFiles, excluded });
    // Every conflict is found before anything is written: a refused command leaves no half app.
    const taken = planned.find((file) => existsSync(file.target));
    if (taken) {
      throw new CommandError(
        `${taken.target} already exists. Overlaying ${article(kind)} ${kind} into an existing directory won't replace conflicting files.`,
      );
    }
    const context = { ...options, ...templateContext(kind, name, topDir), ...this.extraContext(name, topDir) };
    // Rendered before the first write, so a template with a syntax error leaves nothing behind either.
    const contents = await renderAll(planned, context);
    mkdirSync(topDir, { recursive: true });
    planned.forEach((file, index) => {
      if (this.verbosity >= 2) this.stdout.write(`Creating ${file.target}`);
      mkdirSync(dirname(file.target), { recursive: true });
      // The template's permissions travel (manage.ts stays executable), made writable as Django does.
      writeFileSync(file.target, contents[index]!, { mode: file.mode | 0o200 });
    });
  }
}

/**
 * Refuses a name Django would refuse: not an identifier, or the name of a module the project
 * could meet — a Node.js built-in, a package installed where the command runs (`from`), or
 * one every project depends on (nuages, node).
 */
export function validateName(kind: TemplateKind, name: string, type: 'name' | 'directory', from: string): void {
  if (!IDENTIFIER.test(name)) {
    throw new CommandError(`'${name}' is not a valid ${kind} ${type}. Please make sure the ${type} is a valid identifier.`);
  }
  const clash = moduleNamed(name, from) ?? moduleNamed(name.toLowerCase(), from);
  if (clash !== undefined) {
    throw new CommandError(
      `'${name}' conflicts with the name of an existing Node.js module (${clash}) and cannot be used as ` +
        `${article(kind)} ${kind} ${type}. Please try another ${type}.`,
    );
  }
}

/** What `name` already is as a module seen from folder `from`, or undefined when it is free. */
function moduleNamed(name: string, from: string): string | undefined {
  if (isBuiltin(name)) return 'a built-in module';
  if (PROJECT_DEPENDENCIES.includes(name)) return 'a package every Nuages project depends on';
  try {
    return `a package installed at ${createRequire(join(from, 'package.json')).resolve(name)}`;
  } catch (error) {
    // Only "not found" means free: a package whose exports hide its main entry still exists.
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    return 'an installed package';
  }
}

/** The folder to fill: `<cwd>/<name>`, which must not exist yet, or the given one, which must. */
function destination(kind: TemplateKind, name: string, directory: unknown): string {
  if (typeof directory !== 'string') {
    const topDir = resolve(process.cwd(), name);
    if (existsSync(topDir)) throw new CommandError(`'${topDir}' already exists`);
    return topDir;
  }
  const topDir = resolve(directory);
  if (kind === 'app') validateName(kind, basename(topDir), 'directory', dirname(topDir));
  if (!existsSync(topDir)) throw new CommandError(`Destination directory '${topDir}' does not exist, please create it first.`);
  return topDir;
}

/** The `--template` folder, or Nuages's own `conf/<kind>_template/`. */
function templateFolder(kind: TemplateKind, template: unknown): string {
  if (typeof template !== 'string') return join(import.meta.dirname, '..', '..', 'conf', `${kind}_template`);
  const folder = resolve(template);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new CommandError(`couldn't handle ${kind} template ${template}. --template takes the path of a folder of template files.`);
  }
  return folder;
}

/** Option values given as lists, comma-separated lists, or both (`-e ts,json -e md`). */
function commaSeparated(values: unknown): string[] {
  const list = Array.isArray(values) ? values : typeof values === 'string' ? [values] : [];
  return list.flatMap((value) => String(value).split(',')).map((value) => value.trim()).filter((value) => value !== '');
}

interface PlanOptions {
  readonly placeholder: string;
  readonly name: string;
  readonly extensions: readonly string[];
  readonly extraFiles: readonly string[];
  readonly excluded: readonly string[];
}

/** Every file of the template folder, with where it goes and whether it is rendered. */
function planFiles(templateDir: string, topDir: string, options: PlanOptions): PlannedFile[] {
  const planned: PlannedFile[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const source = join(folder, entry.name);
      if (entry.isDirectory()) {
        // A hidden folder is copied only when its name says it is part of the template (`.github-tpl`).
        const wanted = entry.name.endsWith(TEMPLATE_SUFFIX) || !entry.name.startsWith('.');
        if (wanted && !options.excluded.includes(entry.name)) walk(source);
        continue;
      }
      const templated = entry.name.endsWith(TEMPLATE_SUFFIX);
      const path = withoutFolderSuffixes(relative(templateDir, source).replaceAll(options.placeholder, options.name));
      const target = join(topDir, templated ? path.slice(0, -TEMPLATE_SUFFIX.length) : path);
      const render = templated || options.extensions.some((ext) => target.endsWith(ext)) || options.extraFiles.includes(entry.name);
      planned.push({ source, target, render, mode: statSync(source).mode & 0o777 });
    }
  };
  walk(templateDir);
  return planned;
}

/** `.github-tpl/workflows/ci.yml-tpl` → `.github/workflows/ci.yml-tpl`: folders lose the suffix too. */
function withoutFolderSuffixes(path: string): string {
  const parts = path.split(sep);
  return parts.map((part, i) => (i < parts.length - 1 && part.endsWith(TEMPLATE_SUFFIX) ? part.slice(0, -TEMPLATE_SUFFIX.length) : part)).join(sep);
}

/** Each file's content: rendered by the template language (autoescape off, as Django's), or its bytes. */
async function renderAll(planned: readonly PlannedFile[], context: Record<string, unknown>): Promise<Array<string | Buffer>> {
  const engine = new Engine({ autoescape: false });
  const contents: Array<string | Buffer> = [];
  for (const file of planned) {
    const source = readFileSync(file.source);
    contents.push(file.render ? await engine.fromString(source.toString('utf8'), file.source).render(context) : source);
  }
  return contents;
}

/** Django's context names: `<kind>_name`, `<kind>_directory`, `<kind>_camel_case_name`, and the version. */
function templateContext(kind: TemplateKind, name: string, topDir: string): Record<string, unknown> {
  return {
    [`${kind}_name`]: name,
    [`${kind}_directory`]: topDir.endsWith(sep) ? topDir.slice(0, -1) : topDir,
    [`${kind}_camel_case_name`]: camelCase(name),
    nuages_version: getVersion(),
  };
}

/** 'my_site' → 'MySite', as Django's `name.title()` without the underscores. */
function camelCase(name: string): string {
  return name.replace(/[A-Za-z]+/g, (word) => word[0]!.toUpperCase() + word.slice(1).toLowerCase()).replaceAll('_', '');
}

function article(kind: TemplateKind): string {
  return kind === 'app' ? 'an' : 'a';
}
