import { test, describe, before, after } from 'node:test';
import assert, { AssertionError } from 'node:assert/strict';
import { Model, CharField, IntegerField, connections, createTables, atomic } from '../../src/db/index.ts';
import { assertNumQueries, assertMaxQueries } from '../../src/test/index.ts';

connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' }, other: { ENGINE: 'sqlite', NAME: ':memory:' } });

class Note extends Model<Note>()({
  text: new CharField({ maxLength: 50 }),
  rank: new IntegerField({ default: 0 }),
}, { appLabel: 'anq' }) {}

before(async () => {
  await createTables([Note]);
  await createTables([Note], { using: 'other' });
});

after(async () => {
  await connections.closeAll();
});

const failure = async (fn: () => Promise<unknown>): Promise<AssertionError> => {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof AssertionError, `expected an AssertionError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the assertion to fail');
};

describe('assertNumQueries()', () => {
  test('passes when the count matches and returns what fn returned', async () => {
    const count = await assertNumQueries(1, () => Note.objects.count());
    assert.equal(count, 0);
  });

  test('zero queries: building a QuerySet runs none', async () => {
    await assertNumQueries(0, () => {
      Note.objects.filter({ rank__gt: 1 }).orderBy('text');
    });
  });

  test('a wrong count throws an AssertionError listing every query, numbered, like Django', async () => {
    const error = await failure(() =>
      assertNumQueries(1, async () => {
        await Note.objects.create({ text: 'a' });
        await Note.objects.filter({ text: 'a' }).count();
      }),
    );
    const lines = error.message.split('\n');
    assert.equal(lines[0], '2 != 1 : 2 queries executed, 1 expected');
    assert.equal(lines[1], 'Captured queries were:');
    assert.match(lines[2]!, /^1\. INSERT INTO "anq_note" \("text", "rank"\) VALUES \(\?, \?\) RETURNING "id"  -- params: \["a", 0\]$/);
    assert.match(lines[3]!, /^2\. SELECT COUNT\(\*\) FROM "anq_note" WHERE "anq_note"\."text" = \? {2}-- params: \["a"\]$/);
    assert.equal(error.actual, 2);
    assert.equal(error.expected, 1);
  });

  test('counts BEGIN and COMMIT of atomic(), as Django does on SQLite', async () => {
    await assertNumQueries(3, () => atomic(() => Note.objects.create({ text: 'b' })));
    const error = await failure(() => assertNumQueries(1, () => atomic(() => Note.objects.create({ text: 'c' }))));
    assert.match(error.message, /\n1\. BEGIN\n2\. INSERT .*\n3\. COMMIT$/);
  });

  test('counts SAVEPOINT and RELEASE of a nested atomic(), not a second BEGIN', async () => {
    await atomic(async () => {
      await assertNumQueries(3, () => atomic(() => Note.objects.create({ text: 'd' })));
    });
  });

  test('counts the ROLLBACK of a failed block', async () => {
    const error = await failure(() =>
      assertNumQueries(0, () => atomic(() => Note.objects.count()).then(() => atomic(async () => {
        await Note.objects.count();
        throw new Error('boom');
      })).catch(() => undefined)),
    );
    assert.match(error.message, /^6 != 0 :/);
    assert.match(error.message, /\n6\. ROLLBACK$/);
  });

  test('an error thrown by fn passes through without a count check', async () => {
    await assert.rejects(assertNumQueries(5, async () => {
      await Note.objects.count();
      throw new RangeError('from the code under test');
    }), RangeError);
  });

  test('counts only the database named by using', async () => {
    await assertNumQueries(1, async () => {
      await Note.objects.count();
      await Note.objects.using('other').count();
      await Note.objects.using('other').count();
    });
    await assertNumQueries(2, async () => {
      await Note.objects.count();
      await Note.objects.using('other').count();
      await Note.objects.using('other').count();
    }, { using: 'other' });
  });

  test('does not count statements of concurrent flows outside fn', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const outside = (async () => {
      await gate;
      await Note.objects.count();
      await Note.objects.count();
    })();
    await assertNumQueries(1, async () => {
      release();
      await Note.objects.count();
      await outside;
    });
  });

  test('refuses a count that is not a non-negative integer', async () => {
    await assert.rejects(assertNumQueries(-1, () => undefined), /non-negative integer count first; got -1/);
    await assert.rejects(assertNumQueries(1.5, () => undefined), TypeError);
  });
});

describe('assertMaxQueries()', () => {
  test('passes at or under the limit', async () => {
    await assertMaxQueries(2, () => Note.objects.count());
    await assertMaxQueries(1, () => Note.objects.count());
  });

  test('fails over the limit, listing the queries', async () => {
    const error = await failure(() =>
      assertMaxQueries(1, async () => {
        for (let i = 0; i < 3; i++) await Note.objects.filter({ rank: i }).exists();
      }),
    );
    assert.match(error.message, /^3 > 1 : 3 queries executed, at most 1 expected\nCaptured queries were:\n1\. SELECT 1 AS "a" .*\n2\. .*\n3\. .*$/);
  });
});
