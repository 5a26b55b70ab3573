/**
 * The cart (in the session), the checkout (login required, one transaction) and the
 * customer's orders. Prices always come from the database, never from the POST.
 */
import { loginRequired, type User } from 'nuages/contrib/auth';
import { messages } from 'nuages/contrib/messages';
import { sendMailLater } from 'nuages/core/mail';
import { atomic } from 'nuages/db';
import { HttpResponseNotAllowed, type HttpRequest, type HttpResponse } from 'nuages/http';
import { redirect, render } from 'nuages/shortcuts';
import { renderToString } from 'nuages/template';
import { requirePOST } from 'nuages/views';
import { Address } from '../accounts/models.ts';
import { Product } from '../catalog/models.ts';
import { cartLines, cartTotal, priceTotal, readCart, writeCart, type CartLine } from './cart.ts';
import { AddressForm, AddToCartForm, CartLineFormSet } from './forms.ts';
import { Customer, Order, OrderItem } from './models.ts';

const ITEMS_PREFIX = 'items';

/** The lines formset, bound to the POST or showing the cart, allowed to name only the cart's products. */
function linesFormSet(request: HttpRequest, lines: readonly CartLine[]): CartLineFormSet {
  const formset = request.method === 'POST'
    ? new CartLineFormSet({ data: request.POST, prefix: ITEMS_PREFIX })
    : new CartLineFormSet({ prefix: ITEMS_PREFIX, initial: lines.map((line) => ({ product: line.product.id, quantity: line.quantity })) });
  formset.cart = new Set(lines.map((line) => line.product.id));
  return formset;
}

/** The lines shown next to their forms (same order: the formset was built from the lines). */
function rows(lines: readonly CartLine[], formset: CartLineFormSet): Array<CartLine & { form: unknown }> {
  return lines.map((line, i) => ({ ...line, form: formset.forms[i] }));
}

/**
 * `/cart/add/` (POST): adds a product from its page. An unknown product or a bad quantity
 * changes nothing and says so.
 */
export const cartAdd = requirePOST(async function cartAdd(request: HttpRequest): Promise<HttpResponse> {
  const form = new AddToCartForm({ data: request.POST });
  if (!(await form.isValid())) {
    messages.error(request, 'That product could not be added to your cart.');
    return redirect('orders:cart');
  }
  const { product, quantity } = form.cleanedData as { product: Product; quantity: number };
  const cart = await readCart(request);
  cart.set(product.id, Math.min((cart.get(product.id) ?? 0) + quantity, 99));
  await writeCart(request, cart);
  messages.success(request, `${product.name} was added to your cart.`);
  return redirect('orders:cart');
});

/** `/cart/`: the lines with quantities to change or delete (a formset); POST saves them. */
export async function cart(request: HttpRequest): Promise<HttpResponse> {
  const lines = await cartLines(await readCart(request));
  const formset = linesFormSet(request, lines);
  if (request.method === 'POST') {
    if (await formset.isValid()) {
      await writeCart(request, formset.keptLines());
      messages.success(request, 'Your cart was updated.');
      return redirect('orders:cart');
    }
  } else if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new HttpResponseNotAllowed(['GET', 'HEAD', 'POST']);
  }
  return render(request, 'orders/cart.html', { rows: rows(lines, formset), formset, total: cartTotal(lines) });
}

/**
 * Saves the order in one transaction: the customer (created at the first order), the
 * order, one item per line at the product's current price, the address, and the
 * confirmation mail, queued as a task (sendMailLater). If any write fails, none is kept and
 * no mail goes out; once committed, the mail is sent by a worker even if this process dies
 * right after the commit.
 */
export async function placeOrder(user: User, lines: ReadonlyMap<number, number>, address: InstanceType<typeof AddressForm>): Promise<Order> {
  return atomic(async () => {
    // Priced inside the transaction, from the rows as they are now.
    const products = await Product.objects.inBulk([...lines.keys()]);
    const [customer] = await Customer.objects.getOrCreate({ user }, { name: user.getFullName() || user.username });
    const order = await Order.objects.create({ customer });
    const mailed: MailedLine[] = [];
    for (const [id, quantity] of lines) {
      const product = products.get(id)!;
      await OrderItem.objects.create({ order, product, quantity, price: product.price });
      mailed.push({ quantity, name: product.name, price: product.price });
    }
    const saved = (await address.save({ commit: false })) as Address;
    saved.user = user;
    await saved.save();
    if (user.email) await queueConfirmation(order, mailed, saved, user.email);
    return order;
  });
}

/** A line of the confirmation mail: what was bought, at the price charged. */
interface MailedLine {
  quantity: number;
  name: string;
  price: Product['price'];
}

/** The confirmation mail of `order`, queued in the checkout's transaction. */
async function queueConfirmation(order: Order, lines: readonly MailedLine[], address: Address, email: string): Promise<void> {
  const body = await renderToString('orders/confirmation_email.txt', { order, lines, total: priceTotal(lines), address });
  await sendMailLater(`Your order ${order.id}`, body, null, [email], { queueName: 'mail' });
}

/**
 * `/checkout/` (logged-in users): an address form and the cart's lines as a formset,
 * validated together; a valid POST places the order, empties the cart and goes to
 * `/orders/`.
 */
export const checkout = loginRequired(async function checkout(request: HttpRequest): Promise<HttpResponse> {
  const lines = await cartLines(await readCart(request));
  if (lines.length === 0) {
    messages.info(request, 'Your cart is empty.');
    return redirect('orders:cart');
  }
  const user = (await request.auser()) as User;
  const formset = linesFormSet(request, lines);
  if (request.method === 'POST') {
    const address = new AddressForm({ data: request.POST, prefix: 'address' });
    // Both are validated, so every error shows at once.
    const valid = [await address.isValid(), await formset.isValid()].every(Boolean);
    if (valid && formset.keptLines().size > 0) {
      const order = await placeOrder(user, formset.keptLines(), address);
      await writeCart(request, new Map());
      messages.success(request, `Thank you! Your order ${order.id} is placed.`);
      return redirect('orders:order-list');
    }
    if (valid) messages.error(request, 'Keep at least one line to place an order.');
    return render(request, 'orders/checkout.html', { address, formset, rows: rows(lines, formset), total: cartTotal(lines) });
  }
  return render(request, 'orders/checkout.html', {
    address: new AddressForm({ prefix: 'address' }),
    formset,
    rows: rows(lines, formset),
    total: cartTotal(lines),
  });
});

/**
 * `/orders/`: the user's orders, newest first, in 2 queries whatever their number: the
 * orders JOINed to their customer, user and profile, then every item with its product.
 */
export const orderList = loginRequired(async function orderList(request: HttpRequest): Promise<HttpResponse> {
  const user = (await request.auser()) as User;
  const orders = await Order.objects
    .filter({ customer__user: user })
    .selectRelated('customer__user__profile')
    .prefetchRelated('items__product');
  const shown = [];
  for (const order of orders) {
    const items = await order.items.all();
    shown.push({ order, status: order.getDisplay('status'), items, total: priceTotal(items) });
  }
  return render(request, 'orders/order_list.html', { orders: shown });
});
