// sqlsequencereset, the built-in AppCommand: on PostgreSQL the SQL Django 5.2 prints for the
// same models (django/framework_oracle.py), and that running it moves each id sequence past
// rows inserted with explicit ids; on SQLite there is nothing to reset. Always on PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apps, resetSettings } from '../../../src/conf/index.ts';
import { setup } from '../../../src/conf/lazy-settings.ts';
import { connections } from '../../../src/db/connections.ts';
import { callCommand } from '../../../src/core/management/index.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'framework');
const django = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'framework-expected.json'), 'utf8')) as { sequenceReset: string[] };

function sink(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

describe('sqlsequencereset on PostgreSQL', () => {
  before(async () => {
    process.env['FRAMEWORK_PG'] = '1';
    resetSettings();
    apps.clear();
    await setup({ settingsModule: join(FIXTURE, 'settings.ts') });
    await callCommand('migrate', { verbosity: 0, stdout: sink() });
  });
  after(async () => {
    await connections.closeAll();
    delete process.env['FRAMEWORK_PG'];
  });

  test('prints the statements Django prints, in one transaction', async () => {
    const stdout = sink();
    const output = (await callCommand('sqlsequencereset', 'polls', { stdout })) as string;
    const lines = output.split('\n');
    assert.equal(lines[0], 'BEGIN;');
    assert.equal(lines.at(-1), 'COMMIT;');
    // The registry lists an app's models in its own order; the statements are the same.
    assert.deepEqual([...lines].sort(), [...django.sequenceReset].sort());
    assert.equal(stdout.text, `${output}\n`);
  });

  test('running them makes the next id follow the largest one written by hand', async () => {
    const { Question, Choice } = await import('./fixtures/framework/polls/models.ts');
    await Question.objects.create({ id: 40, text: 'inserted with its id' } as never);
    await Choice.objects.create({ id: 7, question: await Question.objects.get({ id: 40 }) } as never);
    const sql = (await callCommand('sqlsequencereset', 'polls', { stdout: sink() })) as string;
    await connections.get().executeScript(sql);
    assert.equal((await Question.objects.create({ text: 'next' })).id, 41);
    assert.equal((await Choice.objects.create({ question: await Question.objects.get({ id: 40 }) } as never)).id, 8);
  });

  test('an app label that is not installed, or none at all, is refused', async () => {
    await assert.rejects(callCommand('sqlsequencereset', 'nope'), /^CommandError: No installed app with label 'nope'\./);
    await assert.rejects(callCommand('sqlsequencereset'), { message: 'Error: Enter at least one application label.' });
  });
});

describe('sqlsequencereset on SQLite', () => {
  test('finds no sequences: says so on stderr, prints no SQL', async () => {
    const manage = join(FIXTURE, 'manage.ts');
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env['NUAGES_SETTINGS_MODULE'];
    delete env['FRAMEWORK_PG'];
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [manage, 'sqlsequencereset', 'polls'], { env, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      });
    });
    assert.deepEqual(result, { code: 0, stdout: '', stderr: 'No sequences found.\n' });
  });
});
