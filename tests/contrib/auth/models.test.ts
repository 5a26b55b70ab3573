// The auth models: Django's schema (compared with what Django 5.2's own migrations build),
// Django's rows read as they are, passwords, usernames, the managers and content types.
// Oracle: django/schema_oracle.py writes django/schema.json.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { overrideSettings } from '../../../src/conf/index.ts';
import {
  AbstractUser,
  AnonymousUser,
  BaseUserManager,
  Group,
  Permission,
  User,
  UserCreationError,
  asciiUsernameValidator,
  getUserModel,
  unicodeUsernameValidator,
  UserModelNotInstalledError,
} from '../../../src/contrib/auth/index.ts';
import { PBKDF2SHA1PasswordHasher, MD5PasswordHasher } from '../../../src/contrib/auth/hashers.ts';
import { ContentType } from '../../../src/contrib/contenttypes/index.ts';
import { captureQueries, connections, ValidationError } from '../../../src/db/index.ts';
import { assertNumQueries } from '../../../src/test/index.ts';
import { Book } from './fixtures/library/models.ts';
import { setUpAuthProject } from './helpers.ts';

interface Oracle {
  schema: Record<string, { columns: Record<string, { type: string; notnull: boolean; pk: boolean }>; foreignKeys: string[][]; unique: string[][]; indexed: string[][] }>;
  permissions: [string, string, string, string][];
  rows: Record<string, Record<string, unknown>[]>;
  password: string;
  secretKey: string;
  sessionAuthHash: string;
  usernames: { value: string; unicode: boolean; ascii: boolean; normalized: string }[];
  emails: { value: string | null; normalized: string }[];
}

const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'schema.json'), 'utf8')) as Oracle;

/** A hasher with few iterations, standing for an outdated work factor. */
class CheapPBKDF2 extends PBKDF2SHA1PasswordHasher {
  override iterations = 1000;
}

// SQLite whatever NUAGES_TEST_DB says: the oracle describes Django's SQLite schema and rows.
before(() => setUpAuthProject({ DATABASES: { default: { ENGINE: 'sqlite', NAME: ':memory:' } } }));
after(() => connections.closeAll());

async function rows(sql: string): Promise<unknown[][]> {
  return connections.get().fetchAll({ sql, params: [] });
}

/** The schema of a table as SQLite reports it, in the oracle's shape. */
async function sqliteSchema(table: string): Promise<Oracle['schema'][string]> {
  const columns: Oracle['schema'][string]['columns'] = {};
  for (const [, name, type, notnull, , pk] of await rows(`PRAGMA table_info("${table}")`)) {
    columns[String(name)] = { type: String(type).toLowerCase(), notnull: Boolean(notnull), pk: Boolean(pk) };
  }
  const foreignKeys = (await rows(`PRAGMA foreign_key_list("${table}")`)).map((fk) => [String(fk[3]), String(fk[2]), String(fk[4])]).sort();
  const unique: string[][] = [];
  const indexed: string[][] = [];
  for (const index of await rows(`PRAGMA index_list("${table}")`)) {
    const names = (await rows(`PRAGMA index_info("${String(index[1])}")`)).map((info) => String(info[2]));
    (index[2] ? unique : indexed).push(names);
  }
  return { columns, foreignKeys, unique: unique.sort(), indexed: indexed.sort() };
}

describe("the tables are Django's", () => {
  test('every auth and contenttypes table has the columns, types, keys and unique sets of Django 5.2', async () => {
    for (const [table, expected] of Object.entries(oracle.schema)) {
      const lowered = Object.fromEntries(Object.entries(expected.columns).map(([name, c]) => [name, { ...c, type: c.type.toLowerCase() }]));
      assert.deepEqual(await sqliteSchema(table), { ...expected, columns: lowered }, table);
    }
  });

  test('the many-to-many join models use Django table and column names', () => {
    const join = (field: string) => (User._meta.getField(field) as unknown as { throughModel: typeof User }).throughModel._meta;
    assert.deepEqual([join('groups').dbTable, join('groups').fields.map((f) => f.column)], ['auth_user_groups', ['id', 'user_id', 'group_id']]);
    assert.equal(join('userPermissions').dbTable, 'auth_user_user_permissions');
    assert.equal(ContentType._meta.dbTable, 'django_content_type');
  });

  test('migrate creates the permissions Django creates for the auth and contenttypes models', async () => {
    const created = (await Permission.objects.filter({ contentType__appLabel__in: ['auth', 'contenttypes'] }).valuesList('contentType__appLabel', 'contentType__model', 'codename', 'name')) as unknown as string[][];
    assert.deepEqual(created.map((p) => [...p]).sort(), oracle.permissions);
  });
});

describe('a database Django made reads as it is', () => {
  before(async () => {
    const db = connections.get();
    // Django's rows replace ours, ids and all: parents first, children deleted first.
    const tables = ['django_content_type', 'auth_permission', 'auth_group', 'auth_group_permissions', 'auth_user', 'auth_user_groups', 'auth_user_user_permissions'];
    for (const table of [...tables].reverse()) await db.executeScript(`DELETE FROM "${table}"`);
    for (const table of tables) {
      for (const row of oracle.rows[table]!) {
        const names = Object.keys(row);
        const placeholders = names.map(() => '?').join(', ');
        await db.execute({ sql: `INSERT INTO "${table}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${placeholders})`, params: names.map((n) => row[n]) as never });
      }
    }
    ContentType.objects.clearCache();
  });

  test("Django's user row loads with its fields, and its password checks with the default hasher", async () => {
    const user = await User.objects.get({ username: 'django-made' });
    assert.equal(user.email, 'made@django.example.com');
    assert.equal(user.firstName, 'Dj');
    assert.equal(user.isActive, true);
    assert.equal(user.lastLogin, null);
    assert.ok(user.dateJoined instanceof Date);
    await overrideSettings({ PASSWORD_HASHERS: ['pbkdf2_sha256', 'md5'] }, async () => {
      assert.equal(await user.checkPassword(oracle.password), true);
      assert.equal(await user.checkPassword('wrong'), false);
    });
  });

  test("the session hash equals Django's for the same password hash and SECRET_KEY", async () => {
    const user = await User.objects.get({ username: 'django-made' });
    assert.equal(user.getSessionAuthHash(oracle.secretKey), oracle.sessionAuthHash);
    assert.notEqual(user.getSessionAuthHash(), oracle.sessionAuthHash, 'another SECRET_KEY gives another hash');
  });

  test("Django's group and direct permissions give the user its permissions", async () => {
    const user = await User.objects.get({ username: 'django-made' });
    assert.deepEqual([...(await user.getAllPermissions())].sort(), ['auth.change_group', 'auth.view_permission']);
    const group = await Group.objects.get({ name: 'editors' });
    assert.deepEqual(await group.permissions.valuesList('codename', { flat: true }), ['change_group']);
    assert.deepEqual(await group.userSet.valuesList('username', { flat: true }), ['django-made']);
  });
});

describe('passwords', () => {
  test('setPassword() hashes with the preferred hasher; checkPassword() verifies', async () => {
    const user = new User({ username: 'pw1' });
    await user.setPassword('s3cret-pass');
    assert.match(user.password, /^md5\$/);
    assert.equal(await user.checkPassword('s3cret-pass'), true);
    assert.equal(await user.checkPassword('S3cret-pass'), false);
  });

  test('a correct password with an outdated hash is rehashed and only the password column is saved', async () => {
    const user = await User.objects.createUser('pw2', '', null);
    user.password = await new CheapPBKDF2().encode('old-pass', 'salty');
    await user.save();
    user.firstName = 'unsaved';
    await overrideSettings({ PASSWORD_HASHERS: [MD5PasswordHasher, CheapPBKDF2] }, async () => {
      const { result, queries } = await captureQueries(() => user.checkPassword('old-pass'));
      assert.equal(result, true);
      assert.match(user.password, /^md5\$/);
      const updates = queries.filter((q) => /^UPDATE/.test(q.sql));
      assert.equal(updates.length, 1);
      assert.match(updates[0]!.sql, /SET "password" = \S+ WHERE/);
      const stored = await User.objects.get({ pk: user.pk });
      assert.match(stored.password, /^md5\$/);
      assert.equal(stored.firstName, '', 'other fields are not saved');
      assert.equal(await stored.checkPassword('old-pass'), true);
    });
  });

  test('a wrong password leaves an outdated hash alone', async () => {
    const user = await User.objects.createUser('pw3');
    user.password = await new CheapPBKDF2().encode('old-pass', 'salty');
    await user.save();
    await overrideSettings({ PASSWORD_HASHERS: [MD5PasswordHasher, CheapPBKDF2] }, async () => {
      assert.equal(await user.checkPassword('nope'), false);
      assert.match((await User.objects.get({ pk: user.pk })).password, /^pbkdf2_sha1\$1000\$/);
    });
  });

  test('an unusable password matches nothing, and a user created without a password gets one', async () => {
    const user = await User.objects.createUser('pw4', 'pw4@example.com');
    assert.equal(user.hasUsablePassword(), false);
    assert.equal(await user.checkPassword(''), false);
    await user.setPassword('now-usable');
    assert.equal(user.hasUsablePassword(), true);
    await user.setUnusablePassword();
    assert.equal(user.hasUsablePassword(), false);
    assert.match(user.password, /^!.{40}$/);
  });

  test('the session hash changes when the password changes', async () => {
    const user = new User({ username: 'pw5' });
    await user.setPassword('first-pass');
    const before = user.getSessionAuthHash();
    assert.match(before, /^[0-9a-f]{64}$/);
    await user.setPassword('second-pass');
    assert.notEqual(user.getSessionAuthHash(), before);
  });
});

describe('usernames and emails', () => {
  test("the username validators accept and refuse what Django's do", () => {
    const accepts = (validator: (value: unknown) => void, value: string) => {
      try {
        validator(value);
        return true;
      } catch (error) {
        assert.ok(error instanceof ValidationError);
        return false;
      }
    };
    for (const { value, unicode, ascii } of oracle.usernames) {
      assert.equal(accepts(unicodeUsernameValidator, value), unicode, `unicode: ${JSON.stringify(value)}`);
      assert.equal(accepts(asciiUsernameValidator, value), ascii, `ascii: ${JSON.stringify(value)}`);
    }
  });

  test("normalizeUsername() is Django's NFKC and normalizeEmail() lower-cases the domain only", () => {
    for (const { value, normalized } of oracle.usernames) assert.equal(User.normalizeUsername(value), normalized, JSON.stringify(value));
    for (const { value, normalized } of oracle.emails) assert.equal(BaseUserManager.normalizeEmail(value), normalized, JSON.stringify(value));
  });

  test('fullClean() normalizes the username and email, and refuses a taken username with Django\'s message', async () => {
    await User.objects.createUser('taken');
    const user = new User({ username: 'ﬁne', email: 'Me@EXAMPLE.org', password: 'x' });
    await user.fullClean();
    assert.equal(user.username, 'fine');
    assert.equal(user.email, 'Me@example.org');
    const clash = new User({ username: 'taken', password: 'x' });
    await assert.rejects(clash.fullClean(), (error: ValidationError) => {
      assert.deepEqual(error.messageDict['username'], ['A user with that username already exists.']);
      return true;
    });
    const bad = new User({ username: 'no spaces', password: 'x' });
    await assert.rejects(bad.fullClean(), (error: ValidationError) => {
      assert.deepEqual(error.messageDict['username'], ['Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.']);
      return true;
    });
  });
});

describe('the user manager', () => {
  test('createUser() normalizes, hashes and saves, with isStaff and isSuperuser false', async () => {
    const user = await User.objects.createUser('Ｍary', 'mary@EXAMPLE.com', 'mary-pass', { firstName: 'Mary' });
    const stored = await User.objects.get({ pk: user.pk });
    assert.equal(stored.username, 'Mary');
    assert.equal(stored.email, 'mary@example.com');
    assert.equal(stored.firstName, 'Mary');
    assert.deepEqual([stored.isStaff, stored.isSuperuser, stored.isActive], [false, false, true]);
    assert.equal(await stored.checkPassword('mary-pass'), true);
    assert.equal(stored.getFullName(), 'Mary');
    assert.equal(String(stored), 'Mary');
  });

  test('createUser() also takes one object of field values', async () => {
    const user = await User.objects.createUser({ username: 'obj', password: 'obj-pass', lastName: 'Ject' });
    assert.equal(user.getFullName(), 'Ject');
    assert.equal(await user.checkPassword('obj-pass'), true);
  });

  test("createSuperuser() sets both flags and refuses Django's contradictions", async () => {
    const admin = await User.objects.createSuperuser('root', 'root@example.com', 'root-pass');
    assert.deepEqual([admin.isStaff, admin.isSuperuser], [true, true]);
    await assert.rejects(User.objects.createSuperuser('x', null, null, { isStaff: false }), { message: 'Superuser must have is_staff=True.' });
    await assert.rejects(User.objects.createSuperuser('x', null, null, { isSuperuser: false }), { message: 'Superuser must have is_superuser=True.' });
    await assert.rejects(User.objects.createUser(''), (error: Error) => error instanceof UserCreationError && error.message === 'The given username must be set');
  });

  test('getByNaturalKey() finds a user by username, exactly', async () => {
    await User.objects.createUser('Natural');
    assert.equal((await User.objects.getByNaturalKey('Natural')).username, 'Natural');
    await assert.rejects(User.objects.getByNaturalKey('natural'), User.DoesNotExist);
  });

  test('a real user is authenticated and not anonymous; AnonymousUser is the reverse', async () => {
    const user = await User.objects.createUser('real');
    assert.deepEqual([user.isAuthenticated, user.isAnonymous], [true, false]);
    const anonymous = new AnonymousUser();
    assert.deepEqual([anonymous.isAuthenticated, anonymous.isAnonymous, anonymous.pk, anonymous.isActive], [false, true, null, false]);
    assert.equal(String(anonymous), 'AnonymousUser');
    assert.ok(anonymous.equals(new AnonymousUser()));
    assert.deepEqual(await anonymous.groups, []);
    assert.deepEqual(await anonymous.userPermissions, []);
  });

  test('getUserModel() is auth.User by default, and names the problem when AUTH_USER_MODEL is wrong', async () => {
    assert.equal(getUserModel(), User);
    assert.ok(User.prototype instanceof AbstractUser);
    await overrideSettings({ AUTH_USER_MODEL: 'accounts.Nobody' }, () => {
      assert.throws(() => getUserModel(), (error: Error) => error instanceof UserModelNotInstalledError && /AUTH_USER_MODEL refers to model 'accounts.Nobody' that has not been installed/.test(error.message));
    });
    await overrideSettings({ AUTH_USER_MODEL: 'Customer' }, () => {
      assert.throws(() => getUserModel(), /AUTH_USER_MODEL must be of the form 'app_label.model_name'/);
    });
  });
});

describe('content types', () => {
  test('getForModel() queries once per model and database, then answers from its cache', async () => {
    await ContentType.objects.getForModel(Book); // the row exists (an earlier test replaced the table with Django's rows)
    ContentType.objects.clearCache();
    const first = await assertNumQueries(1, () => ContentType.objects.getForModel(Book));
    assert.deepEqual([first.appLabel, first.model], ['library', 'book']);
    const again = await assertNumQueries(0, () => ContentType.objects.getForModel(new Book({ title: 'x' })));
    assert.equal(again, first);
    assert.equal(await assertNumQueries(0, () => ContentType.objects.getForId(first.id)), first);
    assert.equal(first.modelClass(), Book);
    assert.equal(first.name, 'book');
    assert.equal(String(first), 'Library | book');
  });

  test('getForModels() reads every uncached model in one query', async () => {
    await ContentType.objects.getForModels(User, Group, Permission);
    ContentType.objects.clearCache();
    const found = await assertNumQueries(1, () => ContentType.objects.getForModels(User, Group, Permission));
    assert.deepEqual([...found.values()].map((ct) => ct.model).sort(), ['group', 'permission', 'user']);
    await assertNumQueries(0, () => ContentType.objects.getForModel(Group));
  });

  test('a model without a row gets one created on first use', async () => {
    await ContentType.objects.filter({ appLabel: 'library', model: 'book' }).delete();
    ContentType.objects.clearCache();
    const created = await ContentType.objects.getForModel(Book);
    assert.equal(await ContentType.objects.filter({ pk: created.id }).count(), 1);
  });

  test('a content type finds the objects of its model', async () => {
    await Book.objects.create({ title: 'Dune' });
    const ct = await ContentType.objects.getForModel(Book);
    assert.equal(((await ct.getObjectForThisType({ title: 'Dune' })) as Book).title, 'Dune');
    assert.equal(await ct.getAllObjectsForThisType().count(), 1);
    const stale = new ContentType({ appLabel: 'gone', model: 'ghost' });
    assert.equal(stale.modelClass(), undefined);
    assert.equal(stale.name, 'ghost');
  });
});
