/**
 * One Nuages run of the import bench (spawned by run.ts, so its peak RSS is its own):
 * the bookshop's settings on a fresh SQLite file, migrated, five publishers, then the
 * timed `import_csv <file>`. Prints one JSON line: rows, seconds, peak RSS in MB, and the
 * RSS before the import (what loading the project and migrating cost).
 *
 * Usage: node bench/import/nuages.ts FILE.csv DB.sqlite3 BATCH_SIZE
 */
import { join } from 'node:path';
import { setup } from '../../src/conf/index.ts';
import { apps } from '../../src/conf/apps.ts';
import { callCommand } from '../../src/core/management/index.ts';
import { connections } from '../../src/db/index.ts';
import type { Book as BookModel, Publisher as PublisherModel } from '../../examples/bookshop/catalog/models.ts';
import { PUBLISHERS } from './rows.ts';

const [csv, database, batchSize] = process.argv.slice(2) as [string, string, string];
process.env['DATABASE_URL'] = `sqlite:///${database}`;
await setup({ settingsModule: join(import.meta.dirname, '..', '..', 'examples', 'bookshop', 'settings.ts') });
const quiet = { write() {} };
await callCommand('migrate', { verbosity: 0, stdout: quiet });
const Publisher = apps.getModel('catalog.Publisher') as unknown as typeof PublisherModel;
for (const name of PUBLISHERS) await Publisher.objects.create({ name });
const setupRssMb = process.memoryUsage().rss / 2 ** 20;
const started = performance.now();
await callCommand('import_csv', csv, '--batch-size', batchSize, { verbosity: 0, stdout: quiet, stderr: quiet });
const seconds = (performance.now() - started) / 1000;
const rows = await (apps.getModel('catalog.Book') as unknown as typeof BookModel).objects.count();
await connections.closeAll();
console.log(JSON.stringify({ rows, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, setupRssMb }));
