/**
 * The signals `migrate` sends around its work (Django's management/sql.py): `preMigrate`
 * before anything changes and `postMigrate` after, once per installed app with models, the
 * app's AppConfig as sender. The test database helper sends them too, so what receivers
 * create after `migrate` (content types, permissions) exists in tests as well.
 */
import { apps as projectApps } from '../../conf/apps.ts';
import { postMigrate, preMigrate, type MigrateArgs } from '../../db/models/signals.ts';
import type { OutputWrapper } from './base.ts';

/** What `emitPreMigrateSignal()` / `emitPostMigrateSignal()` pass on to receivers. */
export interface MigrateSignalOptions {
  readonly verbosity: number;
  readonly interactive: boolean;
  /** The database alias migrated. */
  readonly using: string;
  /** The plan run (steps of migrations, forwards or backwards). */
  readonly plan?: unknown;
  /**
   * The historical models (a StateApps): before the plan for preMigrate, after it for
   * postMigrate. A function, called once and only when the signal has receivers, since
   * rendering every historical model has a cost.
   */
  readonly apps?: () => unknown;
  /** Where "Running post-migrate handlers…" goes at verbosity 2 and up. */
  readonly stdout?: OutputWrapper;
}

async function emit(signal: typeof postMigrate, phase: 'pre' | 'post', options: MigrateSignalOptions): Promise<void> {
  const historical = signal.hasListeners() ? options.apps?.() : undefined;
  for (const appConfig of projectApps.getAppConfigs()) {
    // Like Django, only apps that have models hear about migrations.
    if (appConfig.getModels().length === 0) continue;
    if (options.verbosity >= 2) options.stdout?.write(`Running ${phase}-migrate handlers for application ${appConfig.label}`);
    const args: MigrateArgs = {
      appConfig,
      verbosity: options.verbosity,
      interactive: options.interactive,
      using: options.using,
      plan: options.plan,
      apps: historical,
      stdout: options.stdout,
    };
    await signal.send(appConfig, args);
  }
}

/** Sends `preMigrate` for every installed app with models, in INSTALLED_APPS order. */
export function emitPreMigrateSignal(options: MigrateSignalOptions): Promise<void> {
  return emit(preMigrate, 'pre', options);
}

/** Sends `postMigrate` for every installed app with models, in INSTALLED_APPS order. */
export function emitPostMigrateSignal(options: MigrateSignalOptions): Promise<void> {
  return emit(postMigrate, 'post', options);
}
