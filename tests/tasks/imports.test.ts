// Any module of nuages/tasks may be the first one a program imports (an app's apps.ts, a
// command, a test): none may meet a backend base class before its initialization.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', 'src', 'tasks');
const modules = ['', 'backends', 'management', 'management/commands']
  .flatMap((folder) => readdirSync(join(root, folder)).filter((name) => name.endsWith('.ts')).map((name) => join(root, folder, name)));

test('every module of src/tasks imports first, alone, in a fresh process', async () => {
  assert.ok(modules.length > 20, `expected the modules of ${root}, found ${modules.length}`);
  const failures: string[] = [];
  for (const file of modules) {
    try {
      await run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(file).href)})`]);
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? error);
      failures.push(`${file}: ${stderr.split('\n').find((line) => /Error/.test(line)) ?? stderr}`);
    }
  }
  assert.deepEqual(failures, []);
});
