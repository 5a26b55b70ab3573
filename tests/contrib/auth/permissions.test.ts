// Permissions: the ones `migrate` creates for every model, and the checks users make
// through the backends (direct, group, superuser, inactive, anonymous, object, cached).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings } from '../../../src/conf/index.ts';
import { AnonymousUser, Group, Permission, User } from '../../../src/contrib/auth/index.ts';
import { ContentType } from '../../../src/contrib/contenttypes/index.ts';
import { callCommand } from '../../../src/core/management/index.ts';
import { connections } from '../../../src/db/index.ts';
import { assertNumQueries, setupTestDatabase } from '../../../src/test/index.ts';
import type { AppConfig } from '../../../src/conf/index.ts';
import { MigrationAutodetector, ProjectState, type StateApps } from '../../../src/db/migrations/index.ts';
import { postMigrate, preMigrate } from '../../../src/db/models/signals.ts';
import { Book, Pamphlet } from './fixtures/library/models.ts';
import { output, setUpAuthProject } from './helpers.ts';

before(() => setUpAuthProject());
after(() => connections.closeAll());

async function permission(codename: string): Promise<Permission> {
  return Permission.objects.get({ codename });
}

describe('the permissions migrate creates', () => {
  test("each model gets add, change, delete and view, named as Django names them, plus its `permissions`", async () => {
    const rows = await Permission.objects.filter({ contentType__appLabel: 'library' }).valuesList('contentType__model', 'codename', 'name');
    assert.deepEqual(rows, [
      ['book', 'add_book', 'Can add book'],
      ['book', 'change_book', 'Can change book'],
      ['book', 'delete_book', 'Can delete book'],
      ['book', 'lend_book', 'Can lend books'],
      ['book', 'view_book', 'Can view book'],
      // defaultPermissions: ['add', 'view'], and the verbose name in the names.
      ['pamphlet', 'add_pamphlet', 'Can add leaflet'],
      ['pamphlet', 'view_pamphlet', 'Can view leaflet'],
    ]);
  });

  test('the join models of many-to-many fields get no content type or permissions', async () => {
    assert.deepEqual(await ContentType.objects.filter({ appLabel: 'auth' }).orderBy('model').valuesList('model', { flat: true }), ['group', 'permission', 'user']);
  });

  test('running migrate again creates nothing twice, and a deleted permission comes back', async () => {
    const before = await Permission.objects.count();
    await (await permission('lend_book')).delete();
    await callCommand('migrate', { stdout: output(), verbosity: 0 } as never);
    assert.equal(await Permission.objects.count(), before);
    assert.equal((await permission('lend_book')).name, 'Can lend books');
    await setupTestDatabase();
    assert.equal(await Permission.objects.count(), before);
  });

  test('migrate sends preMigrate and postMigrate once per app with models, with the historical models', async () => {
    const seen: string[] = [];
    const receiver = ({ appConfig, apps, signal, using }: { appConfig: unknown; apps?: unknown; signal: unknown; using: string }) => {
      const label = (appConfig as AppConfig).label;
      const historical = apps as StateApps;
      seen.push(`${signal === preMigrate ? 'pre' : 'post'} ${label} ${using} ${historical.getModels('auth').map((m) => m.name).sort().join(',')}`);
    };
    preMigrate.connect(receiver);
    postMigrate.connect(receiver);
    try {
      await callCommand('migrate', { stdout: output(), verbosity: 0 } as never);
    } finally {
      preMigrate.disconnect(receiver);
      postMigrate.disconnect(receiver);
    }
    const models = 'Group,Group_permissions,Permission,User,User_groups,User_userPermissions';
    assert.deepEqual(seen, ['contenttypes', 'auth', 'library'].flatMap((label) => [`pre ${label} default ${models}`]).concat(['contenttypes', 'auth', 'library'].map((label) => `post ${label} default ${models}`)));
  });

  test('migrate tells at verbosity 2 what it added', async () => {
    await (await permission('view_pamphlet')).delete();
    const out = output();
    await callCommand('migrate', { stdout: out, verbosity: 2 } as never);
    assert.match(out.text, /Running post-migrate handlers for application library\nAdding permission 'Library \| leaflet \| Can view leaflet'\n/);
  });
});

describe('the model options behind permissions, in migrations', () => {
  test("the auth and contenttypes migrations match their models (Django's swappable option included)", async () => {
    const out = output();
    await callCommand('makemigrations', 'contenttypes', 'auth', '--check', { stdout: out });
    assert.match(out.text, /No changes detected in apps 'contenttypes', 'auth'/);
    assert.equal(ProjectState.fromApps([User]).getModel('auth', 'User').options.swappable, 'AUTH_USER_MODEL');
  });

  test('permissions and defaultPermissions are recorded, and a change to them is a migration', async () => {
    const today = ProjectState.fromApps([Book, Pamphlet]);
    assert.deepEqual(today.getModel('library', 'Book').options.permissions, [['lend_book', 'Can lend books']]);
    assert.deepEqual(today.getModel('library', 'Pamphlet').options.defaultPermissions, ['add', 'view']);
    const before = today.clone();
    before.getModel('library', 'Book').options = {};
    const changes = await new MigrationAutodetector(before, today).changes(new Set(['library']));
    assert.deepEqual(changes.get('library')?.map((op) => op.describe()), ['Change Meta options on Book']);
  });
});

describe('permission checks', () => {
  test('a permission given to the user directly', async () => {
    const user = await User.objects.createUser('direct');
    await user.userPermissions.add(await permission('add_book'));
    const fresh = await User.objects.get({ pk: user.pk });
    assert.equal(await fresh.hasPerm('library.add_book'), true);
    assert.equal(await fresh.hasPerm('library.change_book'), false);
    assert.deepEqual([...(await fresh.getUserPermissions())], ['library.add_book']);
    assert.deepEqual([...(await fresh.getGroupPermissions())], []);
  });

  test('group permissions reach every member', async () => {
    const librarians = await Group.objects.create({ name: 'librarians' });
    await librarians.permissions.add(await permission('lend_book'), await permission('change_book'));
    const user = await User.objects.createUser('member');
    await user.groups.add(librarians);
    const fresh = await User.objects.get({ pk: user.pk });
    assert.deepEqual([...(await fresh.getGroupPermissions())].sort(), ['library.change_book', 'library.lend_book']);
    assert.equal(await fresh.hasPerm('library.lend_book'), true);
    assert.equal(await fresh.hasPerms(['library.lend_book', 'library.change_book']), true);
    assert.equal(await fresh.hasPerms(['library.lend_book', 'library.delete_book']), false);
    assert.equal(await fresh.hasModulePerms('library'), true);
    assert.equal(await fresh.hasModulePerms('auth'), false);
  });

  test('an inactive user has no permission, even those it was given (and even a superuser)', async () => {
    const user = await User.objects.createUser('sleeper', '', null, { isActive: false });
    await user.userPermissions.add(await permission('add_book'));
    const librarians = await Group.objects.get({ name: 'librarians' });
    await user.groups.add(librarians);
    const fresh = await User.objects.get({ pk: user.pk });
    assert.equal(await fresh.hasPerm('library.add_book'), false);
    assert.equal(await fresh.hasPerm('library.lend_book'), false);
    assert.equal(await fresh.hasModulePerms('library'), false);
    assert.deepEqual([...(await fresh.getAllPermissions())], []);
    const formerAdmin = await User.objects.createSuperuser('former', '', null, { isActive: false });
    assert.equal(await formerAdmin.hasPerm('library.add_book'), false);
  });

  test('an active superuser has every permission, even ones that do not exist', async () => {
    const admin = await User.objects.createSuperuser('boss');
    assert.equal(await admin.hasPerm('library.add_book'), true);
    assert.equal(await admin.hasPerm('nowhere.do_anything'), true);
    assert.equal(await admin.hasModulePerms('anything'), true);
    assert.ok((await admin.getAllPermissions()).has('auth.delete_user'));
  });

  test('object permissions are not ModelBackend’s: with an object, the answer is no', async () => {
    const user = await User.objects.createUser('objects');
    await user.userPermissions.add(await permission('change_book'));
    const fresh = await User.objects.get({ pk: user.pk });
    const book = await Book.objects.create({ title: 'Dune' });
    assert.equal(await fresh.hasPerm('library.change_book'), true);
    assert.equal(await fresh.hasPerm('library.change_book', book), false);
  });

  test('permissions are read once per user object; a user fetched again sees changes', async () => {
    const user = await User.objects.createUser('cached');
    const fresh = await User.objects.get({ pk: user.pk });
    await assertNumQueries(2, () => fresh.hasPerm('library.add_book')); // user and group permissions
    await assertNumQueries(0, () => fresh.hasPerm('library.view_book'));
    await user.userPermissions.add(await permission('view_book'));
    assert.equal(await fresh.hasPerm('library.view_book'), false);
    assert.equal(await (await User.objects.get({ pk: user.pk })).hasPerm('library.view_book'), true);
  });

  test('an anonymous user has no permission through ModelBackend', async () => {
    const anonymous = new AnonymousUser();
    assert.equal(await anonymous.hasPerm('library.add_book'), false);
    assert.equal(await anonymous.hasModulePerms('library'), false);
    assert.deepEqual([...(await anonymous.getAllPermissions())], []);
  });

  test('hasPerms() wants a list, not a string', async () => {
    const user = await User.objects.createUser('strict');
    await assert.rejects(user.hasPerms('library.add_book' as never), { name: 'TypeError', message: 'perm_list must be an iterable of permissions.' });
  });
});

describe('permissions from other backends', () => {
  const backends = [
    'nuages/contrib/auth/backends#ModelBackend',
    './library/backends#LendingBackend',
    './library/backends#VetoBackend',
  ];

  test('every backend is asked: a custom backend can grant anonymous and inactive users', async () => {
    await overrideSettings({ AUTHENTICATION_BACKENDS: backends }, async () => {
      assert.equal(await new AnonymousUser().hasPerm('library.lend_book'), true);
      assert.deepEqual([...(await new AnonymousUser().getAllPermissions())], ['library.lend_book']);
      const user = await User.objects.createUser('lender');
      assert.equal(await user.hasPerm('library.lend_book'), true);
      assert.equal(await user.hasModulePerms('library'), false, 'the lending backend says nothing about modules');
    });
  });

  test('a backend throwing PermissionDenied refuses, whatever later backends say', async () => {
    const user = await User.objects.createUser('vetoed');
    await user.userPermissions.add(await permission('delete_user'));
    const fresh = await User.objects.get({ pk: user.pk });
    await overrideSettings({ AUTHENTICATION_BACKENDS: [backends[2]!, backends[0]!] }, async () => {
      assert.equal(await fresh.hasPerm('auth.delete_user'), false);
    });
    assert.equal(await fresh.hasPerm('auth.delete_user'), true, 'ModelBackend alone grants it');
  });
});
