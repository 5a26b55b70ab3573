/**
 * Which migrations are applied: the `nuages_migrations` table (Django's
 * django_migrations), one row per applied migration with its app, name and
 * the time it was applied.
 */
import { Apps } from '../../conf/apps.ts';
import type { DatabaseWrapper } from '../backends/base/connection.ts';
import { Model, type ModelBase } from '../models/base.ts';
import { CharField, DateTimeField } from '../models/fields/index.ts';
import { schemaEditorFor } from '../schema.ts';
import { nodeKey } from './graph.ts';

/** The recorder's model lives in a registry of its own: it is no app's model. */
class MigrationRecord extends Model<MigrationRecord>()(
  {
    app: new CharField({ maxLength: 255 }),
    name: new CharField({ maxLength: 255 }),
    applied: new DateTimeField(),
  },
  { appLabel: 'migrations', dbTable: 'nuages_migrations', apps: new Apps() },
) {}

export class MigrationRecorder {
  static readonly tableName = 'nuages_migrations';
  readonly connection: DatabaseWrapper;
  #exists = false;

  constructor(connection: DatabaseWrapper) {
    this.connection = connection;
  }

  async hasTable(): Promise<boolean> {
    if (this.#exists) return true;
    this.#exists = (await schemaEditorFor(this.connection).tableNames()).includes(MigrationRecorder.tableName);
    return this.#exists;
  }

  /** Creates the table when it is missing. */
  async ensureSchema(): Promise<void> {
    if (await this.hasTable()) return;
    await schemaEditorFor(this.connection).createModel(MigrationRecord as unknown as typeof ModelBase);
    this.#exists = true;
  }

  /** Applied migrations by `app.name`, with when they were applied. */
  async appliedMigrations(): Promise<Map<string, Date>> {
    if (!(await this.hasTable())) return new Map();
    const rows = await MigrationRecord.objects.using(this.connection.alias).orderBy('id');
    return new Map(rows.map((row) => [nodeKey(row.app, row.name), row.applied]));
  }

  async recordApplied(app: string, name: string): Promise<void> {
    await this.ensureSchema();
    await MigrationRecord.objects.using(this.connection.alias).create({ app, name, applied: new Date() });
  }

  async recordUnapplied(app: string, name: string): Promise<void> {
    await this.ensureSchema();
    await MigrationRecord.objects.using(this.connection.alias).filter({ app, name }).delete();
  }

  /** Forgets every record (tests). */
  async flush(): Promise<void> {
    if (await this.hasTable()) await MigrationRecord.objects.using(this.connection.alias).all().delete();
  }
}
