// The bookshop's background tasks on its default backend (the database): the checkout queues
// the confirmation mail in its transaction (a failed checkout queues nothing), a worker sends
// it; the bestseller list is rebuilt by a periodic task and shown on the products page.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apps } from '../../src/conf/apps.ts';
import { signals } from '../../src/db/index.ts';
import { DBTaskResult, schedulesFor, taskBackends, type QueuedTaskBackend } from '../../src/tasks/index.ts';
import { Client, useMailOutbox } from '../../src/test/index.ts';
import type { User as UserModel } from '../../src/contrib/auth/index.ts';
import type { Product as ProductModel } from '../../examples/bookshop/catalog/models.ts';
import type { Bestseller as BestsellerModel, OrderItem as OrderItemModel } from '../../examples/bookshop/orders/models.ts';
import { useBookshop } from './bookshop-project.ts';

const ENV = {
  CACHE_URL: 'locmem://bookshop-tasks-test',
  EMAIL_BACKEND: 'locmem',
  BOOKSHOP_STAFF_PASSWORD: 'staff-demo-passphrase',
  BOOKSHOP_READER_PASSWORD: 'reader-demo-passphrase',
};
let User: typeof UserModel;
let Product: typeof ProductModel;
let OrderItem: typeof OrderItemModel;
let Bestseller: typeof BestsellerModel;

useBookshop('tasks', { env: () => ENV, seed: true }, () => {
  User = apps.getModel('auth.User') as unknown as typeof UserModel;
  Product = apps.getModel('catalog.Product') as unknown as typeof ProductModel;
  OrderItem = apps.getModel('orders.OrderItem') as unknown as typeof OrderItemModel;
  Bestseller = apps.getModel('orders.Bestseller') as unknown as typeof BestsellerModel;
});
const mail = useMailOutbox();

let shoppers = 0;

/** A logged-in customer who checks out `lines` (sku → quantity); returns the response. */
async function checkOut(lines: Record<string, number>, client?: Client) {
  shoppers += 1;
  const user = await User.objects.createUser({ username: `buyer${shoppers}`, email: `buyer${shoppers}@reader.example`, password: 'x' });
  const shopper = client ?? new Client();
  await shopper.forceLogin(user);
  const data: Record<string, string> = { 'address-city': 'Lyon', 'address-country': 'France', 'items-INITIAL_FORMS': '0', 'items-MIN_NUM_FORMS': '0', 'items-MAX_NUM_FORMS': '100' };
  let i = 0;
  for (const [sku, quantity] of Object.entries(lines)) {
    const product = await Product.objects.get({ sku });
    await shopper.post('/cart/add/', { product: String(product.id), quantity: String(quantity) });
    data[`items-${i}-product`] = String(product.id);
    data[`items-${i}-quantity`] = String(quantity);
    i++;
  }
  data['items-TOTAL_FORMS'] = String(i);
  data['items-INITIAL_FORMS'] = String(i);
  return { user, response: await shopper.post('/checkout/', data) };
}

const drain = () => (taskBackends.get() as QueuedTaskBackend).createRunner().runUntilEmpty();

describe('the bookshop\'s tasks', () => {
  test('the checkout queues the confirmation mail in its transaction; a worker sends it', async () => {
    const { user, response } = await checkOut({ 'sku-1': 2, 'sku-4': 1 });
    assert.equal(response.status, 302);
    assert.equal(mail.length, 0, 'the view does not wait for the mail');
    const queued = await DBTaskResult.objects.filter({ queueName: 'mail', status: 'READY' }).count();
    assert.equal(queued, 1);
    await drain();
    assert.equal(mail.length, 1);
    const [sent] = mail;
    assert.deepEqual(sent!.to, [user.email]);
    assert.match(sent!.subject, /^Your order \d+$/);
    assert.match(sent!.body, /2 × .+ at 20\.00\n1 × .+ at 65\.00\n\nTotal: 105\.00\n\nIt will be shipped to Lyon, France\./);
  });

  test('a checkout that fails mid-way queues no mail', async () => {
    const before = await DBTaskResult.objects.count();
    const failItem = () => {
      throw new Error('the disk is full');
    };
    signals.postSave.connect(failItem, { sender: OrderItem });
    try {
      const { response } = await checkOut({ 'sku-2': 1 }, new Client({ raiseRequestException: false }));
      assert.equal(response.status, 500);
    } finally {
      signals.postSave.disconnect(failItem, { sender: OrderItem });
    }
    assert.equal(await DBTaskResult.objects.count(), before);
    await drain();
    assert.equal(mail.length, 0);
  });

  test('the bestseller list is rebuilt by a periodic task and shown on the products page', async () => {
    const { rebuildBestsellers } = await import('../../examples/bookshop/orders/tasks.ts');
    assert.ok(schedulesFor('default').some((schedule) => schedule.task.name === rebuildBestsellers.name && schedule.cron === '*/10 * * * *'));
    await checkOut({ 'sku-3': 5, 'sku-5': 1 });
    await checkOut({ 'sku-5': 1 });
    await rebuildBestsellers.enqueue();
    await drain();
    const ranked = await Bestseller.objects.selectRelated('product');
    const sold = new Map(ranked.map((entry) => [entry.product.sku, entry.sold]));
    assert.equal(ranked[0]!.product.sku, 'sku-3');
    assert.equal(sold.get('sku-3'), 5);
    assert.equal(sold.get('sku-5'), 2);
    assert.deepEqual(ranked.map((entry) => entry.rank), ranked.map((_entry, i) => i + 1));
    const page = await new Client().get('/products/');
    assert.match(page.text, /<h2>Bestsellers<\/h2>\n<ol class="bestsellers">\n<li><a href="\/products\/sku-3\/">[^<]+<\/a> · 5 sold<\/li>/);
  });
});
