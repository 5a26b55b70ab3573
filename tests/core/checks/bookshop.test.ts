// The bookshop's own settings under `manage.ts check --deploy`: in development (no environment
// variables) it gets the warnings Django 5.2 gives for the same settings; in production
// (DEBUG=false, a real SECRET_KEY, its host, HTTPS=true) it gets none.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DJANGO, SCENARIOS, translate, type Expected } from './django-fixture.ts';

const MANAGE = join(import.meta.dirname, '..', '..', '..', 'examples', 'bookshop', 'manage.ts');
// Variables the bookshop's settings read; unset so the machine's environment cannot leak in.
const SETTINGS_VARIABLES = ['DEBUG', 'SECRET_KEY', 'ALLOWED_HOSTS', 'HTTPS', 'BEHIND_PROXY', 'DATABASE_URL', 'CACHE_URL', 'SESSION_ENGINE', 'STATIC_ROOT'];
const STATIC_ROOT = mkdtempSync(join(tmpdir(), 'nuages-bookshop-checks-static-'));
after(() => rmSync(STATIC_ROOT, { recursive: true, force: true }));

function checkDeploy(env: Record<string, string>, command: string[] = ['check', '--deploy']): Promise<{ code: number; stdout: string; stderr: string }> {
  const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  for (const name of SETTINGS_VARIABLES) delete base[name];
  return new Promise((resolve) => {
    execFile(process.execPath, [MANAGE, ...command], { env: { ...base, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** `?: (id) message` and its hint line, as the report prints one message. */
function printed(message: Expected): string {
  return `?: (${message.id}) ${translate(message.msg)}${message.hint ? `\n\tHINT: ${translate(message.hint)}` : ''}`;
}

describe('the bookshop under check --deploy', () => {
  test("development settings: Django's warnings for the same settings, and check still succeeds", async () => {
    const { code, stdout, stderr } = await checkDeploy({});
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '');
    const expected = DJANGO.deploy['bookshop development settings']!;
    const djangoIds = [...stderr.matchAll(/^\?: \((security\.\w+)\)/gm)].map((m) => m[1]);
    assert.deepEqual(djangoIds, expected.map((m) => m.id));
    for (const message of expected) assert.ok(stderr.includes(printed(message)), `missing:\n${printed(message)}\nin:\n${stderr}`);
  });

  test('production settings from the environment, static files collected: no issues at all', async () => {
    const production = { DEBUG: 'false', SECRET_KEY: SCENARIOS.strongKey, ALLOWED_HOSTS: 'shop.example', HTTPS: 'true', STATIC_ROOT };
    // Hashed static names need the manifest collectstatic writes: without it, a warning says so.
    const before = await checkDeploy(production);
    assert.match(before.stderr, /\(staticfiles\.W005\).*collectstatic/s);
    const collected = await checkDeploy(production, ['collectstatic', '--noinput']);
    assert.equal(collected.code, 0, collected.stderr);
    const { code, stdout, stderr } = await checkDeploy(production);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(stdout, 'System check identified no issues (0 silenced).\n');
  });
});
