// Writes nuages/*: django/dataset.json's rows dumped by Nuages's dumpdata in each mode of
// nuages/modes.json, for fixtures_oracle.py to load with Django's loaddata and dump again.
// Run: npx node tests/core/serializers/django/make-nuages-dumps.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callCommand } from '../../../../src/core/management/index.ts';
import { connections } from '../../../../src/db/connections.ts';
import { createDataset, output, setUpShelfProject } from '../shelf-project.ts';
import { NUAGES_DUMPS } from './nuages-dumps.ts';

const folder = join(import.meta.dirname, 'nuages');
mkdirSync(folder, { recursive: true });
await setUpShelfProject();
await createDataset();
for (const [file, args] of Object.entries(NUAGES_DUMPS)) {
  const stdout = output();
  await callCommand('dumpdata', ...args, { stdout });
  writeFileSync(join(folder, file), stdout.text);
}
writeFileSync(join(folder, 'modes.json'), `${JSON.stringify(NUAGES_DUMPS, null, 1)}\n`);
await connections.closeAll();
