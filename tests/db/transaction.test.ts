import { test, describe, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { AsyncLocalStorage } from 'node:async_hooks';
import { connections } from '../../src/db/connections.ts';
import type { DatabaseWrapper } from '../../src/db/backends/base/connection.ts';
import {
  DatabaseLockTimeoutError,
  IntegrityError,
  NestedDurableAtomicError,
  TransactionManagementError,
} from '../../src/db/errors.ts';
import {
  atomic,
  getAutocommit,
  getRollback,
  inAtomicBlock,
  onCommit,
  setRollback,
} from '../../src/db/transaction.ts';

const dir = mkdtempSync(join(tmpdir(), 'nuages-tx-'));
after(async () => {
  await connections.reset();
  rmSync(dir, { recursive: true, force: true });
});
let fileCount = 0;

type Mode = 'memory' | 'file';

async function setUp(mode: Mode, options: Record<string, unknown> = {}): Promise<DatabaseWrapper> {
  await connections.reset();
  const NAME = mode === 'memory' ? ':memory:' : join(dir, `tx${++fileCount}.sqlite3`);
  connections.configure({ default: { ENGINE: 'sqlite', NAME, OPTIONS: options } });
  const db = connections.get();
  await db.executeScript('CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)');
  return db;
}

const insert = (name: string) => connections.get().execute({ sql: 'INSERT INTO item (name) VALUES (?)', params: [name] });
const names = async (): Promise<string[]> =>
  (await connections.get().fetchAll({ sql: 'SELECT name FROM item ORDER BY id', params: [] })).map((r) => r[0] as string);

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Resolves to 'pending' when `promise` has not settled within a few event-loop turns. */
async function state(value: unknown): Promise<'pending' | 'settled'> {
  let settled = false;
  Promise.resolve(value).then(
    () => (settled = true),
    () => (settled = true),
  );
  await delay(20);
  return settled ? 'settled' : 'pending';
}

for (const mode of ['memory', 'file'] as const) {
  describe(`atomic() on a ${mode} database`, () => {
    beforeEach(() => setUp(mode));

    test('commits when the callback resolves and returns its result', async () => {
      const result = await atomic(async () => {
        await insert('a');
        return 42;
      });
      assert.equal(result, 42);
      assert.deepEqual(await names(), ['a']);
    });

    test('a throw rolls everything back and is rethrown', async () => {
      const boom = new Error('boom');
      await assert.rejects(
        atomic(async () => {
          await insert('a');
          throw boom;
        }),
        (error) => error === boom,
      );
      assert.deepEqual(await names(), []);
    });

    test('a throw in a nested block rolls back to its savepoint and keeps the outer writes', async () => {
      await atomic(async () => {
        await insert('outer-1');
        await assert.rejects(
          atomic(async () => {
            await insert('inner');
            await atomic(async () => insert('inner-inner'));
            throw new Error('inner fails');
          }),
          /inner fails/,
        );
        await insert('outer-2');
      });
      assert.deepEqual(await names(), ['outer-1', 'outer-2']);
    });

    test('a throw inside nested savepoints propagating out rolls back the whole transaction', async () => {
      await assert.rejects(
        atomic(async () => {
          await insert('outer');
          await atomic(async () => {
            await insert('middle');
            await atomic(async () => {
              await insert('inner');
              throw new Error('deep');
            });
          });
        }),
        /deep/,
      );
      assert.deepEqual(await names(), []);
    });

    test('an IntegrityError caught around a nested block leaves the transaction usable', async () => {
      await atomic(async () => {
        await insert('a');
        await assert.rejects(atomic(async () => insert('a')), IntegrityError);
        await insert('b');
      });
      assert.deepEqual(await names(), ['a', 'b']);
    });

    test('savepoint: false marks the enclosing block for rollback and refuses further queries', async () => {
      await assert.rejects(
        atomic(async () => {
          await insert('a');
          await assert.rejects(
            atomic(
              async () => {
                await insert('b');
                throw new Error('no savepoint');
              },
              { savepoint: false },
            ),
            /no savepoint/,
          );
          assert.equal(getRollback(), true);
          await insert('c');
        }),
        TransactionManagementError,
      );
      assert.deepEqual(await names(), []);
    });

    test('setRollback(true) rolls back without an exception', async () => {
      const result = await atomic(async () => {
        await insert('a');
        setRollback(true);
        return 'done';
      });
      assert.equal(result, 'done');
      assert.deepEqual(await names(), []);
    });

    test('setRollback(true) in a nested block undoes only that block', async () => {
      await atomic(async () => {
        await insert('kept');
        await atomic(async () => {
          await insert('undone');
          setRollback(true);
        });
      });
      assert.deepEqual(await names(), ['kept']);
    });

    test('setRollback(false) cancels a rollback mark', async () => {
      await atomic(async () => {
        await insert('a');
        setRollback(true);
        setRollback(false);
      });
      assert.deepEqual(await names(), ['a']);
    });

    test('setRollback outside atomic is a TransactionManagementError', () => {
      assert.throws(() => setRollback(true), TransactionManagementError);
    });

    test('durable blocks cannot nest, except directly inside a test-case block', async () => {
      await assert.rejects(
        atomic(async () => atomic(async () => insert('x'), { durable: true })),
        NestedDurableAtomicError,
      );
      await atomic(async () => atomic(async () => insert('y'), { durable: true }), { fromTestCase: true });
      assert.deepEqual(await names(), ['y']);
      await atomic(async () => insert('z'), { durable: true });
      assert.deepEqual(await names(), ['y', 'z']);
    });

    test('inAtomicBlock and getAutocommit follow the async context', async () => {
      assert.equal(inAtomicBlock(), false);
      assert.equal(getAutocommit(), true);
      await atomic(async () => {
        await delay(1);
        assert.equal(inAtomicBlock(), true);
        assert.equal(getAutocommit(), false);
        assert.equal(connections.get().inAtomicBlock(), true);
      });
      assert.equal(inAtomicBlock(), false);
    });

    test('atomic.wrap runs the function in a transaction on every call', async () => {
      const addTwo = atomic.wrap(async (first: string, second: string) => {
        assert.equal(inAtomicBlock(), true);
        await insert(first);
        await insert(second);
        return `${first}+${second}`;
      });
      assert.equal(await addTwo('a', 'b'), 'a+b');
      await assert.rejects(addTwo('c', 'a'), IntegrityError);
      assert.deepEqual(await names(), ['a', 'b']);
    });

    test('Promise.all branches inside one atomic share its transaction', async () => {
      await assert.rejects(
        atomic(async () => {
          await Promise.all([insert('x'), insert('y'), delay(5).then(() => insert('z'))]);
          assert.deepEqual(await names(), ['x', 'y', 'z']);
          throw new Error('undo all');
        }),
        /undo all/,
      );
      assert.deepEqual(await names(), []);
    });

    test('nested atomic blocks in parallel branches run one at a time and roll back independently', async () => {
      const order: string[] = [];
      await atomic(async () => {
        await Promise.all([
          atomic(async () => {
            order.push('a:start');
            await insert('a');
            await delay(15);
            order.push('a:end');
            throw new Error('a fails');
          }).catch(() => undefined),
          atomic(async () => {
            order.push('b:start');
            await insert('b');
            order.push('b:end');
          }),
          // A plain statement of a sibling branch waits for the open savepoint, so a's
          // rollback cannot take it along.
          delay(5).then(() => insert('c')),
        ]);
      });
      assert.deepEqual(order, ['a:start', 'a:end', 'b:start', 'b:end']);
      assert.deepEqual((await names()).sort(), ['b', 'c']);
    });

    test('a query from an async branch that outlives its atomic block autocommits', async () => {
      let late: Promise<unknown> | undefined;
      await atomic(async () => {
        late = delay(10).then(() => {
          assert.equal(inAtomicBlock(), false);
          return insert('late');
        });
      });
      await late;
      assert.deepEqual(await names(), ['late']);
    });

    test('a constraint that fails at COMMIT raises IntegrityError, rolls back and frees the database', async () => {
      const db = connections.get();
      await db.executeScript(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE child (id INTEGER PRIMARY KEY,
          parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`);
      await assert.rejects(
        atomic(async () => {
          await insert('lost');
          await db.execute({ sql: 'INSERT INTO child (parent_id) VALUES (?)', params: [404] });
        }),
        (error: unknown) => error instanceof IntegrityError && /COMMIT/.test(error.message),
      );
      assert.deepEqual(await names(), []);
      await atomic(() => insert('next'));
      assert.deepEqual(await names(), ['next']);
    });

    test('iterate inside atomic reads the transaction’s own rows', async () => {
      await atomic(async () => {
        await insert('a');
        await insert('b');
        const seen: unknown[] = [];
        for await (const row of connections.get().iterate({ sql: 'SELECT name FROM item ORDER BY id', params: [] }, 1)) {
          seen.push(row[0]);
        }
        assert.deepEqual(seen, ['a', 'b']);
      });
    });
  });

  describe(`onCommit() on a ${mode} database`, () => {
    beforeEach(() => setUp(mode));

    test('callbacks run after the outermost commit, in registration order', async () => {
      const calls: string[] = [];
      await atomic(async () => {
        onCommit(() => calls.push('first'));
        await atomic(async () => {
          onCommit(() => calls.push('nested'));
        });
        onCommit(async () => {
          await delay(1);
          calls.push('async');
        });
        onCommit(() => calls.push('last'));
        assert.deepEqual(calls, []);
      });
      assert.deepEqual(calls, ['first', 'nested', 'async', 'last']);
    });

    test('callbacks registered in a rolled-back savepoint are discarded, the others kept', async () => {
      const calls: string[] = [];
      await atomic(async () => {
        onCommit(() => calls.push('outer'));
        await atomic(async () => {
          onCommit(() => calls.push('discarded'));
          await atomic(async () => onCommit(() => calls.push('discarded-too')));
          throw new Error('x');
        }).catch(() => undefined);
        await atomic(async () => onCommit(() => calls.push('kept')));
      });
      assert.deepEqual(calls, ['outer', 'kept']);
    });

    test('nothing runs when the transaction rolls back', async () => {
      const calls: string[] = [];
      await atomic(async () => {
        onCommit(() => calls.push('never'));
        setRollback(true);
      });
      await assert.rejects(
        atomic(async () => {
          onCommit(() => calls.push('never'));
          throw new Error('x');
        }),
      );
      assert.deepEqual(calls, []);
    });

    test('outside a transaction the callback runs immediately', async () => {
      const calls: string[] = [];
      onCommit(() => calls.push('now'));
      assert.deepEqual(calls, ['now']);
    });

    test('callbacks run outside the transaction, so their queries autocommit', async () => {
      let inside: boolean | undefined;
      await atomic(async () => {
        await insert('a');
        onCommit(async () => {
          inside = inAtomicBlock();
          await insert('from-hook');
        });
      });
      assert.equal(inside, false);
      assert.deepEqual(await names(), ['a', 'from-hook']);
    });

    test('a robust callback error is logged and the next callbacks still run', async (t) => {
      const logged = t.mock.method(console, 'error', () => undefined);
      const calls: string[] = [];
      await atomic(async () => {
        onCommit(
          function failing() {
            throw new Error('hook failed');
          },
          { robust: true },
        );
        onCommit(() => calls.push('after'));
      });
      assert.deepEqual(calls, ['after']);
      assert.equal(logged.mock.callCount(), 1);
      assert.match(String(logged.mock.calls[0]!.arguments[0]), /failing/);
    });

    test('a non-robust callback error is thrown from atomic() after the data is committed', async () => {
      const calls: string[] = [];
      await assert.rejects(
        atomic(async () => {
          await insert('committed');
          onCommit(() => {
            throw new Error('hook failed');
          });
          onCommit(() => calls.push('skipped'));
        }),
        /hook failed/,
      );
      assert.deepEqual(await names(), ['committed']);
      assert.deepEqual(calls, []);
    });
  });
}

describe('concurrent async flows on a :memory: database', () => {
  beforeEach(() => setUp('memory'));

  test('an outside read waits for the open transaction and sees only committed rows', async () => {
    const inserted = gate();
    const finish = gate();
    const tx = atomic(async () => {
      await insert('uncommitted');
      inserted.open();
      await finish.promise;
      throw new Error('roll back');
    }).catch(() => 'rolled back');
    await inserted.promise;
    const outside = names();
    assert.equal(await state(outside), 'pending');
    finish.open();
    assert.equal(await tx, 'rolled back');
    assert.deepEqual(await outside, []);
  });

  test('two transactions never see each other’s uncommitted rows', async () => {
    const seenByB: string[][] = [];
    const aInserted = gate();
    const a = atomic(async () => {
      await insert('a');
      aInserted.open();
      await delay(10);
      assert.deepEqual(await names(), ['a']);
    });
    await aInserted.promise;
    const b = atomic(async () => {
      seenByB.push(await names());
      await insert('b');
    });
    await Promise.all([a, b]);
    assert.deepEqual(seenByB, [['a']]);
    assert.deepEqual(await names(), ['a', 'b']);
  });

  test('an outside cursor opened before a transaction does not see its rows', async () => {
    await insert('one');
    await insert('two');
    const rows = connections.get().iterate({ sql: 'SELECT name FROM item ORDER BY id', params: [] }, 1)[Symbol.asyncIterator]();
    assert.deepEqual((await rows.next()).value, ['one']);
    await atomic(async () => {
      await insert('three');
      assert.deepEqual((await rows.next()).value, ['two']);
      assert.equal((await rows.next()).done, true);
    });
  });
});

describe('concurrent async flows on a file database', () => {
  beforeEach(() => setUp('file'));

  test('an outside read does not wait and sees the last committed state', async () => {
    await insert('committed');
    const inserted = gate();
    const finish = gate();
    const tx = atomic(async () => {
      await insert('uncommitted');
      inserted.open();
      await finish.promise;
    });
    await inserted.promise;
    const read = connections.get().fetchAll({ sql: 'SELECT name FROM item ORDER BY id', params: [] });
    assert.ok(!(read instanceof Promise), 'WAL readers run synchronously beside the transaction');
    assert.deepEqual(read, [['committed']]);
    finish.open();
    await tx;
    assert.deepEqual(await names(), ['committed', 'uncommitted']);
  });

  test('a writer outside the transaction waits for it, then succeeds', async () => {
    const inserted = gate();
    const finish = gate();
    const tx = atomic(async () => {
      await insert('in-tx');
      inserted.open();
      await finish.promise;
    });
    await inserted.promise;
    const write = insert('outside');
    assert.equal(await state(write), 'pending');
    finish.open();
    await tx;
    assert.deepEqual(await write, { rowCount: 1, lastInsertId: 2 });
    assert.deepEqual(await names(), ['in-tx', 'outside']);
  });

  test('two transactions never see each other’s uncommitted rows', async () => {
    const aInserted = gate();
    const releaseA = gate();
    let bSaw: string[] | undefined;
    const a = atomic(async () => {
      await insert('a');
      aInserted.open();
      await releaseA.promise;
      throw new Error('a rolls back');
    }).catch(() => undefined);
    await aInserted.promise;
    const outsideDuringA = await names();
    const b = atomic(async () => {
      bSaw = await names();
      await insert('b');
    });
    assert.equal(await state(b), 'pending');
    releaseA.open();
    await Promise.all([a, b]);
    assert.deepEqual(outsideDuringA, []);
    assert.deepEqual(bSaw, []);
    assert.deepEqual(await names(), ['b']);
  });
});

describe('lock timeouts', () => {
  test('a writer waiting longer than OPTIONS.timeout gets DatabaseLockTimeoutError', async () => {
    await setUp('file', { timeout: 0.05 });
    const finish = gate();
    const inserted = gate();
    const tx = atomic(async () => {
      await insert('a');
      inserted.open();
      await finish.promise;
    });
    await inserted.promise;
    await assert.rejects(async () => insert('b'), (error: unknown) => {
      assert.ok(error instanceof DatabaseLockTimeoutError);
      assert.equal(error.code, 'NUAGES_DB_LOCK_TIMEOUT');
      assert.match(error.message, /keep atomic\(\) blocks short/);
      return true;
    });
    finish.open();
    await tx;
    assert.deepEqual(await names(), ['a']);
  });

  test('a transaction that awaits a write from outside its context fails instead of hanging', async () => {
    await setUp('memory', { timeout: 0.05 });
    // A function bound to the context outside the transaction, as a worker pool or an
    // emitter created earlier would run it.
    const runOutside = AsyncLocalStorage.snapshot();
    await assert.rejects(
      atomic(async () => {
        await insert('inside');
        await runOutside(() => insert('outside'));
      }),
      DatabaseLockTimeoutError,
    );
    assert.deepEqual(await names(), []);
  });

  test('a branch that awaits a sibling from inside its nested block fails instead of hanging', async () => {
    await setUp('file', { timeout: 0.05 });
    await assert.rejects(
      atomic(async () => {
        const siblingDone = gate();
        await Promise.all([
          atomic(async () => {
            await insert('a');
            await siblingDone.promise;
          }),
          delay(1)
            .then(() => insert('b'))
            .finally(() => siblingDone.open()),
        ]);
      }),
      DatabaseLockTimeoutError,
    );
    assert.deepEqual(await names(), []);
  });
});

describe('onCommit() with a key', () => {
  beforeEach(() => setUp('memory'));

  /** A callback that counts its runs under `key`, registered where it is called. */
  function keyed(runs: string[], key = 'k'): void {
    onCommit(() => void runs.push(key), { key });
  }

  test('callbacks of one key run once, after the commit; other keys run too', async () => {
    const runs: string[] = [];
    await atomic(async () => {
      for (let i = 0; i < 100; i++) keyed(runs);
      keyed(runs, 'other');
      await insert('a');
      assert.deepEqual(runs, [], 'nothing runs before the commit');
    });
    assert.deepEqual(runs, ['k', 'other']);
  });

  test('outside a transaction a keyed callback runs at once, every time', () => {
    const runs: string[] = [];
    keyed(runs);
    keyed(runs);
    assert.deepEqual(runs, ['k', 'k']);
  });

  test('a rolled-back transaction runs none', async () => {
    const runs: string[] = [];
    await atomic(async () => {
      keyed(runs);
      setRollback(true);
    });
    assert.deepEqual(runs, []);
  });

  test('registered in a savepoint that rolls back, then in the outer block: runs once', async () => {
    const runs: string[] = [];
    await atomic(async () => {
      await atomic(async () => {
        keyed(runs);
        throw new Error('undo the savepoint');
      }).catch(() => undefined);
      keyed(runs);
    });
    assert.deepEqual(runs, ['k']);
  });

  test('registered in the outer block, then in a savepoint that rolls back: still runs', async () => {
    const runs: string[] = [];
    await atomic(async () => {
      keyed(runs);
      await atomic(async () => {
        keyed(runs);
        setRollback(true);
      });
    });
    assert.deepEqual(runs, ['k']);
  });

  test('only in a savepoint that rolls back: does not run', async () => {
    const runs: string[] = [];
    await atomic(async () => {
      await atomic(async () => {
        keyed(runs);
        setRollback(true);
      });
      await insert('kept');
    });
    assert.deepEqual(runs, []);
  });

  test('in a released savepoint, then in a sibling savepoint that rolls back: runs once', async () => {
    const runs: string[] = [];
    await atomic(async () => {
      await atomic(() => keyed(runs));
      await atomic(async () => {
        keyed(runs);
        setRollback(true);
      });
    });
    assert.deepEqual(runs, ['k']);
  });

  test('in a released savepoint inside one that rolls back, then in the outer block: runs once', async () => {
    const runs: string[] = [];
    await atomic(async () => {
      await atomic(async () => {
        await atomic(() => keyed(runs));
        setRollback(true);
      });
      assert.deepEqual(runs, []);
      keyed(runs);
    });
    assert.deepEqual(runs, ['k']);
  });

  test('registered in a parallel branch\'s savepoint that rolls back while the outer block registers: runs once', async () => {
    const runs: string[] = [];
    await atomic(async () => {
      const registered = gate();
      const outerDone = gate();
      await Promise.all([
        atomic(async () => {
          keyed(runs);
          registered.open();
          await outerDone.promise;
          setRollback(true);
        }),
        registered.promise.then(() => {
          keyed(runs);
          outerDone.open();
        }),
      ]);
    });
    assert.deepEqual(runs, ['k']);
  });

  test('a thousand savepoints that each register the key run it once', async () => {
    const runs: string[] = [];
    await atomic(async () => {
      for (let i = 0; i < 1000; i++) await atomic(() => keyed(runs));
    });
    assert.deepEqual(runs, ['k']);
  });
});
