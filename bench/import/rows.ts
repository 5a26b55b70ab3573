/** The bench's generated book file: the same CSV for every importer. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** The publishers every importer creates before the import; rows cycle through them. */
export const PUBLISHERS = ['Acme Press', 'Blue Door', 'Cloud Books', 'Delta House', 'Evergreen'];
export const HEADER = 'isbn,title,price,publisher,published_date,rating,pages';

/** Writes `count` valid book rows (unique ISBNs, quoted titles with commas) to `path`. */
export async function writeBooksCsv(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  let chunk = `${HEADER}\n`;
  for (let i = 0; i < count; i++) {
    const month = String(1 + (i % 12)).padStart(2, '0');
    const day = String(1 + (i % 28)).padStart(2, '0');
    chunk += `${9780000000000 + i},"Book ${i}, volume ${i % 7}",${(5 + (i % 120) + 0.99).toFixed(2)},${PUBLISHERS[i % PUBLISHERS.length]},${2000 + (i % 25)}-${month}-${day},${i % 6},${100 + (i % 900)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
