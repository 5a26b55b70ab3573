/** Customers, their orders and the order lines, priced from the catalogue at checkout. */
import { User } from 'nuages/contrib/auth';
import { CASCADE, CharField, DateTimeField, DecimalField, ForeignKey, Index, Model, OneToOneField, PositiveIntegerField, PROTECT, type RelatedManager } from 'nuages/db';
import { Product } from '../catalog/models.ts';

/** The buying side of a user (`user.customer`), created at their first checkout. */
export class Customer extends Model<Customer>()({
  user: new OneToOneField(() => User, { onDelete: CASCADE, relatedName: 'customer' }),
  name: new CharField({ maxLength: 150 }),
}) {
  override toString(): string {
    return this.name;
  }
}

export const ORDER_STATUSES = [
  ['new', 'New'],
  ['paid', 'Paid'],
  ['shipped', 'Shipped'],
] as const;

export class Order extends Model<Order>()({
  customer: new ForeignKey(() => Customer, { onDelete: PROTECT, relatedName: 'orders' }),
  orderDate: new DateTimeField({ autoNowAdd: true, dbIndex: true }),
  status: new CharField({ maxLength: 10, choices: ORDER_STATUSES.map(([value, label]) => [value, label]), default: 'new' }),
}, {
  ordering: ['-orderDate', '-id'],
  // "My orders, newest first" reads this index and nothing else.
  indexes: [new Index({ fields: ['customer', 'orderDate'], name: 'order_customer_date' })],
}) {
  override toString(): string {
    return `Order ${this.id}`;
  }
}

/** One product of an order, at the price it had when the order was placed. */
export class OrderItem extends Model<OrderItem>()({
  order: new ForeignKey(() => Order, { onDelete: CASCADE, relatedName: 'items' }),
  product: new ForeignKey(() => Product, { onDelete: PROTECT, relatedName: 'orderItems' }),
  quantity: new PositiveIntegerField(),
  price: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
}, { ordering: ['id'] }) {}

/**
 * The best-selling products, ranked: a small table the `rebuildBestsellers` task (tasks.ts)
 * rewrites on its schedule, so the products page reads five rows instead of summing every
 * order line on each request.
 */
export class Bestseller extends Model<Bestseller>()({
  product: new OneToOneField(() => Product, { onDelete: CASCADE, relatedName: 'bestseller' }),
  rank: new PositiveIntegerField(),
  sold: new PositiveIntegerField(),
}, { ordering: ['rank'] }) {}

// Reverse relations, declared for TypeScript (the ORM creates them from the fields above).
export interface Customer { orders: RelatedManager<Order> }
export interface Order { items: RelatedManager<OrderItem> }
