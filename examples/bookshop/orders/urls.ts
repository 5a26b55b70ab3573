/** The cart, the checkout and the customer's orders, under the 'orders' namespace. */
import { path } from 'nuages/urls';
import { cart, cartAdd, checkout, orderList } from './views.ts';

export const appName = 'orders';

export const urlpatterns = [
  path('cart/', cart, { name: 'cart' }),
  path('cart/add/', cartAdd, { name: 'cart-add' }),
  path('checkout/', checkout, { name: 'checkout' }),
  path('orders/', orderList, { name: 'order-list' }),
];
