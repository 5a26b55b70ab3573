/** `manage.ts seed_demo`: loads the demo catalogue once (does nothing when books exist). */
import { BaseCommand, type CommandOptions } from 'nuages/core/management';
import { atomic, DateOnly } from 'nuages/db';
import { Author, Book, Product, Publisher } from '../../models.ts';

const PUBLISHERS = ['Acme Press', 'Blue Door', 'Cloud Books', 'Delta House', 'Evergreen'];
const WORDS = ['Python', 'Django', 'Clouds', 'Rivers', 'Queries', 'Templates', 'Signals', 'Async', 'Caches', 'Forms'];

export default class SeedDemoCommand extends BaseCommand {
  override help = 'Loads demo publishers, authors, books and products.';

  override async handle(options: CommandOptions): Promise<void> {
    if (await Book.objects.exists()) {
      if (options.verbosity > 0) this.stdout.write('Demo data already loaded.');
      return;
    }
    await atomic(async () => {
      const publishers: Publisher[] = [];
      for (const name of PUBLISHERS) publishers.push(await Publisher.objects.create({ name }));
      const authors: Author[] = [];
      for (let i = 0; i < 8; i++) {
        authors.push(await Author.objects.create({ name: `Author ${String.fromCharCode(65 + i)}`, email: `author${i}@example.com` }));
      }
      for (let i = 0; i < 60; i++) {
        const book = await Book.objects.create({
          title: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} vol. ${i + 1}`,
          isbn: String(9780000000000 + i),
          price: (5 + ((i * 37) % 120) + 0.99).toFixed(2) as never,
          rating: i % 6,
          pages: 100 + i * 7,
          publishedDate: DateOnly.of(2015 + (i % 10), 1 + (i % 12), 1 + (i % 28)),
          publisher: publishers[i % publishers.length]!,
        });
        await book.authors.add(authors[i % authors.length]!, authors[(i * 3 + 1) % authors.length]!);
      }
      for (let i = 0; i < 12; i++) {
        await Product.objects.create({
          sku: `sku-${i + 1}`,
          name: `${WORDS[i % WORDS.length]} tote bag`,
          description: i % 2 ? 'Organic cotton' : 'Recycled canvas',
          price: (20 + i * 15).toFixed(2) as never,
        });
      }
    });
    if (options.verbosity > 0) this.stdout.write('Loaded 5 publishers, 8 authors, 60 books and 12 products.', this.style.SUCCESS);
  }
}
