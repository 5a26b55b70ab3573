// Progress for long commands: plain lines at an interval when the output is not a terminal
// (CI logs), a redrawn bar with count, rate and ETA on a terminal, nothing at verbosity 0;
// and `this.progress()` on a command, over an iterable or a total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BaseCommand, createProgress, type CommandOptions } from '../../../src/core/management/index.ts';

function sink(isTTY = false): { write(text: string): void; isTTY: boolean; columns: number; text: string } {
  return { isTTY, columns: 100, text: '', write(chunk: string) { this.text += chunk; } };
}

/** A clock the test moves by hand. */
function clock(): { now: () => number; advance(ms: number): void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

test('off a terminal, a plain line is written once per interval and at the end (unless it would repeat), with count, rate and ETA', () => {
  const stream = sink();
  const time = clock();
  const progress = createProgress({ stream, verbosity: 1 }, 10_000, { label: 'Rows', intervalMs: 1000, now: time.now });
  time.advance(500);
  progress.tick(1000);
  assert.equal(stream.text, '', 'no line before the interval has passed');
  time.advance(500);
  progress.tick(1000);
  time.advance(2000);
  progress.update(5000);
  progress.stop();
  progress.stop();
  assert.equal(stream.text, [
    'Rows: 2,000/10,000 (20%), 2,000/s, ETA 4s',
    'Rows: 5,000/10,000 (50%), 1,667/s, ETA 3s',
    '',
  ].join('\n'));
});

test('an unknown total shows the count and rate only; long ETAs are in minutes', () => {
  const stream = sink();
  const time = clock();
  const unknown = createProgress({ stream, verbosity: 1 }, undefined, { now: time.now });
  time.advance(1000);
  unknown.tick(10);
  time.advance(1000);
  unknown.stop();
  assert.equal(stream.text, '10, 5/s\n');
  stream.text = '';
  const slow = createProgress({ stream, verbosity: 1 }, 1000, { now: time.now });
  time.advance(10_000);
  slow.tick(1);
  slow.stop();
  assert.equal(stream.text, '1/1,000 (0%), 0/s, ETA 2h46m\n');
});

test('at verbosity 0 nothing is written, on a terminal or not', () => {
  for (const stream of [sink(false), sink(true)]) {
    const progress = createProgress({ stream, verbosity: 0 }, 10, {});
    progress.tick(5);
    progress.stop();
    assert.equal(stream.text, '');
  }
});

test('on a terminal, a bar is drawn with the count, the rate and the ETA', () => {
  const stream = sink(true);
  const progress = createProgress({ stream, verbosity: 1 }, 1200, { label: 'Books' });
  progress.tick(1200);
  progress.stop();
  assert.match(stream.text, /Books \[[█░]+\] 100% \| 1,200\/1,200 \| [\d,]+\/s \| ETA /);
  assert.doesNotMatch(stream.text, /\n.*\n.*\n/, 'a bar is redrawn in place, not appended line after line');
});

class CountCommand extends BaseCommand {
  seen: number[] = [];
  override async handle(_options: CommandOptions): Promise<void> {
    for await (const n of this.progress([1, 2, 3], { label: 'Counting' })) this.seen.push(n);
    const bar = this.progress(4, { label: 'Steps' });
    bar.tick(4);
    bar.stop();
  }
}

function options(verbosity: number): CommandOptions {
  return { verbosity, settings: undefined, traceback: false, noColor: true, forceColor: false, skipChecks: true, args: [] };
}

test('this.progress() wraps an iterable (its length is the total) or counts up to a total, on stderr', async () => {
  const stdout = sink();
  const stderr = sink();
  const command = new CountCommand({ stdout, stderr });
  await command.execute(options(1));
  assert.deepEqual(command.seen, [1, 2, 3]);
  assert.equal(stdout.text, '');
  assert.match(stderr.text, /^Counting: 3\/3 \(100%\), [\d,]+\/s, ETA 0s\nSteps: 4\/4 \(100%\), [\d,]+\/s, ETA 0s\n$/);
});

test('this.progress() follows --verbosity 0 and stops when the loop is left early', async () => {
  const quiet = sink();
  await new CountCommand({ stdout: sink(), stderr: quiet }).execute(options(0));
  assert.equal(quiet.text, '');

  const stderr = sink();
  const command = new (class extends BaseCommand {
    override async handle(): Promise<void> {
      for await (const n of this.progress(['a', 'b', 'c'], { label: 'Early' })) if (n === 'b') break;
    }
  })({ stdout: sink(), stderr });
  await command.execute(options(1));
  // An item counts once the loop asks for the next one: the one it broke on is not done.
  assert.match(stderr.text, /^Early: 1\/3 \(33%\)/);
});
