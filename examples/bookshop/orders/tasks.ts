/**
 * The shop's background tasks, found by `manage.ts worker` as an installed app's tasks.ts.
 * The order confirmation mail is not here: the checkout queues it with sendMailLater()
 * inside its transaction (views.ts).
 */
import { atomic, Sum } from 'nuages/db';
import { periodic, task } from 'nuages/tasks';
import { Bestseller, OrderItem } from './models.ts';

/** How many products the bestseller list shows. */
export const BESTSELLER_COUNT = 5;

/**
 * Rank the products by the quantity sold and rewrite the Bestseller table with the top
 * ones, in one transaction (readers see the old list or the new one, never half of each).
 * Returns the product ids, best first.
 */
export const rebuildBestsellers = task(async function rebuildBestsellers() {
  const ranked = (await OrderItem.objects
    .values('product')
    .annotate({ sold: Sum('quantity') })
    .orderBy('-sold', 'product')
    .slice(0, BESTSELLER_COUNT)) as unknown as Array<{ product: number; sold: number }>;
  await atomic(async () => {
    await Bestseller.objects.all().delete();
    await Bestseller.objects.bulkCreate(ranked.map((row, i) => new Bestseller({ productId: row.product, rank: i + 1, sold: row.sold })));
  });
  return ranked.map((row) => row.product);
}, { unique: true });

// Every ten minutes, once across all the shop's workers.
periodic('*/10 * * * *', rebuildBestsellers);
