// Type tests: this file must type-check (`npm run typecheck`), and the lines
// marked as expected errors must stay errors.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, defineSettings, resetSettings, settings, type Settings } from 'nuages/conf';

declare module 'nuages/conf' {
  interface Settings {
    SHOP_CURRENCY?: string;
  }
}

afterEach(() => resetSettings());

test('a setting declared by merging into Settings is typed on settings', () => {
  configure(defineSettings({ DEBUG: true, SHOP_CURRENCY: 'EUR' }));
  const currency: string | undefined = settings.SHOP_CURRENCY;
  assert.equal(currency, 'EUR');
  const typed: Settings['SHOP_CURRENCY'] = 'GBP';
  assert.equal(typed, 'GBP');
});

test('known settings keep their types; typos and lower-case names do not type-check', () => {
  configure({ DEBUG: true });
  const debug: boolean = settings.DEBUG;
  const engines: string[] = Object.values(settings.DATABASES).map((db) => db.ENGINE);
  assert.equal(debug, true);
  assert.deepEqual(engines, []);
  // @ts-expect-error not a setting
  void settings.DEBUGG;
  // @ts-expect-error DEBUG is a boolean
  assert.throws(() => defineSettings({ DEBUG: 1 }) && configure(defineSettings({ DEBUG: 1 })));
  // @ts-expect-error settings are read-only
  assert.throws(() => (settings.DEBUG = false));
});
