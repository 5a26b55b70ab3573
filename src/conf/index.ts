/**
 * `nuages/conf`: settings, environment helpers and the app registry.
 *
 * ```ts
 * import { defineSettings, env, settings, setup, apps } from 'nuages/conf';
 * ```
 */
export {
  DATABASE_ENGINES,
  defaultSettings,
  defineSettings,
  isSettingName,
  type BuiltinSettings,
  type CacheSettings,
  type TaskBackendSettings,
  type DatabaseSettings,
  type DefinedSettings,
  type Settings,
  type SettingsInput,
  type TemplateSettings,
} from './settings.ts';
export {
  configure,
  loadSettingsModule,
  overrideSettings,
  resetSettings,
  settings,
  setup,
  type SettingsControl,
  type SetupOptions,
} from './lazy-settings.ts';
export { env, maskPassword, parseDatabaseUrl, type DatabaseUrlOptions } from './env.ts';
export { parseCacheUrl } from './cache-url.ts';
export {
  AppConfig,
  Apps,
  apps,
  MODEL_MARKER,
  type LazyModelOptions,
  type ModelClass,
  type PendingReference,
} from './apps.ts';
export * from './errors.ts';
export { ImproperlyConfigured } from '../core/errors.ts';
