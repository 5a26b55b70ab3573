// The examples of docs/signals.md and docs/apps.md, kept compiling and running.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { apps, configure, MODEL_MARKER, resetSettings, settings } from '../../src/conf/index.ts';
import { CheckError, registerCheck, runChecks } from '../../src/core/checks/index.ts';
import { receiver, Signal } from '../../src/core/signals.ts';
import { postDelete, postSave } from '../../src/db/models/signals.ts';

afterEach(() => {
  apps.clear();
  resetSettings();
});

test('docs/signals.md: a custom signal with an async receiver', async () => {
  class Order {
    readonly id: number;
    constructor(id: number) {
      this.id = id;
    }
  }
  const orderPlaced = new Signal<{ order: Order }>({ name: 'orderPlaced' });
  const seen: string[] = [];
  orderPlaced.connect(async ({ order, sender }) => {
    seen.push(`order ${order.id} placed by ${(sender as { name: string }).name}`);
  });
  await orderPlaced.send(Order, { order: new Order(1) });
  assert.deepEqual(seen, ['order 1 placed by Order']);
});

test('docs/signals.md: receiver() on two model signals with a lazy sender', async () => {
  class Book {
    static readonly [MODEL_MARKER] = true;
    title = 'Dune';
  }
  const updated: unknown[] = [];
  const reindex = receiver([postSave, postDelete], { sender: 'catalog.Book', dispatchUid: 'docs-reindex' })(
    async ({ instance }) => {
      updated.push(instance);
    },
  );
  apps.register('catalog', Book);
  const book = new Book();
  await postSave.send(Book, { instance: book, created: true, raw: false, using: 'default', updateFields: null });
  await postDelete.send(Book, { instance: book, using: 'default', origin: book });
  assert.deepEqual(updated, [book, book]);
  assert.equal(typeof reindex, 'function');
  postSave.disconnect(undefined, { sender: Book, dispatchUid: 'docs-reindex' });
  postDelete.disconnect(undefined, { sender: Book, dispatchUid: 'docs-reindex' });
});

test('docs/apps.md: a project check with an ID and hint', async () => {
  configure({ DEBUG: true });
  const currencyCheck = registerCheck(() =>
    (settings as unknown as Record<string, unknown>)['SHOP_CURRENCY']
      ? []
      : [new CheckError('SHOP_CURRENCY is not set.', { id: 'shop.E001', hint: "Add SHOP_CURRENCY: 'EUR'." })],
    { tags: ['shop'] },
  );
  const messages = await runChecks({ tags: ['shop'] });
  assert.equal(messages.length, 1);
  assert.equal(String(messages[0]), "?: (shop.E001) SHOP_CURRENCY is not set.\n\tHINT: Add SHOP_CURRENCY: 'EUR'.");
  assert.equal(typeof currencyCheck, 'function');
});
