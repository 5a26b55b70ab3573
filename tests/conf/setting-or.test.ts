import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, isSettingName, overrideSettings, resetSettings } from '../../src/conf/index.ts';
import { settingOr } from '../../src/conf/lazy-settings.ts';

describe('isSettingName', () => {
  test('upper-case names with at least one letter are setting names', () => {
    for (const name of ['DEBUG', 'SECRET_KEY', 'X', 'A1', 'DATA_UPLOAD_MAX_MEMORY_SIZE', 'ÉTÉ']) assert.equal(isSettingName(name), true, name);
    for (const name of ['debug', 'Debug', 'configured', '_', '123', '', 'SECRET_key', 'Été', 'ÉTé']) assert.equal(isSettingName(name), false, name);
  });
});

describe('settingOr', () => {
  test('gives the fallback before configure(), then the value, the override, or the fallback when unset', async () => {
    resetSettings();
    assert.equal(settingOr('DEBUG', 'fallback'), 'fallback');
    configure({ SECRET_KEY: 'x', DEBUG: true });
    try {
      assert.equal(settingOr('DEBUG', false), true);
      assert.equal(settingOr('NOT_A_SETTING_ANYONE_SET', 7), 7);
      await overrideSettings({ DEBUG: false }, () => {
        assert.equal(settingOr('DEBUG', true), false);
      });
      assert.equal(settingOr('DEBUG', false), true);
    } finally {
      resetSettings();
    }
  });
});
