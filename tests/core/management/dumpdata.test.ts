/**
 * `manage.ts dumpdata` against Django 5.2: django/dataset.json created with the ORM and
 * dumped in each mode fixtures_oracle.py dumped it with Django's command must give the
 * same bytes (django/expected/dump-*), and the errors must read as Django's.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { callCommand, CommandError } from '../../../src/core/management/index.ts';
import { EXPECTED, oracleCases, output, useShelfProject } from '../serializers/shelf-project.ts';

interface OracleRun {
  stdout: string;
  error: { type: string; message: string } | null;
  warnings: string[];
}

const messages = JSON.parse(readFileSync(join(EXPECTED, 'messages.json'), 'utf8')) as { dumpdata: Record<string, OracleRun> };

const { dumps: DUMPS, dumpdata: DUMPDATA_CASES } = oracleCases();

async function dumpdata(...args: string[]): Promise<string> {
  const stdout = output();
  await callCommand('dumpdata', ...args, { stdout });
  return stdout.text;
}

const dir = mkdtempSync(join(tmpdir(), 'nuages-dumpdata-'));

useShelfProject({ dataset: true });
after(() => rmSync(dir, { recursive: true, force: true }));

describe('dumpdata writes what Django writes for the same rows', () => {
  for (const [file, args] of Object.entries(DUMPS)) {
    test(`${args.join(' ')} → ${file}`, async () => {
      assert.equal(await dumpdata(...args), readFileSync(join(EXPECTED, file), 'utf8'));
    });
  }
});

describe("dumpdata's errors and messages are Django's", () => {
  for (const [name, args] of Object.entries(DUMPDATA_CASES)) {
    test(name, async () => {
      const expected = messages.dumpdata[name]!;
      if (expected.error) {
        // An unknown label: Django's sentence, then the labels that are installed.
        const extended = name === 'unknown app' || name === 'exclude an unknown app';
        await assert.rejects(dumpdata(...args), (error: Error) =>
          error instanceof CommandError && (extended ? error.message.startsWith(`${expected.error!.message} Installed labels: `) : error.message === expected.error!.message));
      } else {
        assert.equal(await dumpdata(...args), expected.stdout);
      }
    });
  }

  test('--indent takes an integer', async () => {
    await assert.rejects(dumpdata('shelf', '--indent', 'two'), /invalid int value: 'two'/);
  });
});

describe('dumpdata --output', () => {
  test('writes the file instead of stdout', async () => {
    const path = join(dir, 'tags.json');
    assert.equal(await dumpdata('shelf.tag', '-o', path), '');
    assert.equal(readFileSync(path, 'utf8'), await dumpdata('shelf.tag'));
  });

  test('.gz is gzip-compressed', async () => {
    const path = join(dir, 'shelf.json.gz');
    await dumpdata('shelf', '--indent', '2', '--output', path);
    assert.equal(gunzipSync(readFileSync(path)).toString('utf8'), readFileSync(join(EXPECTED, 'dump-indent2.json'), 'utf8'));
  });

  test(".zip is written uncompressed without the extension, with Django's warning", async () => {
    const stderr = output();
    await callCommand('dumpdata', 'shelf.tag', '-o', join(dir, 'out.json.zip'), { stdout: output(), stderr });
    const expected = messages.dumpdata['a .zip output']!;
    assert.equal(stderr.text, `${expected.warnings[0]}\n`);
    assert.ok(readdirSync(dir).includes('out.json'));
    assert.ok(!readdirSync(dir).includes('out.json.zip'));
  });

  for (const extension of ['bz2', 'xz', 'lzma']) {
    test(`.${extension} is refused, naming what works`, async () => {
      await assert.rejects(
        dumpdata('shelf', '-o', join(dir, `shelf.json.${extension}`)),
        (error: Error) => error instanceof CommandError && /gzip only\. Use '.*shelf\.json\.gz'/.test(error.message),
      );
      assert.ok(!readdirSync(dir).includes(`shelf.json.${extension}`));
    });
  }
});
