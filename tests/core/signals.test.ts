import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { receiver, requestFinished, requestStarted, settingChanged, Signal } from '../../src/core/signals.ts';

class Book {}
class Author {}

describe('connect and send', () => {
  test('receivers get the arguments plus sender and signal', async () => {
    const signal = new Signal<{ title: string }>({ name: 'published' });
    const seen: unknown[] = [];
    signal.connect((payload) => void seen.push(payload));
    await signal.send(Book, { title: 'Dune' });
    assert.deepEqual(seen, [{ title: 'Dune', sender: Book, signal }]);
  });

  test('send returns [receiver, result] pairs in connection order', async () => {
    const signal = new Signal();
    const first = () => 1;
    const second = async () => 2;
    signal.connect(first);
    signal.connect(second);
    assert.deepEqual(await signal.send(Book), [[first, 1], [second, 2]]);
  });

  test('a receiver connected with a sender only hears that sender', async () => {
    const signal = new Signal();
    const heard: string[] = [];
    signal.connect(() => void heard.push('any'));
    signal.connect(() => void heard.push('book'), { sender: Book });
    await signal.send(Book);
    await signal.send(Author);
    assert.deepEqual(heard, ['any', 'book', 'any']);
  });

  test('async receivers run one after another, in order', async () => {
    const signal = new Signal();
    const events: string[] = [];
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    signal.connect(async () => {
      events.push('a start');
      await sleep(10);
      events.push('a end');
    });
    signal.connect(() => void events.push('b sync'));
    signal.connect(async () => {
      events.push('c start');
      await sleep(1);
      events.push('c end');
    });
    await signal.send(Book);
    assert.deepEqual(events, ['a start', 'a end', 'b sync', 'c start', 'c end']);
  });

  test('connecting the same receiver and sender twice connects once', async () => {
    const signal = new Signal();
    let calls = 0;
    const onSave = () => void calls++;
    signal.connect(onSave);
    signal.connect(onSave);
    signal.connect(onSave, { sender: Book });
    signal.connect(onSave, { sender: Book });
    await signal.send(Book);
    assert.equal(calls, 2); // once for "any sender", once for Book
  });

  test('the same dispatchUid connects once even with different functions', async () => {
    const signal = new Signal();
    const calls: string[] = [];
    for (const name of ['first', 'second']) signal.connect(() => void calls.push(name), { dispatchUid: 'audit' });
    await signal.send(Book);
    assert.deepEqual(calls, ['first']);
    assert.equal(signal.disconnect(undefined, { dispatchUid: 'audit' }), true);
    assert.equal(signal.hasListeners(), false);
  });

  test('disconnect removes one connection and reports whether it found it', async () => {
    const signal = new Signal();
    const calls: string[] = [];
    const onAny = () => void calls.push('any');
    const onBook = () => void calls.push('book');
    signal.connect(onAny);
    signal.connect(onBook, { sender: Book });
    assert.equal(signal.disconnect(onBook), false); // connected for Book, not for any sender
    assert.equal(signal.disconnect(onBook, { sender: Book }), true);
    assert.equal(signal.disconnect(onBook, { sender: Book }), false);
    await signal.send(Book);
    assert.deepEqual(calls, ['any']);
  });

  test('hasListeners tells whether send(sender) would call anyone', () => {
    const signal = new Signal();
    assert.equal(signal.hasListeners(), false);
    assert.equal(signal.hasListeners(Book), false);
    const r = () => {};
    signal.connect(r, { sender: Book });
    assert.equal(signal.hasListeners(), true);
    assert.equal(signal.hasListeners(Book), true);
    assert.equal(signal.hasListeners(Author), false);
    signal.disconnect(r, { sender: Book });
    assert.equal(signal.hasListeners(Book), false);
  });

  test('the per-sender cache follows later connects and disconnects', async () => {
    const signal = new Signal();
    const calls: string[] = [];
    await signal.send(Book); // caches the empty list for Book
    const late = () => void calls.push('late');
    signal.connect(late, { sender: Book });
    await signal.send(Book);
    signal.disconnect(late, { sender: Book });
    await signal.send(Book);
    assert.deepEqual(calls, ['late']);
  });

  test('a receiver connected during a send is not called by that send', async () => {
    const signal = new Signal();
    const calls: string[] = [];
    signal.connect(() => {
      calls.push('first');
      signal.connect(() => void calls.push('added'));
    });
    await signal.send(Book);
    assert.deepEqual(calls, ['first']);
  });

  test('connect refuses something that is not a function, naming the signal', () => {
    const signal = new Signal({ name: 'orderPlaced' });
    assert.throws(() => signal.connect('nope' as never), /Signal 'orderPlaced'\.connect\(\) needs a function/);
  });
});

describe('errors in receivers', () => {
  test('send stops at the first error and rejects with it', async () => {
    const signal = new Signal();
    const calls: string[] = [];
    signal.connect(() => void calls.push('before'));
    signal.connect(async () => {
      throw new Error('receiver failed');
    });
    signal.connect(() => void calls.push('after'));
    await assert.rejects(signal.send(Book), /receiver failed/);
    assert.deepEqual(calls, ['before']);
  });

  test('a synchronous throw also rejects, rather than throwing from send()', async () => {
    const signal = new Signal();
    signal.connect(() => {
      throw new TypeError('sync failure');
    });
    const result = signal.send(Book);
    assert.ok(result instanceof Promise);
    await assert.rejects(result, TypeError);
  });

  test('sendRobust returns each error as that receiver’s result and carries on', async () => {
    const signal = new Signal();
    const boom = new Error('boom');
    const failing = async () => {
      throw boom;
    };
    const failingSync = () => {
      throw new RangeError('sync');
    };
    const fine = () => 'ok';
    signal.connect(failing);
    signal.connect(failingSync);
    signal.connect(fine);
    const results = await signal.sendRobust(Book);
    assert.equal(results.length, 3);
    assert.deepEqual(results[0], [failing, boom]);
    assert.ok(results[1]![1] instanceof RangeError);
    assert.deepEqual(results[2], [fine, 'ok']);
  });
});

describe('receiver() helper and built-in signals', () => {
  test('receiver() connects to one or several signals and returns the function', async () => {
    const a = new Signal<{ n: number }>();
    const b = new Signal<{ n: number }>();
    const got: number[] = [];
    const fn = receiver([a, b])(({ n }) => void got.push(n));
    assert.equal(typeof fn, 'function');
    await a.send(Book, { n: 1 });
    await b.send(Book, { n: 2 });
    assert.deepEqual(got, [1, 2]);
  });

  test('receiver() passes sender and dispatchUid through', async () => {
    const signal = new Signal();
    let calls = 0;
    receiver(signal, { sender: Book, dispatchUid: 'x' })(() => void calls++);
    receiver(signal, { sender: Book, dispatchUid: 'x' })(() => void calls++);
    await signal.send(Book);
    await signal.send(Author);
    assert.equal(calls, 1);
  });

  test('core signals exist with their names', () => {
    assert.equal(settingChanged.name, 'settingChanged');
    assert.equal(requestStarted.name, 'requestStarted');
    assert.equal(requestFinished.name, 'requestFinished');
  });

  test('send with no receivers resolves to an empty list', async () => {
    assert.deepEqual(await new Signal().send(Book), []);
    assert.deepEqual(await new Signal().sendRobust(Book), []);
  });
});

describe('types', () => {
  test('payload types follow the signal and the sender', async () => {
    const signal = new Signal<{ count: number }>();
    signal.connect<typeof Book>(({ count, sender }) => {
      const n: number = count;
      const s: typeof Book = sender;
      return [n, s];
    }, { sender: Book });
    const typeOnly = () => {
      // @ts-expect-error the args are required when the signal has some
      void signal.send(Book);
    };
    void typeOnly;
    // @ts-expect-error wrong argument type
    await signal.send(Book, { count: 'one' });
    const noArgs = new Signal();
    await noArgs.send(Book);
    const viaHelper = receiver(signal)(({ count }) => {
      const n: number = count;
      return n;
    });
    // @ts-expect-error the payload has no such property
    receiver(signal)(({ missing }) => missing);
    signal.disconnect(viaHelper);
  });
});
