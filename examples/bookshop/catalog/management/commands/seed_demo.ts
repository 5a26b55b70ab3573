/**
 * `manage.ts seed_demo`: loads what is missing of the demo — the catalogue, the products,
 * and the demo accounts — so it can run on every start. The accounts:
 *
 * - `staff`, in the "Editors" group (catalog.add_book, catalog.change_book): the staff editor;
 * - `reader`, a plain customer.
 *
 * Their passwords come from BOOKSHOP_STAFF_PASSWORD and BOOKSHOP_READER_PASSWORD, or are
 * generated and printed once, when the account is created.
 */
import { randomBytes } from 'node:crypto';
import { Group, Permission, User } from 'nuages/contrib/auth';
import { BaseCommand, type CommandOptions } from 'nuages/core/management';
import { atomic, DateOnly } from 'nuages/db';
import { Profile } from '../../../accounts/models.ts';
import { Author, Book, Product, Publisher } from '../../models.ts';

const PUBLISHERS = ['Acme Press', 'Blue Door', 'Cloud Books', 'Delta House', 'Evergreen'];
const WORDS = ['Python', 'Django', 'Clouds', 'Rivers', 'Queries', 'Templates', 'Signals', 'Async', 'Caches', 'Forms'];
/** What the "Editors" group may do: the staff book pages' permissions. */
export const EDITOR_PERMISSIONS = ['add_book', 'change_book'];

export default class SeedDemoCommand extends BaseCommand {
  override help = 'Loads the demo publishers, authors, books, products and accounts that are missing.';

  override async handle(options: CommandOptions): Promise<void> {
    const say = (line: string) => {
      if (options.verbosity > 0) this.stdout.write(line, this.style.SUCCESS);
    };
    if (await Book.objects.exists()) {
      if (options.verbosity > 0) this.stdout.write('Demo data already loaded.');
    } else {
      await atomic(() => this.books());
      say('Loaded 5 publishers, 8 authors and 60 books.');
    }
    if (!(await Product.objects.exists())) {
      await atomic(() => this.products());
      say('Loaded 12 products.');
    }
    if (!(await User.objects.filter({ username__in: ['staff', 'reader'] }).exists())) {
      const passwords = await atomic(() => this.accounts());
      say('Created the demo accounts:');
      for (const [username, password] of passwords) this.stdout.write(`  ${username} / ${password}`);
    }
  }

  private async books(): Promise<void> {
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
  }

  private async products(): Promise<void> {
    for (let i = 0; i < 12; i++) {
      await Product.objects.create({
        sku: `sku-${i + 1}`,
        name: `${WORDS[i % WORDS.length]} tote bag`,
        description: i % 2 ? 'Organic cotton' : 'Recycled canvas',
        price: (20 + i * 15).toFixed(2) as never,
      });
    }
  }

  /** The "Editors" group, `staff` in it, and `reader`; returns each username with its password. */
  private async accounts(): Promise<Array<[string, string]>> {
    const [editors] = await Group.objects.getOrCreate({ name: 'Editors' });
    const permissions = await Permission.objects.filter({ contentType__appLabel: 'catalog', codename__in: EDITOR_PERMISSIONS });
    await editors.permissions.add(...permissions);
    const staffPassword = process.env['BOOKSHOP_STAFF_PASSWORD'] || demoPassword();
    const readerPassword = process.env['BOOKSHOP_READER_PASSWORD'] || demoPassword();
    const staff = await User.objects.createUser({ username: 'staff', email: 'staff@bookshop.example', password: staffPassword, isStaff: true });
    await staff.groups.add(editors);
    const reader = await User.objects.createUser({ username: 'reader', email: 'reader@bookshop.example', password: readerPassword });
    for (const user of [staff, reader]) await Profile.objects.create({ user });
    return [['staff', staffPassword], ['reader', readerPassword]];
  }
}

/** A password for a demo account: random, so a demo left online is not open to everyone. */
function demoPassword(): string {
  return randomBytes(12).toString('base64url');
}
