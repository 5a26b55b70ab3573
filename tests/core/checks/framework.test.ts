// The check framework itself: messages as Django prints them, the registry (tags, deploy,
// app labels, databases), the report format, and running the checks from a test suite.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { apps, configure, resetSettings } from '../../../src/conf/index.ts';
import {
  availableTags, CheckCritical, CheckDebug, CheckError, CheckInfo, CheckMessage, CheckWarning, formatCheckReport,
  registerCheck, runChecks, tagExists, unregisterCheck, WARNING, type CheckContext,
} from '../../../src/core/checks/index.ts';
import { callCommand, SystemCheckError } from '../../../src/core/management/index.ts';
import { CharField, Model } from '../../../src/db/index.ts';
import { runSystemChecks } from '../../../src/test/index.ts';
import { sink } from './django-fixture.ts';

afterEach(() => {
  resetSettings();
  apps.clear();
});

describe('check messages', () => {
  test('print as Django prints them: object, ID, message, tab-indented hint', () => {
    class Shelf extends Model<Shelf>()({ label: new CharField({ maxLength: 5 }) }, { appLabel: 'library' }) {}
    assert.equal(String(new CheckError('Broken.', { id: 'x.E001', hint: 'Fix it.', obj: Shelf })), 'library.Shelf: (x.E001) Broken.\n\tHINT: Fix it.');
    assert.equal(String(new CheckWarning('Odd.', { obj: Shelf._meta.getField('label') })), 'library.Shelf.label: Odd.');
    assert.equal(String(new CheckInfo('Note.', { obj: 'CACHES' })), 'CACHES: Note.');
    assert.equal(String(new CheckDebug('Detail.')), '?: Detail.');
  });

  test("levels are Django's numbers; isSerious() compares with ERROR unless told", () => {
    assert.deepEqual([new CheckDebug('').level, new CheckInfo('').level, new CheckWarning('').level, new CheckError('').level, new CheckCritical('').level], [10, 20, 30, 40, 50]);
    assert.equal(new CheckWarning('w').isSerious(), false);
    assert.equal(new CheckWarning('w').isSerious(WARNING), true);
    assert.equal(new CheckCritical('c').isSerious(), true);
  });

  test('equals() compares class, level, text, hint, object and ID', () => {
    const a = new CheckWarning('Same.', { id: 'x.W001', hint: 'h', obj: 'o' });
    assert.equal(a.equals(new CheckWarning('Same.', { id: 'x.W001', hint: 'h', obj: 'o' })), true);
    assert.equal(a.equals(new CheckWarning('Same.', { id: 'x.W002', hint: 'h', obj: 'o' })), false);
    assert.equal(a.equals(new CheckMessage(WARNING, 'Same.', { id: 'x.W001', hint: 'h', obj: 'o' })), false);
  });

  test('a level that is not a number is refused', () => {
    assert.throws(() => new CheckMessage('WARNING' as unknown as number, 'x'), /first argument of CheckMessage should be the level/);
  });

  test('isSilenced() reads SILENCED_SYSTEM_CHECKS', () => {
    configure({ DEBUG: true, SILENCED_SYSTEM_CHECKS: ['x.W001'] });
    assert.equal(new CheckWarning('', { id: 'x.W001' }).isSilenced(), true);
    assert.equal(new CheckWarning('', { id: 'x.W002' }).isSilenced(), false);
    assert.equal(new CheckWarning('').isSilenced(), false);
  });
});

describe('the registry', () => {
  test('tags select checks; deploy checks run only when asked; a check registered twice runs once', async () => {
    configure({ DEBUG: true });
    let calls = 0;
    const everyday = registerCheck(() => {
      calls++;
      return [new CheckInfo('everyday', { id: 'reg.I001' })];
    }, { tags: ['reg-a'] });
    registerCheck(everyday, { tags: ['reg-a'] });
    const deploy = registerCheck(() => [new CheckInfo('deploy', { id: 'reg.I002' })], { tags: ['reg-b'], deploy: true });
    try {
      assert.deepEqual((await runChecks({ tags: ['reg-a', 'reg-b'] })).map((m) => m.id), ['reg.I001']);
      assert.deepEqual((await runChecks({ tags: ['reg-a', 'reg-b'], includeDeploymentChecks: true })).map((m) => m.id), ['reg.I001', 'reg.I002']);
      assert.equal(calls, 2);
      assert.equal(tagExists('reg-b'), false);
      assert.equal(tagExists('reg-b', true), true);
      assert.ok(availableTags(true).has('reg-a'));
    } finally {
      assert.equal(unregisterCheck(everyday), true);
      assert.equal(unregisterCheck(deploy), true);
      assert.equal(unregisterCheck(deploy), false);
    }
  });

  test('a check that returns something else than an array is named in the error', async () => {
    configure({ DEBUG: true });
    const sloppy = registerCheck(function sloppyCheck() {
      return undefined as never;
    }, { tags: ['reg-sloppy'] });
    try {
      await assert.rejects(runChecks({ tags: ['reg-sloppy'] }), /The system check sloppyCheck did not return an array/);
    } finally {
      unregisterCheck(sloppy);
    }
  });

  test('`check <app>` passes those apps, `--database` the databases, to every check', async () => {
    const tagapps = join(import.meta.dirname, 'fixtures', 'tagapps');
    configure({ DEBUG: true, BASE_DIR: tagapps, INSTALLED_APPS: ['alpha', 'beta'] });
    await apps.populate(['alpha', 'beta'], { baseDir: tagapps });
    const seen: CheckContext[] = [];
    const spy = registerCheck((context) => {
      seen.push(context);
      return [];
    }, { tags: ['reg-spy'] });
    try {
      await callCommand('check', 'beta', '--tag', 'reg-spy', '--database', 'default', '--database', 'replica', { stdout: sink() });
      await callCommand('check', '--tag', 'reg-spy', { stdout: sink() });
      assert.deepEqual(seen[0]!.appConfigs?.map((config) => config.label), ['beta']);
      assert.deepEqual(seen[0]!.databases, ['default', 'replica']);
      assert.deepEqual(seen[1], { appConfigs: undefined, databases: undefined });
    } finally {
      unregisterCheck(spy);
    }
  });
});

describe('the report', () => {
  const messages = [
    new CheckWarning('b warning', { id: 'r.W002' }),
    new CheckDebug('a debug', { id: 'r.D001' }),
    new CheckCritical('a critical', { id: 'r.C001' }),
    new CheckWarning('a warning', { id: 'r.W001' }),
    new CheckInfo('an info', { id: 'r.I001' }),
    new CheckError('an error', { id: 'r.E001', hint: 'Fix.' }),
  ];

  test('groups by level in Django’s order, sorts each group, counts issues', () => {
    configure({ DEBUG: true });
    const report = formatCheckReport(messages, { displayNumIssues: true });
    assert.equal(
      report.text,
      'System check identified some issues:\n\n' +
        'CRITICALS:\n?: (r.C001) a critical\n\n' +
        'ERRORS:\n?: (r.E001) an error\n\tHINT: Fix.\n\n' +
        'WARNINGS:\n?: (r.W001) a warning\n?: (r.W002) b warning\n\n' +
        'INFOS:\n?: (r.I001) an info\n\n' +
        'DEBUGS:\n?: (r.D001) a debug\n\n' +
        'System check identified 6 issues (0 silenced).',
    );
    assert.equal(report.failed, true);
  });

  test('the fail level decides failure; silenced messages are counted, not shown', () => {
    configure({ DEBUG: true, SILENCED_SYSTEM_CHECKS: ['r.C001', 'r.E001'] });
    const report = formatCheckReport(messages, { displayNumIssues: true });
    assert.equal(report.failed, false);
    assert.equal(report.silenced, 2);
    assert.match(report.text, /\nSystem check identified 4 issues \(2 silenced\)\.$/);
    assert.equal(formatCheckReport(messages, { failLevel: WARNING }).failed, true);
  });

  test('nothing to report: no text without the count, "no issues" with it', () => {
    assert.equal(formatCheckReport([]).text, '');
    assert.equal(formatCheckReport([], { displayNumIssues: true }).text, 'System check identified no issues (0 silenced).');
  });
});

describe('runSystemChecks() in a test suite', () => {
  test('returns the report when nothing reaches the fail level, throws SystemCheckError when something does', async () => {
    configure({ DEBUG: true });
    const warn = registerCheck(() => [new CheckWarning('Careful.', { id: 'suite.W001' })], { tags: ['suite'] });
    try {
      const report = await runSystemChecks({ tags: ['suite'] });
      assert.equal(report.text, 'System check identified some issues:\n\nWARNINGS:\n?: (suite.W001) Careful.\n\nSystem check identified 1 issue (0 silenced).');
      await assert.rejects(runSystemChecks({ tags: ['suite'], failLevel: WARNING }), (error: Error) => {
        assert.ok(error instanceof SystemCheckError);
        assert.equal(error.message, report.text);
        return true;
      });
    } finally {
      unregisterCheck(warn);
    }
  });

  test('checks the deployment settings when asked', async () => {
    configure({ DEBUG: true });
    await assert.rejects(runSystemChecks({ includeDeploymentChecks: true, tags: ['security'], failLevel: WARNING }), /\(security\.W018\) You should not have DEBUG set to true in deployment\./);
  });
});
