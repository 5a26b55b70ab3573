/**
 * The objects the hand-written peers build: the same shape as Nuages' instances
 * (Decimal prices, DateOnly dates), so every tool does the same work per row.
 * Only how a price arrives differs by driver, hence the factory.
 */
import { Decimal } from '../../src/utils/decimal.ts';
import { DateOnly } from '../../src/utils/dates.ts';

export const COLUMNS = 'id, title, isbn, price, rating, pages, published_date, publisher_id';

export function toDateOnly(raw: unknown): DateOnly {
  const t = raw as string;
  return new DateOnly(Date.UTC(Number(t.slice(0, 4)), Number(t.slice(5, 7)) - 1, Number(t.slice(8, 10))));
}

/** Row classes whose price is converted by `toPrice` (SQLite gives a REAL, pg gives numeric text). */
export function rowClasses(toPrice: (raw: unknown) => Decimal) {
  class BookRow {
    id: number;
    title: string;
    isbn: string;
    price: Decimal;
    rating: number;
    pages: number;
    publishedDate: DateOnly;
    publisherId: number;
    constructor(r: readonly unknown[]) {
      this.id = r[0] as number;
      this.title = r[1] as string;
      this.isbn = r[2] as string;
      this.price = toPrice(r[3]);
      this.rating = r[4] as number;
      this.pages = r[5] as number;
      this.publishedDate = toDateOnly(r[6]);
      this.publisherId = r[7] as number;
    }
  }

  class PublisherRow {
    id: number;
    name: string;
    books: BookRow[] = [];
    constructor(r: readonly unknown[], offset = 0) {
      this.id = r[offset] as number;
      this.name = r[offset + 1] as string;
    }
  }

  class AuthorRow {
    id: number;
    name: string;
    constructor(r: readonly unknown[], offset = 0) {
      this.id = r[offset] as number;
      this.name = r[offset + 1] as string;
    }
  }

  /** A book with its relations, as the hand-written code builds it for the relation workloads. */
  class BookWithRelations extends BookRow {
    publisher: PublisherRow | null = null;
    authors: AuthorRow[] = [];
  }

  function plain(r: readonly unknown[]): Record<string, unknown> {
    return {
      id: r[0],
      title: r[1],
      isbn: r[2],
      price: toPrice(r[3]),
      rating: r[4],
      pages: r[5],
      publishedDate: toDateOnly(r[6]),
      publisherId: r[7],
    };
  }

  return { BookRow, PublisherRow, AuthorRow, BookWithRelations, plain };
}
