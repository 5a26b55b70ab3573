// The commands that run the system checks first (runserver, serve, migrate) refuse to start on
// an error, as Django's do, and `--skip-checks` lets them go on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const MANAGE = join(import.meta.dirname, 'fixtures', 'broken', 'manage.ts');
const REPORT =
  'SystemCheckError: System check identified some issues:\n\nERRORS:\n?: (urls.E006) The STATIC_URL setting must end with a slash.\n';

function manage(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MANAGE, ...args], { env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('commands that run the system checks first', () => {
  test('check itself fails with the report and the count', async () => {
    const { code, stderr } = await manage('check');
    assert.equal(code, 1);
    assert.equal(stderr, `${REPORT}\nSystem check identified 1 issue (0 silenced).\n`);
  });

  test('runserver prints "Performing system checks..." and stops on the error', async () => {
    const { code, stdout, stderr } = await manage('runserver', '127.0.0.1:0', '--noreload');
    assert.equal(code, 1);
    assert.equal(stdout, 'Performing system checks...\n\n');
    assert.equal(stderr, `${REPORT}\nSystem check identified 1 issue (0 silenced).\n`);
  });

  test('serve stops on the error before starting workers', async () => {
    const { code, stdout, stderr } = await manage('serve', '127.0.0.1:0', '--workers', '1');
    assert.equal(code, 1);
    assert.doesNotMatch(stdout, /Listening/);
    assert.equal(stderr, REPORT);
  });

  test('migrate stops on the error; with --skip-checks it migrates', async () => {
    const refused = await manage('migrate');
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, REPORT);
    const skipped = await manage('migrate', '--skip-checks');
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.doesNotMatch(skipped.stderr, /SystemCheckError/);
  });
});
