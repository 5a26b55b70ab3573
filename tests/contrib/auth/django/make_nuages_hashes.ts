// Writes nuages-hashes.json: hashes Nuages makes (random salts, every hasher, the
// fast work factors and one hash at Django 5.2's real ones), for
// passwords_oracle.py to check with Django's check_password.
//   npx node tests/contrib/auth/django/make_nuages_hashes.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePassword } from '../../../../src/contrib/auth/hashers.ts';
import { HASHERS } from '../fast-hashers.ts';

const PASSWORDS = ['hello', 'pässwörd ☃ 日本 🔐', '', `${'x'.repeat(50)}${'é'.repeat(20)}`, '  spaces around  ', 'dollar$sign%and\'quote"'];

const hashes: Array<{ algorithm: string; workFactors: 'fast' | 'real'; password: string; encoded: string }> = [];
for (const [algorithm, { fast, real }] of Object.entries(HASHERS)) {
  for (const password of PASSWORDS) {
    // Plain bcrypt refuses passwords over 72 bytes, as Django does.
    if (algorithm === 'bcrypt' && Buffer.byteLength(password) > 72) continue;
    hashes.push({ algorithm, workFactors: 'fast', password, encoded: await makePassword(password, undefined, new fast()) });
  }
  const password = 'correct horse battery staple';
  hashes.push({ algorithm, workFactors: 'real', password, encoded: await makePassword(password, undefined, new real()) });
}
const target = join(import.meta.dirname, 'nuages-hashes.json');
writeFileSync(target, `${JSON.stringify({ hashes }, null, 1)}\n`);
console.log(`wrote ${hashes.length} hashes to ${target}`);
