/**
 * Text for `{% lorem %}`. The fixed forms (the first paragraph, the first
 * words) are the classic Lorem ipsum, as Django prints them; the random forms
 * draw sentences from a Latin word list.
 */

const COMMON_P =
  'Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore et ' +
  'dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ' +
  'ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat ' +
  'nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit ' +
  'anim id est laborum.';

const COMMON_WORDS = COMMON_P.toLowerCase().replaceAll(/[.,]/g, '').split(' ').slice(0, 19);

// Distinct words of the classic text plus common Latin filler, for the random forms.
const WORDS = [
  ...new Set([
    ...COMMON_P.toLowerCase().replaceAll(/[.,]/g, '').split(' '),
    'accusamus', 'aliquam', 'amet', 'animi', 'aperiam', 'architecto', 'atque', 'autem', 'beatae', 'blanditiis',
    'commodi', 'consequatur', 'corporis', 'corrupti', 'cumque', 'delectus', 'deleniti', 'dicta', 'dignissimos',
    'distinctio', 'dolores', 'doloribus', 'dolorum', 'ducimus', 'earum', 'eius', 'eligendi', 'enim', 'eos',
    'error', 'esse', 'eveniet', 'excepturi', 'exercitationem', 'expedita', 'explicabo', 'facere', 'facilis',
    'fuga', 'harum', 'hic', 'illo', 'illum', 'impedit', 'inventore', 'ipsa', 'iste', 'itaque', 'iure', 'iusto',
    'laboriosam', 'laudantium', 'libero', 'magnam', 'maiores', 'maxime', 'minima', 'minus', 'modi', 'molestiae',
    'mollitia', 'natus', 'necessitatibus', 'nemo', 'neque', 'nesciunt', 'nihil', 'nobis', 'numquam', 'obcaecati',
    'odio', 'odit', 'officiis', 'omnis', 'optio', 'perferendis', 'perspiciatis', 'placeat', 'porro', 'possimus',
    'praesentium', 'provident', 'quae', 'quaerat', 'quam', 'quas', 'quasi', 'quia', 'quibusdam', 'quidem',
    'quisquam', 'quo', 'quod', 'quos', 'ratione', 'recusandae', 'rem', 'repellat', 'repellendus', 'repudiandae',
    'rerum', 'saepe', 'sapiente', 'sequi', 'similique', 'soluta', 'tempora', 'tempore', 'temporibus', 'tenetur',
    'totam', 'ullam', 'unde', 'vel', 'veniam', 'veritatis', 'vero', 'vitae', 'voluptas', 'voluptate',
    'voluptatem', 'voluptates', 'voluptatibus', 'voluptatum',
  ]),
];

function sample(count: number): string[] {
  const pool = [...WORDS];
  const out: string[] = [];
  for (let i = 0; i < count && pool.length; i++) out.push(pool.splice(Math.floor(Math.random() * pool.length), 1)[0]!);
  return out;
}

function randInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

function sentence(): string {
  const sections = Array.from({ length: randInt(1, 5) }, () => sample(randInt(3, 12)).join(' '));
  const text = sections.join(', ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}${Math.random() < 0.5 ? '?' : '.'}`;
}

function paragraph(): string {
  return Array.from({ length: randInt(1, 4) }, sentence).join(' ');
}

/** `count` words: the classic first words, then random ones (or all random when `common` is false). */
export function loremWords(count: number, common = true): string {
  const words = common ? [...COMMON_WORDS] : [];
  if (count <= words.length) return words.slice(0, Math.max(0, count)).join(' ');
  let remaining = count - words.length;
  while (remaining > 0) {
    const n = Math.min(remaining, WORDS.length);
    remaining -= n;
    words.push(...sample(n));
  }
  return words.join(' ');
}

/** `count` paragraphs: the classic one first when `common`, then random ones. */
export function loremParagraphs(count: number, common = true): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(common && i === 0 ? COMMON_P : paragraph());
  return out;
}
