// `manage.ts test`: runs a project's *.test.ts files on node:test, each in a process of its
// own, and exits 1 when one fails; labels pick files, folders or an app; --failfast stops at
// the first failure; -k filters by test name; --keepdb reaches the test processes. The project
// is written to a temporary folder (test files there would otherwise join Nuages's own suite).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const SRC = join(import.meta.dirname, '..', '..', '..', 'src');
const project = mkdtempSync(join(tmpdir(), 'nuages-test-command-'));

function write(path: string, text: string): void {
  mkdirSync(join(project, path, '..'), { recursive: true });
  writeFileSync(join(project, path), text);
}

/** `node manage.ts test …args` in the project: its output and exit code. */
function runTests(...args: string[]): Promise<{ output: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(project, 'manage.ts'), 'test', ...args], { cwd: project, env: { ...process.env, NODE_TEST_CONTEXT: undefined } }, (error, stdout, stderr) => {
      resolve({ output: stdout, stderr, code: error === null ? 0 : (error.code as number) });
    });
  });
}

const PASSING = `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { titles } from '../books.ts';
test('shelf lists books', () => assert.deepEqual(titles(), ['Dune']));
test('keepdb reaches the test process', () => assert.equal(process.env['NUAGES_KEEPDB'] ?? 'unset', process.env['EXPECTED_KEEPDB'] ?? 'unset'));
test('the settings module reaches the test process', () => assert.match(process.env['NUAGES_SETTINGS_MODULE'] ?? '', /settings\\.ts$/));
`;
const FAILING = `import { test } from 'node:test';
import assert from 'node:assert/strict';
test('checkout totals', () => assert.equal(1 + 1, 3));
test('checkout after the failure', () => assert.ok(true));
`;

describe('manage.ts test', () => {
  before(() => {
    write('settings.ts', `import { defineSettings } from '${pathToFileURL(join(SRC, 'conf', 'index.ts')).href}';
export default defineSettings({ BASE_DIR: import.meta.dirname, DEBUG: true, INSTALLED_APPS: ['shelf'], DATABASES: { default: { ENGINE: 'sqlite', NAME: ':memory:' } } });
`);
    write('manage.ts', `import { executeFromCommandLine } from '${pathToFileURL(join(SRC, 'core', 'management', 'index.ts')).href}';
process.env['NUAGES_SETTINGS_MODULE'] ??= new URL('./settings.ts', import.meta.url).href;
process.exitCode = await executeFromCommandLine(process.argv);
`);
    write('shelf/models.ts', '');
    write('shelf/books.ts', 'export function titles() {\n  return [\'Dune\'];\n}\nexport function unused() {\n  return [];\n}\n');
    write('shelf/tests/shelf.test.ts', PASSING);
    write('checkout/checkout.test.ts', FAILING);
    write('checkout/helpers.ts', 'export const notATest = 1;\n');
    write('node_modules/dep/dep.test.ts', FAILING);
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  test('with no label it runs every test file of the project (not node_modules) and exits 1 when one test fails', async () => {
    const { output, stderr, code } = await runTests();
    assert.match(output, /✔ shelf lists books/);
    assert.match(output, /✖ checkout totals/);
    assert.match(output, /ℹ tests 5\n/);
    assert.doesNotMatch(output, /dep\.test/);
    assert.equal(code, 1);
    assert.equal(stderr, 'CommandError: 1 test failed, 4 passed.\n');
  });

  test('an app label runs that app’s tests; a passing run exits 0', async () => {
    const { output, code } = await runTests('shelf');
    assert.equal(code, 0);
    assert.match(output, /ℹ pass 3\n/);
    assert.doesNotMatch(output, /checkout/);
  });

  test('a folder or a file label runs the tests under it', async () => {
    assert.match((await runTests('checkout')).output, /ℹ tests 2\n/);
    assert.match((await runTests(join(project, 'shelf', 'tests', 'shelf.test.ts'))).output, /ℹ tests 3\n/);
  });

  test('--failfast stops at the first failure: the files after it never run', async () => {
    // One file at a time, in path order: checkout/ fails before shelf/ starts.
    const { output, stderr, code } = await runTests('--failfast');
    assert.match(output, /✖ checkout totals/);
    assert.doesNotMatch(output, /shelf lists books/);
    assert.doesNotMatch(output, /AbortError/);
    assert.equal(code, 1);
    assert.match(stderr, /^CommandError: 1 test failed \(stopped at the first failure: --failfast\), [01] passed\.\n$/);
  });

  test('-k runs only the tests whose name matches', async () => {
    const { output, code } = await runTests('-k', 'after the');
    assert.equal(code, 0);
    assert.match(output, /✔ checkout after the failure/);
    assert.doesNotMatch(output, /checkout totals/);
  });

  test('--keepdb is passed to the test processes as NUAGES_KEEPDB=1', async () => {
    process.env['EXPECTED_KEEPDB'] = '1';
    try {
      assert.equal((await runTests('shelf', '--keepdb')).code, 0);
      assert.equal((await runTests('shelf')).code, 1);
    } finally {
      delete process.env['EXPECTED_KEEPDB'];
    }
  });

  test('--parallel runs files at once and refuses what is not a count', async () => {
    assert.match((await runTests('--parallel', '2')).output, /ℹ tests 5\n/);
    assert.match((await runTests('--parallel')).output, /ℹ tests 5\n/);
    assert.equal((await runTests('--parallel', '0')).stderr, "CommandError: --parallel takes a positive whole number or 'auto', got '0'.\n");
  });

  test("--coverage prints Node's coverage report for the project's modules, not its test files", async () => {
    const { output, code } = await runTests('shelf', '--coverage');
    assert.equal(code, 0);
    assert.match(output, /start of coverage report/);
    // books.ts: its unused() is the uncovered line.
    assert.match(output, /books\.ts\s+\|\s+[\d.]+ \|/);
    assert.doesNotMatch(output, /shelf\.test\.ts\s+\|/);
  });

  test('a label that names nothing is an error naming it and saying what a label can be', async () => {
    const { stderr, code } = await runTests('nosuch');
    assert.equal(code, 1);
    assert.match(stderr, /^CommandError: 'nosuch' is neither a file, a folder \(from .*\) nor an installed app's label\. Give a path such as shelf\/tests\/ or an app label such as shelf\.\n$/);
  });
});
