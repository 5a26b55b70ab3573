/**
 * Password benchmark (not a test): `checkPassword()` with the default hasher
 * (PBKDF2-SHA256, 1,000,000 iterations) against Django 5.2's `check_password` on
 * the same stored hash, the cost of every login.
 *
 *   1. one check at a time: median ms per check, Nuages and Django (Django timed
 *      with `timeit` in the project's Django venv)
 *   2. Nuages with 4 checks in flight: node:crypto hashes on the libuv thread
 *      pool, so logins run side by side instead of queueing on the event loop
 *
 * Prints a table, then one JSON line of medians and ratios. Run alone:
 *   npx node bench/auth/passwords.ts     (BENCH_PASSWORD_ROUNDS, BENCH_DJANGO_PYTHON to tune)
 * or through bench/auth/run.ts, which imports `run()`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configure, settings } from '../../src/conf/index.ts';
import { checkPassword, makePassword } from '../../src/contrib/auth/hashers.ts';
import { median } from '../stats.ts';

const ROUNDS = Number(process.env['BENCH_PASSWORD_ROUNDS'] ?? 15);
const CONCURRENCY = 4;
const PYTHON = process.env['BENCH_DJANGO_PYTHON'] ?? join(import.meta.dirname, '..', '..', '.venv-django', 'bin', 'python');
const PASSWORD = 'correct horse battery staple';

export interface PasswordBenchResult {
  readonly encoded: string;
  /** Median ms of one checkPassword() in Nuages. */
  readonly nuagesMs: number;
  /** Median ms of one check_password() in Django, or null when the Django venv is missing. */
  readonly djangoMs: number | null;
  /** nuagesMs / djangoMs (below 1: Nuages is faster). */
  readonly ratio: number | null;
  /** Median wall ms for CONCURRENCY checks started together in Nuages. */
  readonly nuagesConcurrentMs: number;
  /** Checks per second with CONCURRENCY in flight. */
  readonly nuagesConcurrentPerSecond: number;
}

async function timeNuages(encoded: string): Promise<number[]> {
  const samples: number[] = [];
  for (let round = -1; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    const ok = await checkPassword(PASSWORD, encoded);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (!ok) throw new Error('checkPassword() refused the benchmark hash');
    if (round >= 0) samples.push(ms);
  }
  return samples;
}

async function timeNuagesConcurrent(encoded: string): Promise<number[]> {
  const samples: number[] = [];
  for (let round = 0; round < Math.max(3, Math.floor(ROUNDS / 3)); round++) {
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: CONCURRENCY }, () => checkPassword(PASSWORD, encoded)));
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples;
}

const DJANGO_SCRIPT = `
import json, sys, timeit
import django
from django.conf import settings
settings.configure()
django.setup()
from django.contrib.auth.hashers import check_password
password, encoded, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
assert check_password(password, encoded)
print(json.dumps(timeit.repeat(lambda: check_password(password, encoded), number=1, repeat=rounds)))
`;

function timeDjango(encoded: string): number[] | null {
  if (!existsSync(PYTHON)) return null;
  const child = spawnSync(PYTHON, ['-c', DJANGO_SCRIPT, PASSWORD, encoded, String(ROUNDS)], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`Django's check_password failed:\n${child.stderr}`);
  return (JSON.parse(child.stdout) as number[]).map((seconds) => seconds * 1000);
}

/** Measure and print; returns the medians. */
export async function run(): Promise<PasswordBenchResult> {
  if (!settings.configured) configure({ DEBUG: true });
  const encoded = await makePassword(PASSWORD);
  const nuagesMs = median(await timeNuages(encoded));
  const django = timeDjango(encoded);
  const djangoMs = django && median(django);
  const nuagesConcurrentMs = median(await timeNuagesConcurrent(encoded));
  const result: PasswordBenchResult = {
    encoded,
    nuagesMs,
    djangoMs,
    ratio: djangoMs === null ? null : nuagesMs / djangoMs,
    nuagesConcurrentMs,
    nuagesConcurrentPerSecond: (CONCURRENCY * 1000) / nuagesConcurrentMs,
  };
  console.log(`\ncheckPassword, default hasher (${encoded.split('$').slice(0, 2).join(' ')} iterations), ${ROUNDS} rounds`);
  console.log(`${'target'.padEnd(44)} ${'ms (median)'.padStart(12)}`);
  console.log(`${'Nuages checkPassword'.padEnd(44)} ${nuagesMs.toFixed(1).padStart(12)}`);
  console.log(`${"Django 5.2 check_password (timeit)".padEnd(44)} ${(djangoMs === null ? `n/a (no ${PYTHON})` : djangoMs.toFixed(1)).padStart(12)}`);
  if (result.ratio !== null) console.log(`${'Nuages / Django'.padEnd(44)} ${result.ratio.toFixed(2).padStart(12)}`);
  console.log(
    `${`Nuages, ${CONCURRENCY} checks in flight (wall)`.padEnd(44)} ${nuagesConcurrentMs.toFixed(1).padStart(12)}   ` +
      `${result.nuagesConcurrentPerSecond.toFixed(1)} checks/s`,
  );
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await run();
  console.log(JSON.stringify({ passwords: result }));
}
