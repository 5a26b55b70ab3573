// The bookshop's cart, checkout and orders through the test client, on its migrated and
// seeded database: a session cart changed through a formset, a checkout that validates an
// address form and the lines formset together and saves everything in one transaction with
// the database's prices, and an orders page with a fixed number of queries.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apps } from '../../src/conf/apps.ts';
import { signals } from '../../src/db/index.ts';
import { assertNumQueries, Client } from '../../src/test/index.ts';
import type { User as UserModel } from '../../src/contrib/auth/index.ts';
import type { Address as AddressModel } from '../../examples/bookshop/accounts/models.ts';
import type { Product as ProductModel } from '../../examples/bookshop/catalog/models.ts';
import type { Order as OrderModel, OrderItem as OrderItemModel } from '../../examples/bookshop/orders/models.ts';
import { useBookshop } from './bookshop-project.ts';

const ENV = {
  CACHE_URL: 'locmem://bookshop-checkout-test',
  EMAIL_BACKEND: 'locmem',
  BOOKSHOP_STAFF_PASSWORD: 'staff-demo-passphrase',
  BOOKSHOP_READER_PASSWORD: 'reader-demo-passphrase',
};
let User: typeof UserModel;
let Product: typeof ProductModel;
let Order: typeof OrderModel;
let OrderItem: typeof OrderItemModel;
let Address: typeof AddressModel;

useBookshop('checkout', { env: () => ENV, seed: true }, async () => {
  User = apps.getModel('auth.User') as unknown as typeof UserModel;
  Product = apps.getModel('catalog.Product') as unknown as typeof ProductModel;
  Order = apps.getModel('orders.Order') as unknown as typeof OrderModel;
  OrderItem = apps.getModel('orders.OrderItem') as unknown as typeof OrderItemModel;
  Address = apps.getModel('accounts.Address') as unknown as typeof AddressModel;
});

let shopperCount = 0;

/** A new customer, logged in, with `products` (sku → quantity) in their cart. */
async function shopper(products: Record<string, number> = {}): Promise<{ client: Client; user: UserModel }> {
  shopperCount += 1;
  const user = await User.objects.createUser({ username: `shopper${shopperCount}`, email: `shopper${shopperCount}@reader.example`, password: 'x' });
  const client = new Client();
  await client.forceLogin(user);
  for (const [sku, quantity] of Object.entries(products)) {
    const product = await Product.objects.get({ sku });
    const added = await client.post('/cart/add/', { product: String(product.id), quantity: String(quantity) });
    assert.equal(added.status, 302);
  }
  return { client, user };
}

/** The checkout POST for the cart's lines as [product id, quantity], plus `extra` fields. */
function checkoutData(lines: Array<[number, number]>, extra: Record<string, string> = {}): Record<string, string> {
  const data: Record<string, string> = {
    'address-city': 'Lyon',
    'address-country': 'France',
    'items-TOTAL_FORMS': String(lines.length),
    'items-INITIAL_FORMS': String(lines.length),
    'items-MIN_NUM_FORMS': '0',
    'items-MAX_NUM_FORMS': '100',
  };
  lines.forEach(([product, quantity], i) => {
    data[`items-${i}-product`] = String(product);
    data[`items-${i}-quantity`] = String(quantity);
  });
  return { ...data, ...extra };
}

describe('the cart', () => {
  test('a product page adds to the session cart; the cart shows the database\'s prices and total', async () => {
    const client = new Client();
    const product = await Product.objects.get({ sku: 'sku-3' });
    const page = await client.get('/products/sku-3/');
    assert.match(page.text, new RegExp(`<input type="hidden" name="product" value="${product.id}">`));
    assert.doesNotMatch(page.text, /name="price"/);
    const added = await client.post('/cart/add/', { product: String(product.id), quantity: '2', price: '0.01' }, { follow: true });
    assert.deepEqual(added.redirectChain, [['/cart/', 302]]);
    assert.match(added.text, new RegExp(`<li class="success">${product.name} was added to your cart\\.</li>`));
    assert.match(added.text, /<td>50\.00<\/td>/);
    assert.match(added.text, /<tfoot><tr><th colspan="3">Total<\/th><td>100\.00<\/td>/);
  });

  test('adding is a POST of an existing product; anything else changes nothing', async () => {
    const client = new Client();
    assert.equal((await client.get('/cart/add/')).status, 405);
    const unknown = await client.post('/cart/add/', { product: '99999', quantity: '1' }, { follow: true });
    assert.match(unknown.text, /<li class="error">That product could not be added to your cart\.<\/li>/);
    assert.match(unknown.text, /Your cart is empty\./);
  });

  test('the formset changes quantities and removes lines; a bad quantity shows Django\'s error', async () => {
    const { client } = await shopper({ 'sku-1': 1, 'sku-2': 1 });
    const [one, two] = [await Product.objects.get({ sku: 'sku-1' }), await Product.objects.get({ sku: 'sku-2' })];
    const bad = await client.post('/cart/', checkoutData([[one.id, 0], [two.id, 1]]));
    assert.equal(bad.status, 200);
    assert.match(bad.text, /Ensure this value is greater than or equal to 1\./);
    const updated = await client.post('/cart/', checkoutData([[one.id, 3], [two.id, 1]], { 'items-1-DELETE': 'on' }), { follow: true });
    assert.match(updated.text, /<li class="success">Your cart was updated\.<\/li>/);
    assert.match(updated.text, /<input type="number" name="items-0-quantity" value="3"/);
    assert.doesNotMatch(updated.text, new RegExp(two.name));
  });
});

describe('the checkout', () => {
  test('anonymous visitors are sent to the login page', async () => {
    const page = await new Client().get('/checkout/');
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('Location'), '/accounts/login/?next=/checkout/');
  });

  test('places the order with the database\'s prices, saves the address, empties the cart', async () => {
    const { client, user } = await shopper({ 'sku-1': 2, 'sku-4': 1 });
    const [one, four] = [await Product.objects.get({ sku: 'sku-1' }), await Product.objects.get({ sku: 'sku-4' })];
    const form = await client.get('/checkout/');
    assert.equal(form.status, 200);
    assert.match(form.text, /<input type="text" name="address-city"/);
    assert.match(form.text, /name="items-TOTAL_FORMS" value="2"/);
    // A forged price beside each line is not a field of the form: it is ignored.
    const placed = await client.post('/checkout/', checkoutData([[one.id, 2], [four.id, 1]], { 'items-0-price': '0.01', 'items-1-price': '0.01' }), { follow: true });
    assert.deepEqual(placed.redirectChain, [['/orders/', 302]]);
    const order = await Order.objects.get({ customer__user: user });
    assert.match(placed.text, new RegExp(`<li class="success">Thank you! Your order ${order.id} is placed\\.</li>`));
    const items = await OrderItem.objects.filter({ order }).orderBy('product__sku');
    assert.deepEqual(
      items.map((item) => [item.productId, item.quantity, item.price.toString()]),
      [[one.id, 2, '20.00'], [four.id, 1, '65.00']],
    );
    assert.match(placed.text, /Total: 105\.00/);
    assert.deepEqual((await Address.objects.filter({ user })).map((a) => `${a.city}, ${a.country}`), ['Lyon, France']);
    assert.match((await client.get('/cart/')).text, /Your cart is empty\./);
  });

  test('a line naming a product outside the cart is refused, and nothing is written', async () => {
    const { client, user } = await shopper({ 'sku-1': 1 });
    const [one, expensive] = [await Product.objects.get({ sku: 'sku-1' }), await Product.objects.get({ sku: 'sku-12' })];
    const page = await client.post('/checkout/', checkoutData([[one.id, 1], [expensive.id, 5]]));
    assert.equal(page.status, 200);
    assert.match(page.text, /<ul class="errorlist nonform"><li>A line names a product that is not in your cart\. Reload the cart and try again\.<\/li><\/ul>/);
    assert.equal(await Order.objects.filter({ customer__user: user }).count(), 0);
    assert.equal(await Address.objects.filter({ user }).count(), 0);
  });

  test('both forms are validated together: every error shows, nothing is written', async () => {
    const { client, user } = await shopper({ 'sku-1': 1 });
    const one = await Product.objects.get({ sku: 'sku-1' });
    const page = await client.post('/checkout/', checkoutData([[one.id, 500]], { 'address-city': '' }));
    assert.equal(page.status, 200);
    assert.match(page.text, /<ul class="errorlist" id="id_address-city_error"><li>This field is required\.<\/li><\/ul>/);
    assert.match(page.text, /Ensure this value is less than or equal to 99\./);
    assert.equal(await Order.objects.filter({ customer__user: user }).count(), 0);
  });

  test('a failure mid-way leaves no half-written order, address or customer, and keeps the cart', async () => {
    const { client, user } = await shopper({ 'sku-1': 1, 'sku-2': 1 });
    const [one, two] = [await Product.objects.get({ sku: 'sku-1' }), await Product.objects.get({ sku: 'sku-2' })];
    let saved = 0;
    // The second item fails to save, after the customer, the order and the first item were written.
    const failSecond = () => {
      saved += 1;
      if (saved === 2) throw new Error('the disk is full');
    };
    signals.postSave.connect(failSecond, { sender: OrderItem });
    try {
      const failed = await clientWithoutRaising(client).post('/checkout/', checkoutData([[one.id, 1], [two.id, 1]]));
      assert.equal(failed.status, 500);
    } finally {
      signals.postSave.disconnect(failSecond, { sender: OrderItem });
    }
    assert.equal(saved, 2);
    assert.equal(await Order.objects.filter({ customer__user: user }).count(), 0);
    assert.equal(await OrderItem.objects.filter({ order__customer__user: user }).count(), 0);
    assert.equal(await Address.objects.filter({ user }).count(), 0);
    assert.equal(await User.objects.filter({ pk: user.pk, customer__isnull: false }).count(), 0);
    assert.match((await client.get('/cart/')).text, new RegExp(two.name));
  });
});

/** The same session in a client that answers 500 instead of throwing the view's error. */
function clientWithoutRaising(client: Client): Client {
  const other = new Client({ raiseRequestException: false });
  for (const [name, value] of client.cookies) other.cookies.set(name, value);
  return other;
}

describe('the orders page', () => {
  test('shows the customer\'s own orders with their items, in the same number of queries for 1 or 3 orders', async () => {
    const { client } = await shopper();
    const product = await Product.objects.get({ sku: 'sku-5' });
    const order = async () => {
      await client.post('/cart/add/', { product: String(product.id), quantity: '1' });
      const placed = await client.post('/checkout/', checkoutData([[product.id, 1]]));
      assert.equal(placed.status, 302);
    };
    await order();
    const withOne = await assertNumQueries(5, () => client.get('/orders/'));
    assert.equal([...withOne.text.matchAll(/<section class="order">/g)].length, 1);
    await order();
    await order();
    const withThree = await assertNumQueries(5, () => client.get('/orders/'));
    assert.equal([...withThree.text.matchAll(/<section class="order">/g)].length, 3);
    assert.match(withThree.text, new RegExp(`1 × ${product.name} at ${product.price}`));
    // Another customer sees none of them.
    const { client: other } = await shopper();
    assert.match((await other.get('/orders/')).text, /No orders yet\./);
  });
});
