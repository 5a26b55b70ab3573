/**
 * The development server's reloader, as Django's: a parent process watches
 * the project's files and runs the real server in a child; when a source file
 * changes it stops the child and starts a fresh one, so every import is new.
 *
 * parent: spawn child (NUAGES_RUN_MAIN=true) → fs.watch(BASE_DIR, recursive)
 *   → change to .ts/.js/.json/.html (debounced) → SIGTERM child → respawn
 *   child crashed (syntax error…) → wait for the next change, then respawn
 * child: sees NUAGES_RUN_MAIN and serves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { extname, join, sep } from 'node:path';

/** Set in the child's environment: "you are the server, not the watcher". */
export const RUN_MAIN_ENV = 'NUAGES_RUN_MAIN';

const WATCHED_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '.html', '.txt']);
const IGNORED_SEGMENTS = new Set(['node_modules', '.git', '__pycache__', 'dist', 'coverage']);

/** Whether a change to `relativePath` (from the watched root) should restart the server. */
export function triggersReload(relativePath: string): boolean {
  const segments = relativePath.split(/[\\/]/);
  if (segments.some((s) => IGNORED_SEGMENTS.has(s) || (s.startsWith('.') && s.length > 1))) return false;
  // Editors' swap and backup files are not the source.
  const name = segments[segments.length - 1] ?? '';
  if (name.endsWith('~') || name.startsWith('#')) return false;
  return WATCHED_EXTENSIONS.has(extname(name));
}

/** Whether this process is the reloader's child (the one that serves). */
export function isReloaderChild(): boolean {
  return process.env[RUN_MAIN_ENV] === 'true';
}

/**
 * Run the current command line again in a child and restart it whenever a
 * file under one of `roots` changes. Resolves when the parent is told to stop
 * (SIGINT/SIGTERM), after the child has exited.
 */
export function runWithReloader(roots: readonly string[], log: (line: string) => void): Promise<void> {
  let child: ChildProcess | undefined;
  let restartPending = false;
  let stopping = false;
  let debounce: NodeJS.Timeout | undefined;

  const start = () => {
    restartPending = false;
    child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, [RUN_MAIN_ENV]: 'true' },
    });
    child.once('exit', (code, signal) => {
      child = undefined;
      if (stopping) return;
      if (restartPending) start();
      else if (code !== 0 || signal) log(`The server exited (${signal ?? `code ${code}`}); waiting for a file change to restart it.`);
    });
  };

  const restart = (file: string) => {
    log(`${file} changed, reloading.`);
    if (child === undefined) return start();
    restartPending = true;
    child.kill('SIGTERM');
  };

  const watchers: FSWatcher[] = roots.map((root) =>
    watch(root, { recursive: true }, (_event, filename) => {
      if (filename === null || !triggersReload(filename.toString())) return;
      const file = join(root, filename.toString());
      clearTimeout(debounce);
      // Editors write a file in several steps; one restart for the burst.
      debounce = setTimeout(() => restart(file.replace(process.cwd() + sep, '')), 100);
    }),
  );

  log('Watching for file changes with the reloader');
  start();
  return new Promise((resolve) => {
    const stop = () => {
      stopping = true;
      clearTimeout(debounce);
      for (const w of watchers) w.close();
      if (child === undefined) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
