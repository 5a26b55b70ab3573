/**
 * `manage.ts catalog`: a console tour of the catalogue, showing the queries
 * behind each answer and how many ran. (The web pages arrive with the HTTP core.)
 */
import { BaseCommand, type CommandOptions } from 'nuages/core/management';
import { captureQueries, F, Q } from 'nuages/db';
import { Book, Product, Publisher } from '../../models.ts';

export default class CatalogCommand extends BaseCommand {
  override help = 'Prints the newest books, the expensive products and a few statistics, with their queries.';

  override async handle(options: CommandOptions): Promise<void> {
    const { result, queries } = await captureQueries(async () => {
      // One query for the books with their publishers (JOIN), one for all their authors (IN).
      const newest = await Book.objects.selectRelated('publisher').prefetchRelated('authors').slice(0, 5);
      const expensive = await Product.objects.expensive().orderBy('-price');
      const acme = await Book.objects.filter({ publisher__name: 'Acme Press', rating__gte: 4 }).count();
      const bargains = await Book.objects.filter(Q({ price__lt: 20 }).or({ rating: 5 })).valuesList('title', { flat: true }).slice(0, 3);
      const latest = await Book.objects.latest();
      const publishers = await Publisher.objects.filter({ books__authors__name: 'Author A' }).distinct().valuesList('name', { flat: true });
      const longBooks = await Book.objects.filter({ pages__gt: F('rating').mul(100).add(300) }).count();
      return { newest, expensive, acme, bargains, latest, publishers, longBooks };
    });
    const out = (line = '') => this.stdout.write(line);
    out(this.style.SUCCESS('Newest books'));
    for (const book of result.newest) {
      const authors = (await book.authors).map((a) => a.name).join(', ');
      out(`  ${book.publishedDate.isoformat()}  ${book.title}  ${book.price}  (${book.publisher.name}; ${authors})`);
    }
    out(this.style.SUCCESS('Expensive products (Product.objects.expensive())'));
    for (const product of result.expensive) out(`  ${product.name}  ${product.price}${product.isExpensive() ? '  [expensive]' : ''}`);
    out(`Acme Press books rated 4 or more: ${result.acme}`);
    out(`Bargains or five-star: ${result.bargains.join('; ')}`);
    out(`Latest publication: ${result.latest.title} (${result.latest.publishedDate.isoformat()})`);
    out(`Publishers of Author A: ${result.publishers.join(', ')}`);
    out(`Books longer than 300 + 100 × rating pages: ${result.longBooks}`);
    out(this.style.NOTICE(`${queries.length} queries`));
    if (options.verbosity > 1) for (const q of queries) out(`  ${q.sql}`);
  }
}
