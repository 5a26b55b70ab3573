import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  Model, CharField, IntegerField, connections, createTables, atomic, onCommit, captureQueries, F,
} from '../../../src/db/index.ts';
import { testDatabaseSettings, testVendor } from '../test-database.ts';

// On SQLite a file database: concurrent flows need separate connections to see isolation.
const dir = mkdtempSync(join(tmpdir(), 'nuages-orm-tx-'));
connections.configure({
  default: testVendor === 'postgres' ? testDatabaseSettings() : { ENGINE: 'sqlite', NAME: join(dir, 'orm.sqlite3') },
});

class Account extends Model<Account>()({
  owner: new CharField({ maxLength: 20 }),
  balance: new IntegerField(),
}, { appLabel: 'otx', ordering: ['owner'] }) {}

class Tag extends Model<Tag>()({
  name: new CharField({ maxLength: 20, unique: true }),
}, { appLabel: 'otx' }) {}

before(async () => {
  await createTables([Account, Tag]);
});

after(async () => {
  await connections.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

const owners = async (): Promise<string[]> => (await Account.objects.all()).map((a) => a.owner);

describe('atomic() with the ORM', () => {
  test('a throw inside nested savepoints rolls back only the inner writes', async () => {
    await Account.objects.all().delete();
    await atomic(async () => {
      await Account.objects.create({ owner: 'outer', balance: 1 });
      await assert.rejects(
        atomic(async () => {
          await Account.objects.create({ owner: 'middle', balance: 2 });
          await atomic(async () => {
            await Account.objects.create({ owner: 'inner', balance: 3 });
            throw new Error('inner failure');
          });
        }),
        /inner failure/,
      );
      await Account.objects.filter({ owner: 'outer' }).update({ balance: F('balance').add(10) });
      // Inside the transaction the outer row is visible and the rolled-back ones are not.
      assert.deepEqual(await owners(), ['outer']);
    });
    assert.deepEqual(await owners(), ['outer']);
    assert.equal((await Account.objects.get({ owner: 'outer' })).balance, 11);
  });

  test('an inner savepoint that survives is committed with the outer block', async () => {
    await Account.objects.all().delete();
    await atomic(async () => {
      await Account.objects.create({ owner: 'a', balance: 1 });
      await atomic(async () => {
        await Account.objects.create({ owner: 'b', balance: 1 });
      });
      await assert.rejects(atomic(async () => {
        await Account.objects.create({ owner: 'c', balance: 1 });
        throw new Error('no c');
      }));
    });
    assert.deepEqual(await owners(), ['a', 'b']);
  });

  test('a throw in the outer block rolls back everything, savepoints included', async () => {
    await Account.objects.all().delete();
    await assert.rejects(atomic(async () => {
      await Account.objects.create({ owner: 'x', balance: 1 });
      await atomic(async () => {
        await Account.objects.create({ owner: 'y', balance: 1 });
      });
      throw new Error('outer failure');
    }), /outer failure/);
    assert.deepEqual(await owners(), []);
  });

  test('the queries of nested blocks are recorded with their savepoints', async () => {
    const { queries } = await captureQueries(() => atomic(async () => {
      await Account.objects.create({ owner: 'q', balance: 1 });
      await atomic(() => Account.objects.filter({ owner: 'q' }).update({ balance: 2 }));
    }));
    const sql = queries.map((q) => q.sql);
    assert.match(sql[0]!, /^BEGIN/);
    assert.ok(sql.some((s) => /^SAVEPOINT/.test(s)), sql.join('\n'));
    assert.ok(sql.some((s) => /^INSERT INTO "otx_account"/.test(s)));
    assert.ok(sql.some((s) => /^UPDATE "otx_account"/.test(s)));
    assert.match(sql.at(-1)!, /^COMMIT/);
    for (const q of queries) assert.equal(typeof q.durationMs, 'number');
    await Account.objects.filter({ owner: 'q' }).delete();
  });

  test('atomic.wrap runs an ORM function in a transaction', async () => {
    await Account.objects.all().delete();
    const transfer = atomic.wrap(async (amount: number) => {
      await Account.objects.create({ owner: 'w', balance: amount });
      if (amount < 0) throw new Error('negative');
    });
    await transfer(5);
    await assert.rejects(transfer(-1), /negative/);
    assert.deepEqual((await Account.objects.all()).map((a) => a.balance), [5]);
  });
});

describe('onCommit with the ORM', () => {
  test('callbacks run after commit, and not for rolled-back savepoints', async () => {
    await Account.objects.all().delete();
    const ran: string[] = [];
    await atomic(async () => {
      const acct = await Account.objects.create({ owner: 'oc', balance: 1 });
      onCommit(async () => {
        // After commit the row is visible to a fresh query.
        ran.push(`committed:${await Account.objects.filter({ pk: acct.pk }).count()}`);
      });
      await assert.rejects(atomic(async () => {
        onCommit(() => ran.push('rolled back'));
        throw new Error('x');
      }));
      assert.deepEqual(ran, []);
    });
    assert.deepEqual(ran, ['committed:1']);
  });

  test('outside a transaction onCommit runs at once', async () => {
    let ran = false;
    await onCommit(() => { ran = true; });
    assert.equal(ran, true);
  });
});

describe('concurrent async flows', () => {
  test('two flows never see each other\'s uncommitted rows', async () => {
    await Account.objects.all().delete();
    let releaseA!: () => void;
    const aMayCommit = new Promise<void>((resolve) => { releaseA = resolve; });
    let aWrote!: () => void;
    const aHasWritten = new Promise<void>((resolve) => { aWrote = resolve; });

    const flowA = atomic(async () => {
      await Account.objects.create({ owner: 'flowA', balance: 1 });
      assert.deepEqual(await owners(), ['flowA']);
      aWrote();
      await aMayCommit;
    });

    await aHasWritten;
    // Flow B runs outside A's transaction: A's row is not committed, so B must not see it.
    const seenByB = await owners();
    releaseA();
    await flowA;
    assert.deepEqual(seenByB, []);
    assert.deepEqual(await owners(), ['flowA']);
  });

  test('two concurrent transactions each keep their own writes', async () => {
    await Account.objects.all().delete();
    const results = await Promise.allSettled([
      atomic(async () => {
        await Account.objects.create({ owner: 'one', balance: 1 });
        await delay(10);
        throw new Error('one fails');
      }),
      atomic(async () => {
        await delay(1);
        await Account.objects.create({ owner: 'two', balance: 2 });
      }),
    ]);
    assert.equal(results[0].status, 'rejected');
    assert.equal(results[1].status, 'fulfilled');
    assert.deepEqual(await owners(), ['two']);
  });
});

describe('getOrCreate under concurrency', () => {
  test('concurrent calls for the same unique key create exactly one row', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => Tag.objects.getOrCreate({ name: 'shared' })));
    assert.equal(results.filter(([, created]) => created).length, 1);
    assert.equal(new Set(results.map(([tag]) => tag.pk)).size, 1);
    assert.equal(await Tag.objects.count(), 1);
  });
});
