// Writes nuages-signed.json: every case of signing-cases.json signed by Nuages at the
// cases' fixed clock, for signing_oracle.py to verify with Django.
// Run: npx node tests/core/django/make-nuages-signed.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signCase, signingCases } from './signing-cases.ts';

Date.now = () => signingCases.now * 1000;
const signed = Object.fromEntries(signingCases.cases.map((c) => [c.name, signCase(c)]));
writeFileSync(join(import.meta.dirname, 'nuages-signed.json'), `${JSON.stringify(signed, null, 1)}\n`);
