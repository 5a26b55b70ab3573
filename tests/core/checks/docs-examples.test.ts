// The examples of docs/checks.md, kept compiling and running (same code, asserts in place of the comments).
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, resetSettings, settings } from '../../../src/conf/index.ts';
import { CheckError, CheckWarning, formatCheckReport, registerCheck, runChecks, unregisterCheck } from '../../../src/core/checks/index.ts';
import { SystemCheckError } from '../../../src/core/management/index.ts';
import { runSystemChecks } from '../../../src/test/index.ts';

afterEach(() => resetSettings());

describe('docs/checks.md', () => {
  test('writing a check: an error check and an async deploy check, run and formatted', async () => {
    configure({ DEBUG: true, PAYMENT_URL: 'http://pay.example' });
    const currencyCheck = registerCheck(() => {
      const currency = (settings as unknown as Record<string, unknown>)['SHOP_CURRENCY'];
      if (typeof currency === 'string' && /^[A-Z]{3}$/.test(currency)) return [];
      return [
        new CheckError('SHOP_CURRENCY must be a three-letter ISO code.', {
          hint: "Add SHOP_CURRENCY: 'EUR' to the settings.",
          id: 'shop.E001',
        }),
      ];
    }, { tags: ['shop'] });
    const gatewayCheck = registerCheck(async () => {
      const gateway = (settings as unknown as Record<string, unknown>)['PAYMENT_URL'];
      return String(gateway).startsWith('https://')
        ? []
        : [new CheckWarning('PAYMENT_URL is not an https:// URL.', { id: 'shop.W001' })];
    }, { tags: ['shop'], deploy: true });
    try {
      const messages = await runChecks({ tags: ['shop'] });
      const report = formatCheckReport(messages, { displayNumIssues: true });
      assert.equal(
        report.text,
        "System check identified some issues:\n\nERRORS:\n?: (shop.E001) SHOP_CURRENCY must be a three-letter ISO code.\n\tHINT: Add SHOP_CURRENCY: 'EUR' to the settings.\n\n" +
          'System check identified 1 issue (0 silenced).',
      );
      assert.equal(report.failed, true);
      assert.equal(report.silenced, 0);
      const deploy = await runChecks({ tags: ['shop'], includeDeploymentChecks: true });
      assert.deepEqual(deploy.map((m) => m.id), ['shop.E001', 'shop.W001']);
    } finally {
      unregisterCheck(currencyCheck);
      unregisterCheck(gatewayCheck);
    }
  });

  test('silencing: a listed ID is counted, not shown, and fails nothing', async () => {
    configure({ DEBUG: true, SILENCED_SYSTEM_CHECKS: ['security.W004'] });
    const report = formatCheckReport([new CheckWarning('No HSTS.', { id: 'security.W004' })], { displayNumIssues: true });
    assert.equal(report.text, 'System check identified no issues (1 silenced).');
  });

  test('in a test suite: runSystemChecks() passes on warnings, and fails on them with failLevel 30', async () => {
    configure({ DEBUG: true });
    const report = await runSystemChecks();
    assert.equal(report.failed, false);
    await assert.rejects(runSystemChecks({ includeDeploymentChecks: true, tags: ['security'], failLevel: 30 }), SystemCheckError);
  });
});
