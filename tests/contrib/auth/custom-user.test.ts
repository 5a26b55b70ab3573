// A project with its own user model (AUTH_USER_MODEL = 'accounts.Customer', identified by
// email): auth.User is swapped out, and auth works on the custom model instead.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { overrideSettings } from '../../../src/conf/index.ts';
import { Group, Permission, User, authenticate, getUserModel } from '../../../src/contrib/auth/index.ts';
import { ContentType } from '../../../src/contrib/contenttypes/index.ts';
import { callCommand, type Reader } from '../../../src/core/management/index.ts';
import { connections, DateOnly, ModelStateError, schemaEditorFor } from '../../../src/db/index.ts';
import { Customer } from './fixtures/accounts/models.ts';
import { output, setUpAuthProject } from './helpers.ts';

before(() =>
  setUpAuthProject({
    AUTH_USER_MODEL: 'accounts.Customer',
    INSTALLED_APPS: ['nuages/contrib/contenttypes', 'nuages/contrib/auth', 'accounts'],
  }),
);
after(() => connections.closeAll());

describe('AUTH_USER_MODEL names a model of the project', () => {
  test('getUserModel() returns it, and auth.User is swapped out: no table, no queries', async () => {
    assert.equal(getUserModel(), Customer);
    assert.equal(User._meta.swapped, 'accounts.Customer');
    assert.equal(Customer._meta.swapped, undefined);
    const tables = await schemaEditorFor(connections.get()).tableNames();
    assert.ok(tables.includes('accounts_customer') && tables.includes('accounts_customer_groups'));
    assert.deepEqual(tables.filter((t) => t.startsWith('auth_user')), []);
    assert.throws(() => User.objects, (error: Error) => error instanceof ModelStateError && /'auth.User' has been swapped for 'accounts.Customer'/.test(error.message));
  });

  test('permissions exist for the custom model and not for the swapped one', async () => {
    const models = await ContentType.objects.orderBy('appLabel', 'model').valuesList('appLabel', 'model');
    assert.deepEqual(models, [['accounts', 'customer'], ['auth', 'group'], ['auth', 'permission'], ['contenttypes', 'contenttype']]);
    assert.ok(await Permission.objects.filter({ codename: 'add_customer' }).exists());
    assert.equal(await Permission.objects.filter({ codename: 'add_user' }).exists(), false);
  });

  test('createsuperuser asks for its USERNAME_FIELD and REQUIRED_FIELDS, by their verbose names', async () => {
    const stdin = Object.assign(Readable.from(['nina@Example.com\n', 'not a date\n', '1990-02-03\n', 'ninas-password\n', 'ninas-password\n']), { isTTY: true }) as Reader;
    const stdout = output();
    const stderr = output();
    await callCommand('createsuperuser', { stdin, stdout, stderr });
    assert.equal(stdout.text, 'Email address: Date of birth: Date of birth: Password: Password (again): Superuser created successfully.\n');
    assert.match(stderr.text, /^Error: /);
    const nina = await Customer.objects.get({ email: 'nina@example.com' });
    assert.equal(nina.isSuperuser, true);
    assert.equal(nina.dateOfBirth.toISOString().slice(0, 10), '1990-02-03');
  });

  test('createsuperuser --noinput takes its fields from options and DJANGO_SUPERUSER_<FIELD>', async () => {
    process.env['DJANGO_SUPERUSER_DATE_OF_BIRTH'] = '1985-05-06';
    process.env['DJANGO_SUPERUSER_PASSWORD'] = 'omars-password';
    try {
      await callCommand('createsuperuser', '--noinput', '--email', 'omar@example.com', { stdout: output() });
    } finally {
      delete process.env['DJANGO_SUPERUSER_DATE_OF_BIRTH'];
      delete process.env['DJANGO_SUPERUSER_PASSWORD'];
    }
    const omar = await Customer.objects.get({ email: 'omar@example.com' });
    assert.equal(await omar.checkPassword('omars-password'), true);
    await assert.rejects(callCommand('createsuperuser', '--noinput', '--email', 'pat@example.com', { stdout: output() }), { message: 'You must use --date-of-birth with --noinput.' });
  });

  test('authenticate() finds the user by the USERNAME_FIELD, email', async () => {
    await Customer.objects.createUser({ email: 'quinn@example.com', dateOfBirth: new DateOnly('2000-01-01'), password: 'quinns-password' });
    assert.equal((await authenticate(null, { email: 'quinn@example.com', password: 'quinns-password' }))?.getUsername(), 'quinn@example.com');
    assert.equal((await authenticate(null, { username: 'quinn@example.com', password: 'quinns-password' }))?.getUsername(), 'quinn@example.com');
    assert.equal(await authenticate(null, { email: 'quinn@example.com', password: 'wrong' }), null);
  });

  test('a backend of the project logs in by email whatever its case (the example of docs/auth.md)', async () => {
    await overrideSettings({ AUTHENTICATION_BACKENDS: ['./accounts/backends#EmailBackend'] }, async () => {
      const user = await authenticate(null, { email: 'QUINN@example.COM', password: 'quinns-password' });
      assert.equal(user?.getUsername(), 'quinn@example.com');
      assert.equal(user?.backend, './accounts/backends#EmailBackend');
      assert.equal(await authenticate(null, { username: 'quinn@example.com', password: 'quinns-password' }), null);
    });
  });

  test("group permissions work through the custom model's groups", async () => {
    const quinn = await Customer.objects.get({ email: 'quinn@example.com' });
    const staff = await Group.objects.create({ name: 'staff' });
    await staff.permissions.add(await Permission.objects.get({ codename: 'view_customer' }));
    await quinn.groups.add(staff);
    assert.deepEqual(await staff.userSet.valuesList('email', { flat: true }), ['quinn@example.com']);
    const fresh = await Customer.objects.get({ pk: quinn.pk });
    assert.equal(await fresh.hasPerm('accounts.view_customer'), true);
    assert.equal(await fresh.hasPerm('accounts.change_customer'), false);
  });
});
