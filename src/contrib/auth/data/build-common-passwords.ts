/**
 * Builds common-passwords.txt.gz, the list CommonPasswordValidator reads, from
 * the UK NCSC's "PwnedPasswordsTop100k.txt" (the 100,000 passwords seen most
 * often in Have I Been Pwned, most frequent first). See README.md beside this file.
 *
 *   npx node src/contrib/auth/data/build-common-passwords.ts path/to/PwnedPasswordsTop100k.txt [count]
 *
 * Keeps the first `count` (default 20,000) distinct passwords after trimming and
 * lower-casing, since the validator compares `password.toLowerCase().trim()`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const [source, countText = '20000'] = process.argv.slice(2);
if (source === undefined) {
  console.error('Usage: build-common-passwords.ts <PwnedPasswordsTop100k.txt> [count]');
  process.exit(2);
}
const count = Number(countText);
let lines = readFileSync(source, 'utf8').split(/\r?\n/);
// The NCSC file opens with notes (lines starting with '***') closed by a line '--'.
if (lines[0]?.startsWith('***')) lines = lines.slice(lines.indexOf('--') + 1);
const seen = new Set<string>();
for (const line of lines) {
  const password = line.trim().toLowerCase();
  if (password === '' || seen.has(password)) continue;
  seen.add(password);
  if (seen.size === count) break;
}
const target = join(import.meta.dirname, 'common-passwords.txt.gz');
// mtime 0 in the gzip header (zlib's default) keeps the output byte-identical from run to run.
writeFileSync(target, gzipSync(`${[...seen].join('\n')}\n`, { level: 9 }));
console.log(`Wrote ${seen.size} passwords to ${target}`);
