/**
 * The session cart: product ids and quantities under one session key, nothing else. Names
 * and prices are always read from the catalogue, so what the browser sends never sets them.
 */
import { Decimal } from 'nuages/db';
import type { HttpRequest } from 'nuages/http';
import { Product } from '../catalog/models.ts';

const CART_SESSION_KEY = 'cart';

/** Quantity by product id, in the order the products were added. */
export type Cart = Map<number, number>;

/** One line of the cart as pages show it: the product as stored now, and the subtotal. */
export interface CartLine {
  product: Product;
  quantity: number;
  subtotal: string;
}

/** The cart in the session (one session read; no query with the cache session engine). */
export async function readCart(request: HttpRequest): Promise<Cart> {
  const stored = (await request.session.get<Record<string, number>>(CART_SESSION_KEY)) ?? {};
  return new Map(Object.entries(stored).map(([id, quantity]) => [Number(id), quantity]));
}

/** Stores `cart` in the session; an empty cart removes the key. */
export async function writeCart(request: HttpRequest, cart: Cart): Promise<void> {
  if (cart.size === 0) {
    await request.session.delete(CART_SESSION_KEY);
    return;
  }
  await request.session.set(CART_SESSION_KEY, Object.fromEntries([...cart].map(([id, quantity]) => [String(id), quantity])));
}

/**
 * The cart's products from the database (one query), priced as they are now. A product
 * deleted since it was added is left out.
 */
export async function cartLines(cart: Cart): Promise<CartLine[]> {
  const products = await Product.objects.inBulk([...cart.keys()]);
  const lines: CartLine[] = [];
  for (const [id, quantity] of cart) {
    const product = products.get(id);
    if (product) lines.push({ product, quantity, subtotal: product.price.mul(quantity).toFixed(2) });
  }
  return lines;
}

/** Σ price × quantity, to the cent: the total of cart lines and of order items alike. */
export function priceTotal(lines: Iterable<{ price: Decimal; quantity: number }>): string {
  let total = new Decimal(0);
  for (const { price, quantity } of lines) total = new Decimal(total.add(price.mul(quantity)));
  return total.toFixed(2);
}

/** The cart's total, to the cent. */
export function cartTotal(lines: readonly CartLine[]): string {
  return priceTotal(lines.map((line) => ({ price: line.product.price, quantity: line.quantity })));
}
