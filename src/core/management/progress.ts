/**
 * Progress for long commands: `this.progress(iterableOrTotal, { label })` on BaseCommand.
 *
 * One interface, three displays chosen from where the output goes:
 * - a TTY gets a redrawn bar with count, rate and ETA (cli-progress, the bar most Node
 *   CLIs use, so redraw throttling and terminal widths are not ours to maintain);
 * - anything else (CI logs, files, pipes) gets a plain line every `intervalMs`, and one
 *   at the end, because a redrawn bar turns into thousands of lines in a log;
 * - verbosity 0 gets nothing.
 */
import cliProgress from 'cli-progress';
import type { Writer } from './base.ts';

/** Options of `progress()`. */
export interface ProgressOptions {
  /** What is being counted, shown before the numbers ("Importing books"). */
  label?: string;
  /** Plain (non-TTY) output: least time between two lines, in ms (default 2000). */
  intervalMs?: number;
  /** The clock, in ms; tests pass their own. */
  now?: () => number;
}

/** A running progress display: advance it, then stop it once (stopping twice is harmless). */
export interface Progress {
  /** Count `n` more units done (default 1). */
  tick(n?: number): void;
  /** Set how many units are done. */
  update(value: number): void;
  /** Change the total (undefined: unknown, no percentage or ETA). */
  setTotal(total: number | undefined): void;
  /** Draw the final state and release the line. */
  stop(): void;
}

/** Where the display goes and whether anything is shown at all. */
export interface ProgressTarget {
  stream: Writer;
  verbosity: number;
}

/** A progress display for `total` units (undefined when unknown), suited to the target stream. */
export function createProgress(target: ProgressTarget, total: number | undefined, options: ProgressOptions = {}): Progress {
  if (target.verbosity <= 0) return SILENT;
  return target.stream.isTTY === true ? barProgress(target.stream, total, options) : new PlainProgress(target.stream, total, options);
}

/**
 * Wraps an iterable so that each item it yields ticks the display; it stops when the
 * iteration ends, also early (break or error). Arrays give their length as the total.
 */
export async function* trackProgress<T>(items: Iterable<T> | AsyncIterable<T>, progress: Progress): AsyncGenerator<T> {
  try {
    for await (const item of items) {
      yield item;
      progress.tick();
    }
  } finally {
    progress.stop();
  }
}

const SILENT: Progress = Object.freeze({ tick() {}, update() {}, setTotal() {}, stop() {} });

/** Counts, the rate since the start, and the ETA when the total is known. */
class Meter {
  readonly #now: () => number;
  readonly #started: number;
  value = 0;
  total: number | undefined;

  constructor(total: number | undefined, now: () => number) {
    this.total = total;
    this.#now = now;
    this.#started = now();
  }

  get elapsedMs(): number {
    return this.#now() - this.#started;
  }

  /** Units per second since the start (0 before any time has passed). */
  get rate(): number {
    const seconds = this.elapsedMs / 1000;
    return seconds > 0 ? this.value / seconds : 0;
  }

  /** Seconds left at the current rate, or undefined when it cannot be told. */
  get etaSeconds(): number | undefined {
    if (this.total !== undefined && this.value >= this.total) return 0;
    if (this.total === undefined || this.rate === 0) return undefined;
    return Math.max(0, (this.total - this.value) / this.rate);
  }

  describe(label: string | undefined): string {
    const count = this.total === undefined ? formatCount(this.value) : `${formatCount(this.value)}/${formatCount(this.total)}`;
    const percent = this.total ? ` (${Math.floor((this.value / this.total) * 100)}%)` : '';
    const eta = this.etaSeconds === undefined ? '' : `, ETA ${formatDuration(this.etaSeconds)}`;
    return `${label ? `${label}: ` : ''}${count}${percent}, ${formatCount(Math.round(this.rate))}/s${eta}`;
  }
}

/** One line per interval, and a last one on stop(): readable in a CI log. */
class PlainProgress implements Progress {
  readonly #stream: Writer;
  readonly #options: ProgressOptions;
  readonly #meter: Meter;
  readonly #now: () => number;
  #lastLine: number;
  /** The value the last line showed, so stop() does not repeat an identical line. */
  #lastValue: number | undefined;
  #stopped = false;

  constructor(stream: Writer, total: number | undefined, options: ProgressOptions) {
    this.#stream = stream;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#meter = new Meter(total, this.#now);
    this.#lastLine = this.#now();
  }

  tick(n = 1): void {
    this.update(this.#meter.value + n);
  }

  update(value: number): void {
    this.#meter.value = value;
    if (this.#now() - this.#lastLine >= (this.#options.intervalMs ?? 2000)) this.#write();
  }

  setTotal(total: number | undefined): void {
    this.#meter.total = total;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#lastValue !== this.#meter.value) this.#write();
  }

  #write(): void {
    this.#lastLine = this.#now();
    this.#lastValue = this.#meter.value;
    this.#stream.write(`${this.#meter.describe(this.#options.label)}\n`);
  }
}

/** The redrawn bar. cli-progress needs a total, so an unknown one shows as a count only. */
function barProgress(stream: Writer, total: number | undefined, options: ProgressOptions): Progress {
  const meter = new Meter(total, options.now ?? Date.now);
  const label = options.label ? `${options.label} ` : '';
  const format = (withTotal: boolean) =>
    withTotal ? `${label}[{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}` : `${label}{value} | {rate}/s`;
  const bar = new cliProgress.SingleBar(
    { format: format(total !== undefined), stream: stream as NodeJS.WritableStream, hideCursor: true, formatValue: barValue, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total ?? 0, 0, { rate: '0' });
  let stopped = false;
  const update = (value: number) => {
    meter.value = value;
    bar.update(value, { rate: formatCount(Math.round(meter.rate)) });
  };
  return {
    tick: (n = 1) => update(meter.value + n),
    update,
    setTotal(next) {
      meter.total = next;
      bar.setTotal(next ?? 0);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

/** cli-progress hands every value through here; counts get thousands separators. */
function barValue(value: number, _options: unknown, type: string): string {
  return type === 'value' || type === 'total' ? formatCount(value) : String(value);
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function formatDuration(seconds: number): string {
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  return minutes < 60 ? `${minutes}m${String(whole % 60).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
