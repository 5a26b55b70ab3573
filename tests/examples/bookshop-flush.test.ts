// `manage.ts flush` on the seeded bookshop: every table emptied in one transaction, ids
// restarted, the migration history kept, and what migrate's receivers make (content types,
// permissions) made again; asked first unless --noinput, and "no" keeps everything.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { apps } from '../../src/conf/apps.ts';
import { callCommand } from '../../src/core/management/index.ts';
import { connections } from '../../src/db/index.ts';
import type { Book as BookModel } from '../../examples/bookshop/catalog/models.ts';
import type { Permission as PermissionModel, User as UserModel } from '../../src/contrib/auth/index.ts';
import { useBookshop } from './bookshop-project.ts';

let Book: typeof BookModel;
let User: typeof UserModel;
let Permission: typeof PermissionModel;

useBookshop('flush', { env: () => ({ CACHE_URL: 'locmem://bookshop-flush-test' }), seed: true }, () => {
  Book = apps.getModel('catalog.Book') as unknown as typeof BookModel;
  User = apps.getModel('auth.User') as unknown as typeof UserModel;
  Permission = apps.getModel('auth.Permission') as unknown as typeof PermissionModel;
});

function output(): { write(text: string): void; text: () => string } {
  let written = '';
  return { write: (text: string) => void (written += text), text: () => written };
}

async function appliedMigrations(): Promise<number> {
  const rows = await connections.get('default').fetchAll({ sql: 'SELECT COUNT(*) FROM "nuages_migrations"', params: [] });
  return Number((rows as unknown[][])[0]![0]);
}

describe('manage.ts flush', () => {
  test('answering "no" cancels and keeps every row', async () => {
    const before = await Book.objects.count();
    assert.ok(before > 0);
    const stdout = output();
    await callCommand('flush', { stdin: Readable.from(['no\n']), stdout });
    assert.match(stdout.text(), /This will IRREVERSIBLY DESTROY all data currently in the ".*test\.sqlite3" database,/);
    assert.match(stdout.text(), /Flush cancelled\./);
    assert.equal(await Book.objects.count(), before);
  });

  test('--noinput empties the tables, restarts the ids, keeps the migrations and makes the permissions again', async () => {
    const migrations = await appliedMigrations();
    const permissions = await Permission.objects.count();
    await callCommand('flush', '--noinput', { stdout: output() });
    assert.equal(await Book.objects.count(), 0);
    assert.equal(await User.objects.count(), 0);
    assert.equal(await appliedMigrations(), migrations, 'the migration history stays');
    assert.equal(await Permission.objects.count(), permissions, 'postMigrate made the permissions again');
    const user = await User.objects.createUser('first-after-flush', '', 'a-long-passphrase');
    assert.equal(user.pk, 1, 'ids start again at 1');
  });
});
