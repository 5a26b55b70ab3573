// `startproject` and the `nuages` command: the files of a new project with its name and a fresh
// key put in, Django's errors for a bad name or a taken folder (nothing written), --template,
// -e and -n; then the project itself, installed as npm installs a `file:` dependency, migrates,
// passes its own test, type-checks, serves its home page and reports on `check --deploy` what a
// fresh Django project reports. Django's side is in django/startproject-expected.json.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { callCommand, CommandError, executeFromCommandLine } from '../../../src/core/management/index.ts';
import { getVersion } from '../../../src/utils/version.ts';

const run = promisify(execFile);
const NUAGES = join(import.meta.dirname, '..', '..', '..');
const BOOKSHOP_SETTINGS = join(NUAGES, 'examples', 'bookshop', 'settings.ts');
const expected = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'startproject-expected.json'), 'utf8')) as {
  errors: Record<string, string>;
  conflictLeavesOnly: string[];
  secretKey: { prefix: string; length: number; alphabet: string };
  deployChecks: string[];
};

const root = realpathSync(mkdtempSync(join(tmpdir(), 'nuages-startproject-')));
after(() => rmSync(root, { recursive: true, force: true }));

/** Every file under `folder`, relative to it, sorted. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .sort();
}

/** A CommandError whose message is `message`. */
function commandError(message: string) {
  return (error: unknown) => {
    assert.ok(error instanceof CommandError, String(error));
    assert.equal(error.message, message);
    return true;
  };
}

/** Runs `fn` with `folder` as the current directory, where startproject makes `<cwd>/<name>/`. */
async function inFolder<T>(folder: string, fn: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  process.chdir(folder);
  try {
    return await fn();
  } finally {
    process.chdir(cwd);
  }
}

/** Runs `nuages <args>` in this process (no settings), returning its exit code and output. */
async function nuages(...args: string[]) {
  const out = { text: '', write(chunk: string) { this.text += chunk; } };
  const err = { text: '', write(chunk: string) { this.text += chunk; } };
  const code = await executeFromCommandLine(['node', '/usr/local/bin/nuages', ...args], { stdout: out, stderr: err });
  return { code, out: out.text, err: err.text };
}

describe('the generated files', () => {
  const project = join(root, 'files');
  before(async () => {
    mkdirSync(project);
    await callCommand('startproject', 'mysite', project);
  });

  test('are the project Django makes, in TypeScript, plus package.json, a test, a README and a welcome page', () => {
    assert.deepEqual(filesUnder(project), [
      '.dockerignore',
      '.github/workflows/ci.yml',
      '.gitignore',
      'Dockerfile',
      'README.md',
      'deploy/k8s/configmap.yaml',
      'deploy/k8s/hpa.yaml',
      'deploy/k8s/ingress.yaml',
      'deploy/k8s/kustomization.yaml',
      'deploy/k8s/migrate-job.yaml',
      'deploy/k8s/pdb.yaml',
      'deploy/k8s/secret.example.yaml',
      'deploy/k8s/service.yaml',
      'deploy/k8s/web.yaml',
      'deploy/k8s/worker.yaml',
      'deploy/nginx-upstream.compose.conf',
      'deploy/nginx-upstream.conf',
      'deploy/nginx.conf',
      'docker-compose.yml',
      'manage.ts',
      'mysite/settings.ts',
      'mysite/urls.ts',
      'package.json',
      'static/site.css',
      'templates/home.html',
      'tests/home.test.ts',
      'tsconfig.json',
    ]);
    assert.ok(statSync(join(project, 'manage.ts')).mode & 0o100, 'manage.ts is executable');
    assert.match(readFileSync(join(project, 'manage.ts'), 'utf8'), /new URL\('\.\/mysite\/settings\.ts', import\.meta\.url\)/);
    assert.match(readFileSync(join(project, 'README.md'), 'utf8'), /npm start[\s\S]*npm test/);
  });

  test('package.json runs migrate then runserver, and depends on this Nuages by path', () => {
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'mysite');
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.engines.node, '>=24');
    assert.equal(pkg.scripts.start, 'node manage.ts migrate && node manage.ts runserver');
    assert.equal(pkg.scripts.test, 'node manage.ts test');
    assert.equal(pkg.scripts.lint, 'oxlint');
    assert.equal(pkg.scripts.typecheck, 'tsc -p .');
    assert.equal(pkg.dependencies.nuages, `file:${NUAGES}`);
    const own = JSON.parse(readFileSync(join(NUAGES, 'package.json'), 'utf8'));
    assert.equal(pkg.devDependencies.node, own.devDependencies.node);
    assert.equal(pkg.devDependencies.typescript, own.devDependencies.typescript);
    assert.equal(pkg.devDependencies.oxlint, own.devDependencies.oxlint);
  });

  test('the CI workflow lints, type-checks, checks migrations and the deployment checklist, then tests on PostgreSQL and Redis', () => {
    const workflow = readFileSync(join(project, '.github', 'workflows', 'ci.yml'), 'utf8');
    const steps = [...workflow.matchAll(/^\s+(?:- )?run: (.*)$/gm)].map((match) => match[1]);
    assert.deepEqual(steps, [
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'node manage.ts makemigrations --check --dry-run',
      'node manage.ts collectstatic --noinput',
      `SECRET_KEY="$(node -e "console.log(crypto.randomBytes(50).toString('base64url'))")" node manage.ts check --deploy --fail-level WARNING`,
      'node manage.ts test --parallel auto',
    ]);
    assert.match(workflow, /services:\n\s+postgres:\n\s+image: postgres:17[\s\S]*POSTGRES_DB: mysite[\s\S]*redis:\n\s+image: redis:7/);
    assert.match(workflow, /DATABASE_URL: postgres:\/\/postgres:postgres@127\.0\.0\.1:5432\/mysite\n\s+CACHE_URL: redis:\/\/127\.0\.0\.1:6379\/0/);
  });

  test("the secret key is Django's: its prefix, then 50 random characters of its alphabet", async () => {
    const keyOf = (folder: string) => /SECRET_KEY: env\.str\('SECRET_KEY', '([^']*)'\)/.exec(readFileSync(join(folder, 'mysite', 'settings.ts'), 'utf8'))![1]!;
    const key = keyOf(project);
    const { prefix, length, alphabet } = expected.secretKey;
    assert.ok(key.startsWith(prefix), key);
    assert.equal(key.length - prefix.length, length);
    assert.ok([...key.slice(prefix.length)].every((char) => alphabet.includes(char)), key);
    const other = join(root, 'other-key');
    mkdirSync(other);
    await callCommand('startproject', 'mysite', other);
    assert.notEqual(keyOf(other), key);
  });

  test("the templates' variables are filled in, the welcome page's are left for the view", () => {
    const settings = readFileSync(join(project, 'mysite', 'settings.ts'), 'utf8');
    assert.match(settings, new RegExp(`with Nuages ${getVersion().replaceAll('.', '\\.')}\\.`));
    assert.match(settings, /ROOT_URLCONF: 'mysite\/urls'/);
    assert.match(settings, /nonce="\{\{ csp_nonce \}\}"/);
    // No template tag is left over; the one {{ }} of the settings is the nonce its comment shows.
    assert.doesNotMatch(settings + readFileSync(join(project, 'mysite', 'urls.ts'), 'utf8'), /\{%|\{\{ (?!csp_nonce)/);
    assert.match(readFileSync(join(project, 'templates', 'home.html'), 'utf8'), /<h1>\{\{ project_name \}\} is up and running<\/h1>/);
  });
});

describe("names and folders are refused as Django refuses them, and nothing is written", () => {
  const inRoot = (message: string) => message.replaceAll('<tmp>', root);

  test('a name that is not an identifier', async () => {
    await assert.rejects(callCommand('startproject', 'my-site', root), commandError(expected.errors['notIdentifier']!));
    await assert.rejects(callCommand('startproject', '1site', root), commandError(expected.errors['startsWithDigit']!));
  });

  test('the name of a module the project could meet: built-in, installed, or a dependency of every project', async () => {
    const builtin = expected.errors['builtinModule']!.replace('Python module', 'Node.js module (a built-in module)');
    await assert.rejects(callCommand('startproject', 'os', root), commandError(builtin));
    await assert.rejects(callCommand('startproject', 'nuages', root), /'nuages' conflicts with the name of an existing Node\.js module \(a package every Nuages project depends on\)/);
    // Seen from the Nuages checkout, where commander is installed.
    await assert.rejects(inFolder(NUAGES, () => callCommand('startproject', 'commander')), /'commander' conflicts with the name of an existing Node\.js module \(a package installed at .*node_modules\/commander\/.*\) and cannot be used as a project name\. Please try another name\./);
    assert.equal(existsSync(join(NUAGES, 'commander')), false);
  });

  test('a folder that exists, a destination that does not, and a file the project would overwrite', async () => {
    mkdirSync(join(root, 'taken'));
    await inFolder(root, () => assert.rejects(callCommand('startproject', 'taken'), commandError(inRoot(expected.errors['folderExists']!))));
    await assert.rejects(callCommand('startproject', 'mysite', join(root, 'missing')), commandError(inRoot(expected.errors['destinationMissing']!)));
    const overlay = join(root, 'overlay');
    mkdirSync(overlay);
    writeFileSync(join(overlay, 'manage.ts'), '// mine\n');
    const conflict = inRoot(expected.errors['overlayConflict']!).replace('manage.py', 'manage.ts');
    await assert.rejects(callCommand('startproject', 'mysite', overlay), commandError(conflict));
    assert.deepEqual(readdirSync(overlay), expected.conflictLeavesOnly.map((file) => file.replace('.py', '.ts')));
    assert.equal(readFileSync(join(overlay, 'manage.ts'), 'utf8'), '// mine\n');
  });
});

test('--template renders the -e extensions, the -n names and -tpl files, copies the rest, skips hidden folders (but -tpl ones), node_modules and -x folders', async () => {
  const template = join(root, 'my-template');
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(template, file)), { recursive: true });
    writeFileSync(join(template, file), text);
  };
  write('project_name/names.txt', '{{ project_name }} {{ project_camel_case_name }}\n');
  write('Makefile', 'run: {{ project_name }}\n');
  write('config.json-tpl', '{ "name": "{{ project_name }}" }\n');
  write('page.html', '<h1>{{ title }}</h1>\n');
  write('.git/HEAD', 'ref\n');
  write('.ci-tpl/run.yml-tpl', 'name: {{ project_name }}\n');
  write('node_modules/x/index.js', '\n');
  write('drafts/notes.txt', '\n');
  const target = join(root, 'custom');
  mkdirSync(target);
  const out = { text: '', write(chunk: string) { this.text += chunk; } };
  await callCommand('startproject', 'my_site', target, '--template', template, '-e', 'txt', '-n', 'Makefile', '-x', 'drafts', '-v', '2', { stdout: out });
  assert.deepEqual(filesUnder(target), ['.ci/run.yml', 'Makefile', 'config.json', 'my_site/names.txt', 'page.html']);
  assert.equal(readFileSync(join(target, '.ci', 'run.yml'), 'utf8'), 'name: my_site\n');
  assert.match(out.text, /^Rendering project template files with extensions: \.ts, \.txt\nRendering project template files with filenames: Makefile\n/);
  assert.match(out.text, new RegExp(`Creating ${join(target, 'my_site', 'names.txt')}\n`));
  assert.equal(readFileSync(join(target, 'my_site', 'names.txt'), 'utf8'), 'my_site MySite\n');
  assert.equal(readFileSync(join(target, 'Makefile'), 'utf8'), 'run: my_site\n');
  assert.equal(readFileSync(join(target, 'config.json'), 'utf8'), '{ "name": "my_site" }\n');
  assert.equal(readFileSync(join(target, 'page.html'), 'utf8'), '<h1>{{ title }}</h1>\n');
  await assert.rejects(callCommand('startproject', 'x', target, '--template', join(root, 'nowhere')), /couldn't handle project template .*nowhere\. --template takes the path of a folder/);
  // A template that does not parse stops the command before the first file is written.
  const broken = join(root, 'broken-template');
  mkdirSync(broken);
  writeFileSync(join(broken, 'a.ts'), 'ok\n');
  writeFileSync(join(broken, 'b.ts'), '{% if %}\n');
  const empty = join(root, 'stays-empty');
  mkdirSync(empty);
  await assert.rejects(callCommand('startproject', 'x', empty, '--template', broken));
  assert.deepEqual(readdirSync(empty), []);
});

describe('the nuages command (django-admin)', () => {
  test('makes a project without settings, prints its version, and asks for settings for the rest', async () => {
    const target = join(root, 'by-cli');
    mkdirSync(target);
    assert.deepEqual(await nuages('startproject', 'clisite', target), { code: 0, out: '', err: '' });
    assert.ok(existsSync(join(target, 'clisite', 'settings.ts')));
    assert.deepEqual(await nuages('version'), { code: 0, out: `${getVersion()}\n`, err: '' });
    assert.equal((await nuages('--version')).out, `${getVersion()}\n`);
    const migrate = await nuages('migrate');
    assert.equal(migrate.code, 1);
    assert.match(migrate.err, /found no settings: set the NUAGES_SETTINGS_MODULE environment variable/);
    const help = await nuages('help');
    assert.match(help.out, /startproject/);
    assert.match(help.out, /Type 'nuages help <subcommand>'/);
  });
});

/**
 * Installs the project's dependencies as `npm install` does for Nuages's `file:` dependency:
 * node_modules/<name> symlinks and node_modules/.bin links to their bins. The other packages
 * (node, @types/node) are linked from Nuages's own node_modules, the same versions by
 * construction; `npm install --offline` cannot do it, since resolving node@^24 needs the registry.
 */
function linkInstall(project: string): void {
  const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  for (const [name, spec] of Object.entries<string>({ ...pkg.dependencies, ...pkg.devDependencies })) {
    const source = spec.startsWith('file:') ? spec.slice('file:'.length) : join(NUAGES, 'node_modules', name);
    assert.ok(existsSync(join(source, 'package.json')), `${name} is installed in the Nuages checkout`);
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(source, join(modules, name));
    const bin = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).bin;
    for (const [command, file] of Object.entries<string>(typeof bin === 'string' ? { [name]: bin } : (bin ?? {}))) {
      symlinkSync(join('..', name, file), join(modules, '.bin', command));
    }
  }
}

/**
 * This process's environment without what would leak into the project: the settings and
 * database of the tests, and the test runner's marker (a `node --test` that sees it reports
 * to a parent runner instead of printing).
 */
function projectEnv(): NodeJS.ProcessEnv {
  const { NUAGES_SETTINGS_MODULE: _settings, DATABASE_URL: _database, NODE_TEST_CONTEXT: _runner, ...inherited } = process.env;
  return inherited;
}

/** Runs a command in the project with npm's PATH (its node_modules/.bin first). */
function inProject(project: string, command: string, args: string[], env: Record<string, string> = {}) {
  return run(command, args, {
    cwd: project,
    env: { ...projectEnv(), PATH: `${join(project, 'node_modules', '.bin')}:${process.env['PATH']}`, ...env },
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The tests after before() run at once: each starts its own processes, which mostly wait.
describe('the generated project works as generated', { concurrency: true }, () => {
  const project = join(root, 'works', 'mysite');
  let migrate: { stdout: string };
  before(async () => {
    mkdirSync(join(root, 'works'));
    await inFolder(join(root, 'works'), () => callCommand('startproject', 'mysite'));
    linkInstall(project);
    // The app's empty test file joins the project's tests.
    await inProject(project, 'npx', ['nuages', 'startapp', 'polls']);
    migrate = await inProject(project, 'npx', ['node', 'manage.ts', 'migrate']);
  });

  test('npx nuages startapp made an app, manage.ts migrate the database; then its own tests pass and it type-checks', async () => {
    assert.ok(existsSync(join(project, 'polls', 'urls.ts')));
    assert.match(migrate.stdout, /Applying auth\.0001_initial\.\.\. OK/);
    assert.ok(existsSync(join(project, 'db.sqlite3')));
    const [tests, types, lint] = await Promise.all([
      inProject(project, 'npm', ['test']),
      inProject(project, 'npm', ['run', '--silent', 'typecheck']),
      inProject(project, 'npm', ['run', '--silent', 'lint']),
    ]);
    assert.match(tests.stdout, /✔ the home page/);
    assert.match(tests.stdout, /✔ answers with the name of the project/);
    assert.match(tests.stdout, /✔ .*polls\/tests\.test\.ts/);
    assert.match(tests.stdout, /ℹ fail 0\n/);
    assert.equal(types.stdout, '');
    assert.match(lint.stdout, /Found 0 warnings and 0 errors/);
  });

  test('its tests pass on PostgreSQL and Redis, as the CI workflow runs them', async () => {
    const { stdout } = await inProject(project, 'npm', ['test', '--', '--parallel', '2'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/mysite_ci',
      CACHE_URL: 'redis://127.0.0.1:6379/0',
    });
    assert.match(stdout, /✔ answers with the name of the project/);
    assert.match(stdout, /ℹ fail 0\n/);
  });

  test("the CI workflow's static files and deployment steps pass: a real key, DEBUG off, HTTPS on", async () => {
    const workflow = readFileSync(join(project, '.github', 'workflows', 'ci.yml'), 'utf8');
    const collect = /^\s+run: (.*collectstatic.*)$/m.exec(workflow)![1]!;
    const step = /^\s+run: (SECRET_KEY=.*check --deploy.*)$/m.exec(workflow)![1]!;
    const env = { DEBUG: 'false', HTTPS: 'true', ALLOWED_HOSTS: 'example.com', STATIC_ROOT: join(project, 'ci-staticfiles') };
    // Without the manifest collectstatic writes, production pages could not name their static files.
    const before = await inProject(project, 'bash', ['-c', step], env).catch((error: { stderr: string }) => error);
    assert.match(before.stderr, /staticfiles\.W005/);
    assert.match((await inProject(project, 'bash', ['-c', collect], env)).stdout, /static files? copied to/);
    const { stderr, stdout } = await inProject(project, 'bash', ['-c', step], env);
    assert.equal(stderr, '');
    assert.match(stdout, /System check identified no issues/);
  });

  test("check --deploy with DEBUG off reports what a fresh Django project reports, and nothing with HTTPS on but the key", async () => {
    const idsOf = (output: string) => [...new Set(output.match(/\((?:nuages\.)?security\.[EW]\d+\)/g))].map((id) => id.slice(1, -1)).sort();
    const [plain, https] = await Promise.all([
      inProject(project, 'npx', ['node', 'manage.ts', 'check', '--deploy'], { DEBUG: 'false' }),
      inProject(project, 'npx', ['node', 'manage.ts', 'check', '--deploy'], { DEBUG: 'false', HTTPS: 'true' }),
    ]);
    assert.deepEqual(idsOf(plain.stderr), expected.deployChecks);
    assert.deepEqual(idsOf(https.stderr), ['security.W009']);
  });

  test('npm start migrates and serves the welcome page and its stylesheet', async () => {
    const port = await freePort();
    // Its own process group, so the server that npm starts through a shell stops with it.
    const server = spawn('npm', ['start', '--', '--noreload', `127.0.0.1:${port}`], { cwd: project, env: projectEnv(), detached: true });
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => (output += chunk));
    server.stderr.on('data', (chunk: Buffer) => (output += chunk));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`runserver did not start:\n${output}`)), 15_000);
        server.stdout.on('data', () => output.includes('Starting development server') && (clearTimeout(timer), resolve()));
        server.on('exit', () => (clearTimeout(timer), reject(new Error(`npm start exited:\n${output}`))));
      });
      const home = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(home.status, 200);
      assert.match(await home.text(), /<h1>mysite is up and running<\/h1>/);
      assert.match(home.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      const css = await fetch(`http://127.0.0.1:${port}/static/site.css`);
      assert.equal(css.status, 200);
      assert.match(css.headers.get('content-type') ?? '', /text\/css/);
    } finally {
      process.kill(-server.pid!, 'SIGTERM');
    }
  });

  test("its settings keep the bookshop's security middleware in the bookshop's order, and its policy", async () => {
    const generated = (await import(pathToFileURL(join(project, 'mysite', 'settings.ts')).href)).default;
    const bookshop = (await import(pathToFileURL(BOOKSHOP_SETTINGS).href)).default;
    // The bookshop's own timer and its response-shaping middleware are not security.
    const notSecurity = ['./middleware#requestDuration', 'nuages/middleware/gzip#GZipMiddleware', 'nuages/middleware/conditional-get#ConditionalGetMiddleware'];
    assert.deepEqual(generated.MIDDLEWARE, bookshop.MIDDLEWARE.filter((entry: string) => !notSecurity.includes(entry)));
    assert.deepEqual(generated.SECURE_CSP, bookshop.SECURE_CSP);
    assert.deepEqual(generated.AUTH_PASSWORD_VALIDATORS, bookshop.AUTH_PASSWORD_VALIDATORS);
    assert.deepEqual(generated.INSTALLED_APPS, bookshop.INSTALLED_APPS.filter((app: string) => app.startsWith('nuages/')));
    assert.equal(generated.BASE_DIR.replace(/\/$/, ''), project);
    assert.equal(generated.DATABASES.default.NAME, join(project, 'db.sqlite3'));
  });
});
