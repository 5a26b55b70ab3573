/**
 * Test factories for customers and orders. An order comes with two lines by default;
 * `{ items: [] }` makes it empty, `{ items__quantity: 3 }` changes every line.
 */
import { faker } from '@faker-js/faker';
import { factory, lazyAttribute, relatedFactory, subFactory, type Factory } from 'nuages/test';
import { UserFactory } from '../accounts/factories.ts';
import { ProductFactory } from '../catalog/factories.ts';
import { Customer, Order, OrderItem } from './models.ts';

export const CustomerFactory = factory(Customer, {
  user: subFactory(UserFactory),
  name: lazyAttribute((customer) => `${customer.user.firstName} ${customer.user.lastName}`),
});

export const OrderFactory = factory(Order, {
  customer: subFactory(CustomerFactory),
  status: 'new',
}, {
  traits: { paid: { status: 'paid' }, shipped: { status: 'shipped' } },
  // Declared before OrderItemFactory, which refers back here: the arrow's return type breaks the type circle.
  postGeneration: { items: relatedFactory((): Factory<typeof OrderItem> => OrderItemFactory, 'order', { count: 2 }) },
});

export const OrderItemFactory = factory(OrderItem, {
  order: subFactory((): Factory<typeof Order> => OrderFactory, { items: [] }),
  product: subFactory(ProductFactory),
  quantity: () => faker.number.int({ min: 1, max: 5 }),
  // The line keeps the price the product had when it was ordered.
  price: lazyAttribute((item) => item.product.price),
});
