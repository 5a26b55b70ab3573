/**
 * The project the serializer and fixture-command tests run: contenttypes, auth and the
 * `shelf` app (project/shelf, twin of the Django app in django/shelf), on the test
 * database, and the data of django/dataset.json created with the ORM as
 * fixtures_oracle.py creates it with Django's.
 */
import { after, before } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apps } from '../../../src/conf/apps.ts';
import { configure, setup, type SettingsInput } from '../../../src/conf/index.ts';
import { connections } from '../../../src/db/connections.ts';
import type { ModelBase } from '../../../src/db/models/base.ts';
import { ForeignKey } from '../../../src/db/models/fields/related.ts';
import { ManyToManyField } from '../../../src/db/models/fields/many-to-many.ts';
import type { ManyRelatedManager } from '../../../src/db/models/related-managers.ts';
import type { NaturalKeyManager } from '../../../src/core/serializers/index.ts';
import { setupTestDatabase } from '../../../src/test/index.ts';

type ModelCtor = typeof ModelBase & (new (init: Record<string, unknown>) => ModelBase);

export const PROJECT = join(import.meta.dirname, 'project');
export const ORACLE = join(import.meta.dirname, 'django');
export const EXPECTED = join(ORACLE, 'expected');

/**
 * Configures the shelf project (FIXTURE_DIRS: project/more_fixtures) and builds its test
 * database: SQLite in memory, the database fixtures_oracle.py ran Django on, whose outputs
 * (jsonb reorders a JSON object's keys; messages quote the database) the tests compare
 * byte for byte. loaddata-postgres.test.ts passes PostgreSQL in `extra`.
 */
export async function setUpShelfProject(extra: SettingsInput = {}): Promise<void> {
  configure({
    DEBUG: true,
    SECRET_KEY: 'nuages-serializer-tests',
    BASE_DIR: PROJECT,
    INSTALLED_APPS: ['nuages/contrib/contenttypes', 'nuages/contrib/auth', 'shelf'],
    DATABASES: { default: { ENGINE: 'sqlite', NAME: ':memory:' } },
    FIXTURE_DIRS: [join(PROJECT, 'more_fixtures')],
    ...extra,
  });
  await setup();
  await setupTestDatabase({ databases: Object.keys(extra.DATABASES ?? { default: null }) });
}

interface Dataset {
  users: { pk: number; username: string; dateJoined: string; groups: number[] }[];
  groups: { pk: number; name: string; permissions: [string, string, string][] }[];
  objects: { model: string; pk: unknown; fields: Record<string, unknown> }[];
}

/** The command lines of django/cases.json, with `<serializers>` made this folder. */
export interface OracleCases {
  dumps: Record<string, string[]>;
  loaddata: Record<string, string[]>;
  dumpdata: Record<string, string[]>;
  /** Django's own auth models dumped (snake_case names): loaded by the tests, not compared. */
  djangoOnly: Record<string, string[]>;
}

export function oracleCases(): OracleCases {
  const text = readFileSync(join(ORACLE, 'cases.json'), 'utf8').replaceAll('<serializers>', import.meta.dirname);
  return JSON.parse(text) as OracleCases;
}

/**
 * Registers the hooks that set the shelf project up before a file's tests (with the
 * dataset when asked) and close its connections after; `ready` runs once it is loaded.
 */
export function useShelfProject(options: { dataset?: boolean } = {}, ready?: (models: ShelfModels) => void): void {
  before(async () => {
    await setUpShelfProject();
    if (options.dataset) await createDataset();
    ready?.(shelfModels());
  });
  after(() => connections.closeAll());
}

/** The model classes of project/shelf/models.ts. */
export type ShelfModels = Pick<typeof import('./project/shelf/models.ts'), 'Author' | 'Book' | 'Issue' | 'Loan' | 'Member' | 'Series' | 'Tag'>;

/** The shelf app's model classes, as the app registry loaded them. */
export function shelfModels(): ShelfModels {
  const names = ['Author', 'Book', 'Issue', 'Loan', 'Member', 'Series', 'Tag'] as const;
  return Object.fromEntries(names.map((name) => [name, apps.getModel(`shelf.${name}`)])) as unknown as ShelfModels;
}

/** django/dataset.json. */
export function dataset(): Dataset {
  return JSON.parse(readFileSync(join(ORACLE, 'dataset.json'), 'utf8')) as Dataset;
}

/** A dataset value as the model takes it: durations are microseconds there, milliseconds here. */
function initValue(model: ModelCtor, name: string, value: unknown): [string, unknown] {
  const field = model._meta.getField(name);
  if (field instanceof ForeignKey) return [field.attname, value];
  if (field.internalType === 'DurationField' && typeof value === 'number') return [name, value / 1000];
  return [name, value];
}

/** Creates django/dataset.json's rows on `using` with the ORM (no serializer involved). */
export async function createDataset(using = 'default'): Promise<void> {
  const data = dataset();
  const many: [ModelBase, string, unknown[]][] = [];
  const Group = apps.getModel('auth.Group') as unknown as ModelCtor;
  const permissions = (apps.getModel('auth.Permission') as unknown as { objects: NaturalKeyManager }).objects.using(using);
  for (const { pk, name, permissions: keys } of data.groups) {
    const group = new Group({ id: pk, name });
    await group.save({ using, forceInsert: true });
    many.push([group, 'permissions', await Promise.all(keys.map(async (key) => (await permissions.getByNaturalKey(...key)).pk))]);
  }
  const User = apps.getModel('auth.User') as unknown as ModelCtor;
  for (const { pk, username, dateJoined, groups } of data.users) {
    const user = new User({ id: pk, username, dateJoined });
    await user.save({ using, forceInsert: true });
    many.push([user, 'groups', groups]);
  }
  for (const entry of data.objects) {
    const model = apps.getModel(entry.model) as unknown as ModelCtor;
    const init: Record<string, unknown> = { [model._meta.pk.name]: entry.pk };
    for (const [name, value] of Object.entries(entry.fields)) {
      if (model._meta.getField(name) instanceof ManyToManyField) continue;
      const [key, converted] = initValue(model, name, value);
      init[key] = converted;
    }
    const obj = new model(init);
    await obj.save({ using, forceInsert: true });
    for (const [name, value] of Object.entries(entry.fields)) {
      if (model._meta.getField(name) instanceof ManyToManyField) many.push([obj, name, value as unknown[]]);
    }
  }
  for (const [obj, name, keys] of many) await ((obj as unknown as Record<string, ManyRelatedManager<ModelBase>>)[name]!).set(keys as never);
}

/** A writer that keeps what a command prints. */
export function output(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}
