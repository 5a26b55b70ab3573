/**
 * Import benchmark (not a test), `npm run bench:import`: BENCH_ROWS (default 1,000,000)
 * generated book rows in one CSV file, imported into a fresh SQLite file by
 *
 *   - nuages: the bookshop's `manage.ts import_csv` (streamed, validated, one transaction);
 *   - raw: the limit, a hand-written node:sqlite loop doing the same inserts in one
 *     transaction, the rows parsed by the same csv-parse stream and not validated;
 *   - django: the same import as a Django 5.2 management command (bench/import/django/),
 *     where the virtualenv DEVELOPERS.md describes exists.
 *
 * Each run is its own process, so peak RSS (the kernel's high-water mark) is its own;
 * rounds interleave the targets. Prints rows/s (medians), ratios and peak RSS, then one
 * JSON line. BENCH_ROUNDS (default 3) and BENCH_BATCH (default 1000) tune it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from '../stats.ts';
import { writeBooksCsv } from './rows.ts';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 1_000_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const BATCH = process.env['BENCH_BATCH'] ?? '1000';
const DJANGO_PYTHON = join(import.meta.dirname, '..', '..', '.venv-django', 'bin', 'python');
const ALL_TARGETS = ['nuages', 'raw', 'django'] as const;
type Target = (typeof ALL_TARGETS)[number];
const TARGETS = ALL_TARGETS.filter((target) => target !== 'django' || existsSync(DJANGO_PYTHON));

interface Result {
  rows: number;
  seconds: number;
  peakRssMb: number;
}

function runOnce(target: Target, csv: string, database: string): Result {
  const [command, args] = target === 'django'
    ? [DJANGO_PYTHON, [join(import.meta.dirname, 'django', 'run_import.py'), csv, database, BATCH]]
    : [process.execPath, [join(import.meta.dirname, `${target}.ts`), csv, database, BATCH]];
  // DEBUG off, as in production: the bookshop's settings default it to on for development.
  const output = execFileSync(command, args, { encoding: 'utf8', env: { ...process.env, DEBUG: 'false' }, maxBuffer: 1 << 24 });
  const result = JSON.parse(output.trim().split('\n').at(-1)!) as Result;
  if (result.rows !== ROWS) throw new Error(`${target} imported ${result.rows} rows instead of ${ROWS}:\n${output}`);
  return result;
}

const dir = mkdtempSync(join(tmpdir(), 'nuages-bench-import-'));
try {
  const csv = join(dir, 'books.csv');
  await writeBooksCsv(csv, ROWS);
  const speeds = new Map<Target, number[]>(TARGETS.map((target) => [target, []]));
  const peaks = new Map<Target, number[]>(TARGETS.map((target) => [target, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of TARGETS) {
      const database = join(dir, `${target}-${round}.sqlite3`);
      const result = runOnce(target, csv, database);
      rmSync(database, { force: true });
      speeds.get(target)!.push(result.rows / result.seconds);
      peaks.get(target)!.push(result.peakRssMb);
    }
  }
  const rowsPerSecond = Object.fromEntries(TARGETS.map((target) => [target, median(speeds.get(target)!)])) as Record<Target, number>;
  const peakRssMb = Object.fromEntries(TARGETS.map((target) => [target, Math.max(...peaks.get(target)!)])) as Record<Target, number>;
  const labels: Record<Target, string> = {
    nuages: 'Nuages import_csv (validated, batched)',
    raw: 'raw limit: node:sqlite loop, no validation',
    django: 'Django 5.2 management command',
  };
  console.log(`\nCSV import of ${ROWS.toLocaleString('en-US')} books into SQLite, ${ROUNDS} rounds, batches of ${BATCH} (medians; peak RSS: the highest)`);
  console.log(`${'importer'.padEnd(44)} ${'rows/s'.padStart(9)} ${'vs raw'.padStart(7)} ${'peak RSS'.padStart(9)}`);
  for (const target of ALL_TARGETS) {
    if (!TARGETS.includes(target)) {
      console.log(`${labels[target].padEnd(44)} not run: ${DJANGO_PYTHON} is missing (see DEVELOPERS.md)`);
      continue;
    }
    console.log(
      `${labels[target].padEnd(44)} ${rowsPerSecond[target].toFixed(0).padStart(9)} ${(rowsPerSecond[target] / rowsPerSecond.raw).toFixed(2).padStart(7)} ` +
        `${`${peakRssMb[target].toFixed(0)} MB`.padStart(9)}`,
    );
  }
  const nuagesVsDjango = TARGETS.includes('django') ? rowsPerSecond.nuages / rowsPerSecond.django : null;
  if (nuagesVsDjango !== null) console.log(`Nuages is ${nuagesVsDjango.toFixed(2)}x Django's rows/s.`);
  console.log(JSON.stringify({ rows: ROWS, rounds: ROUNDS, batchSize: Number(BATCH), rowsPerSecond, peakRssMb, nuagesVsRaw: rowsPerSecond.nuages / rowsPerSecond.raw, nuagesVsDjango }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
