// The bookshop's test factories (examples/bookshop/*/factories.ts) on its migrated database:
// each makes valid, saved rows with faker values, the relations the shop's pages read, and
// the same values again after faker.seed(); an orders page shown from factory-made orders.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { faker } from '@faker-js/faker';
import { assertContains, assertNotContains, Client } from '../../src/test/index.ts';
import { AddressFactory, ProfileFactory, UserFactory } from '../../examples/bookshop/accounts/factories.ts';
import { Address } from '../../examples/bookshop/accounts/models.ts';
import { AuthorFactory, BookFactory, ProductFactory, PublisherFactory } from '../../examples/bookshop/catalog/factories.ts';
import { Book, Product } from '../../examples/bookshop/catalog/models.ts';
import { CustomerFactory, OrderFactory, OrderItemFactory } from '../../examples/bookshop/orders/factories.ts';
import { Order, OrderItem } from '../../examples/bookshop/orders/models.ts';
import { useBookshop } from './bookshop-project.ts';

useBookshop('factories', { env: () => ({ CACHE_URL: 'locmem://bookshop-factories-test' }) });

describe('catalog factories', () => {
  test('a created book passes the model validation, with its publisher and one new author', async () => {
    const book = await BookFactory.create();
    await book.fullClean();
    const saved = await Book.objects.selectRelated('publisher').get({ pk: book.pk });
    assert.equal(saved.publisher.name, book.publisher.name);
    assert.equal(await saved.authors.count(), 1);
  });

  test('authors passed by name replace the new one; deep overrides reach the publisher', async () => {
    const [leGuin, leGuinAgain] = await AuthorFactory.createBatch(2, { name: 'Ursula K. Le Guin' });
    const book = await BookFactory.create({ authors: [leGuin, leGuinAgain], publisher__name: 'Ace Books', traits: ['classic'] });
    assert.deepEqual((await book.authors.all()).map((a) => a.name), ['Ursula K. Le Guin', 'Ursula K. Le Guin']);
    assert.equal(book.publisher.name, 'Ace Books');
    assert.equal(book.rating, 5);
  });

  test('publishers are looked up by name before being created (djangoGetOrCreate)', async () => {
    const first = await PublisherFactory.create({ name: 'Tor' });
    const second = await BookFactory.create({ publisher__name: 'Tor' });
    assert.equal(second.publisherId, first.pk);
  });

  test('the expensive trait makes products that Product.objects.expensive() finds', async () => {
    const before = await Product.objects.expensive().count();
    await ProductFactory.createBatch(2, { traits: ['expensive'] });
    await ProductFactory.create({ price: '3.00' });
    assert.equal(await Product.objects.expensive().count(), before + 2);
  });

  test('faker.seed() gives the same values again', async () => {
    faker.seed(1969);
    const first = await BookFactory.build();
    faker.seed(1969);
    const again = await BookFactory.build();
    assert.deepEqual([again.title, again.price.toString(), again.pages], [first.title, first.price.toString(), first.pages]);
    assert.notEqual(again.isbn, first.isbn);
  });
});

describe('accounts factories', () => {
  test('a user has an unusable password unless one is passed, which is hashed and saved', async () => {
    assert.equal((await UserFactory.create()).hasUsablePassword(), false);
    const reader = await UserFactory.create({ password: 'factory-pass-phrase' });
    const client = new Client();
    assert.ok(await client.login({ username: reader.username, password: 'factory-pass-phrase' }));
  });

  test('addresses and profiles belong to a new user, or to the one given', async () => {
    const user = await UserFactory.create({ traits: ['staff'] });
    await AddressFactory.createBatch(2, { user });
    const profile = await ProfileFactory.create();
    assert.equal(user.isStaff, true);
    assert.equal(await Address.objects.filter({ user }).count(), 2);
    assert.notEqual(profile.userId, user.pk);
  });
});

describe('orders factories', () => {
  test('an order has two lines, each at its product price', async () => {
    const order = await OrderFactory.create();
    const items = await OrderItem.objects.filter({ order }).selectRelated('product');
    assert.equal(items.length, 2);
    for (const item of items) assert.equal(item.price.toString(), item.product.price.toString());
  });

  test('items__quantity changes every line, items: [] makes an empty order', async () => {
    const order = await OrderFactory.create({ items__quantity: 3 });
    assert.deepEqual((await order.items.all()).map((i) => i.quantity), [3, 3]);
    assert.equal(await (await OrderFactory.create({ items: [] })).items.count(), 0);
  });

  test('a line made on its own gets an order with no other lines', async () => {
    const item = await OrderItemFactory.create();
    assert.equal(await OrderItem.objects.filter({ orderId: item.orderId }).count(), 1);
  });

  test("the orders page lists the customer's factory-made orders and no one else's", async () => {
    const customer = await CustomerFactory.create();
    const mine = await OrderFactory.create({ customer, traits: ['paid'], items__product__name: 'Tea towel' });
    await OrderFactory.create({ items__product__name: 'Not my mug' });
    const client = new Client();
    await client.forceLogin(customer.user);
    const response = await client.get('/orders/');
    assertContains(response, `Order ${mine.pk}`);
    assertContains(response, 'Paid');
    assertContains(response, 'Tea towel', { count: 2 });
    assertNotContains(response, 'Not my mug');
    assert.equal(await Order.objects.filter({ customer }).count(), 1);
  });
});
