// useTestCase() and useTransactionTestCase(): a test's writes are invisible to the next test,
// setUpTestData objects are copied per test, nested and durable atomic blocks work inside a
// test, a test's onCommit callbacks never run unless captured. On SQLite, and on PostgreSQL
// with NUAGES_TEST_DB=postgres (one database for this file, dropped after it).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connections } from '../../src/db/connections.ts';
import { NestedDurableAtomicError, TransactionManagementError } from '../../src/db/errors.ts';
import { atomic, beginTestTransaction, onCommit } from '../../src/db/transaction.ts';
import { captureOnCommitCallbacks, TestCaseSetupError, useTestCase, useTransactionTestCase } from '../../src/test/index.ts';
import { Book } from './fixtures/shelf-models.ts';
import { useIsolationProject } from './isolation-project.ts';

await useIsolationProject('nuages_iso');

const titles = async (): Promise<string[]> => (await Book.objects.orderBy('title').valuesList('title', { flat: true })) as string[];

// Tests of one describe run in order: each pair writes in the first test and checks in the second.
describe('useTestCase()', () => {
  const data = useTestCase({ setUpTestData: async () => ({ book: await Book.objects.create({ title: 'Dune', pages: 100 }), tags: ['sf'] }) });
  const committed: string[] = [];

  test('a test sees setUpTestData rows and writes its own', async () => {
    await Book.objects.create({ title: 'Emma' });
    data.book.pages = 999;
    data.tags.push('changed');
    onCommit(() => committed.push('outside atomic'));
    await atomic(() => onCommit(() => committed.push('in atomic')));
    assert.deepEqual(await titles(), ['Dune', 'Emma']);
  });

  test("the previous test's rows are gone and its in-memory changes did not leak", async () => {
    assert.deepEqual(await titles(), ['Dune']);
    assert.equal(data.book.pages, 100);
    assert.deepEqual(data.tags, ['sf']);
    assert.ok(data.book instanceof Book, 'the copy is still a Book');
    assert.deepEqual(committed, [], "a rolled back test's onCommit callbacks never run");
  });

  test('a test may save the setUpTestData object', async () => {
    data.book.title = 'Dune Messiah';
    await data.book.save();
    assert.deepEqual(await titles(), ['Dune Messiah']);
  });

  test('…and the next one sees it unsaved', async () => {
    assert.deepEqual(await titles(), ['Dune']);
    assert.equal(data.book.title, 'Dune');
  });

  test('nested atomic blocks roll back on their own inside a test', async () => {
    await atomic(async () => {
      await Book.objects.create({ title: 'Kept' });
      await assert.rejects(
        atomic(async () => {
          await Book.objects.create({ title: 'Undone' });
          throw new Error('boom');
        }),
        /boom/,
      );
    });
    assert.deepEqual(await titles(), ['Dune', 'Kept']);
  });

  test('a durable block runs inside a test, but not inside an atomic block of the test', async () => {
    await atomic(() => Book.objects.create({ title: 'Durable' }), { durable: true });
    assert.deepEqual(await titles(), ['Dune', 'Durable']);
    await assert.rejects(atomic(() => atomic(() => 1, { durable: true })), NestedDurableAtomicError);
  });

  test('writes from async contexts the test did not create still land in its transaction', async () => {
    // setImmediate callbacks start from the context they were scheduled in; a fresh timer from
    // the module scope (no test context) stands in for a live server's request.
    await new Promise<void>((resolve, reject) => {
      setTimeout(() => void Book.objects.create({ title: 'From a timer' }).then(() => resolve(), reject), 0);
    });
    assert.deepEqual(await titles(), ['Dune', 'From a timer']);
  });

  test('so do writes of requests a live HTTP server in this process serves', async () => {
    const server = createServer((request, response) => {
      void Book.objects.create({ title: 'From a request' }).then(
        () => response.end('ok'),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST' });
      assert.equal(await response.text(), 'ok');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    assert.deepEqual(await titles(), ['Dune', 'From a request']);
  });

  test('…and roll back with it', async () => {
    assert.deepEqual(await titles(), ['Dune']);
  });
});

describe('captureOnCommitCallbacks()', () => {
  useTestCase();

  test('returns the callbacks registered in fn without running them', async () => {
    const ran: string[] = [];
    const callbacks = await captureOnCommitCallbacks({}, async () => {
      onCommit(() => ran.push('a'));
      await atomic(() => onCommit(() => ran.push('b')));
    });
    assert.equal(callbacks.length, 2);
    assert.deepEqual(ran, []);
  });

  test('leaves out callbacks registered before it and in rolled back savepoints', async () => {
    onCommit(() => undefined);
    const callbacks = await captureOnCommitCallbacks({}, async () => {
      onCommit(() => 'kept');
      await assert.rejects(
        atomic(() => {
          onCommit(() => 'dropped');
          throw new Error('rollback');
        }),
      );
    });
    assert.deepEqual(callbacks.map((fn) => fn()), ['kept']);
  });

  test('with execute: runs them, and the callbacks they register, in order', async () => {
    const ran: string[] = [];
    const callbacks = await captureOnCommitCallbacks({ execute: true }, () => {
      onCommit(() => {
        ran.push('first');
        onCommit(() => ran.push('added by first'));
      });
      onCommit(() => ran.push('second'));
    });
    assert.deepEqual(ran, ['first', 'second', 'added by first']);
    assert.equal(callbacks.length, 3);
  });

  test('with execute: a callback that throws fails the capture unless robust', async () => {
    await assert.rejects(
      captureOnCommitCallbacks({ execute: true }, () => onCommit(() => { throw new Error('mailer down'); })),
      /mailer down/,
    );
    const errors: unknown[][] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const callbacks = await captureOnCommitCallbacks({ execute: true }, () => onCommit(() => { throw new Error('logged'); }, { robust: true }));
      assert.equal(callbacks.length, 1);
    } finally {
      console.error = consoleError;
    }
    assert.match(String(errors[0]?.[1]), /logged/);
  });

  test('with execute: callbacks that write do so in the test transaction', async () => {
    await captureOnCommitCallbacks({ execute: true }, () => onCommit(() => Book.objects.create({ title: 'From a callback' })));
    assert.deepEqual(await titles(), ['From a callback']);
  });

  test('…which rolls back', async () => {
    assert.deepEqual(await titles(), []);
  });
});

describe('useTransactionTestCase()', () => {
  useTransactionTestCase();
  const ran: string[] = [];

  test('a test commits for real: onCommit callbacks run', async () => {
    await atomic(async () => {
      await Book.objects.create({ title: 'Committed' });
      onCommit(() => ran.push('committed'));
    });
    assert.deepEqual(ran, ['committed']);
    assert.deepEqual(await titles(), ['Committed']);
  });

  test('the tables are emptied after each test, sequences reset', async () => {
    assert.deepEqual(await titles(), []);
    const book = await Book.objects.create({ title: 'First again' });
    assert.equal(Number(book.pk), 1);
  });
});

describe('misuse', () => {
  const other = useTestCase({ setUpTestData: () => ({ n: 1 }) });
  test('inside its suite the data is readable', () => assert.equal(other.n, 1));

  describe('test transactions', () => {
    test('open in reverse order only', async () => {
      const inner = await beginTestTransaction();
      const innermost = await beginTestTransaction();
      await assert.rejects(inner.rollback(), TransactionManagementError);
      await innermost.rollback();
      await inner.rollback();
    });

    test('cannot open inside an atomic block of the caller', async () => {
      await assert.rejects(atomic(() => beginTestTransaction()), TransactionManagementError);
    });
  });
});

describe('data outside its suite', () => {
  let leaked: { n: number } | undefined;
  describe('a suite', () => {
    const data = useTestCase({ setUpTestData: () => ({ n: 1 }) });
    before(() => {
      leaked = data;
    });
    test('reads its data', () => assert.equal(data.n, 1));
  });
  test('reading it after the suite names the mistake', () => {
    assert.throws(() => leaked?.n, TestCaseSetupError);
  });
});

test('nothing is left open after the suites', () => {
  assert.equal(connections.get().inAtomicBlock(), false);
});
