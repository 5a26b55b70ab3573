/**
 * Python's `difflib.SequenceMatcher`, for the similarity scores Django computes
 * with it (the password validator's `quick_ratio`). Scores match Python's to the
 * last bit: same algorithm (longest matching block, recursively on each side),
 * same junk and "popular element" heuristics, same float arithmetic.
 *
 * Strings are compared by code point, as Python indexes them, so an emoji is one
 * element, not two UTF-16 halves.
 *
 * ```ts
 * new SequenceMatcher('abcd', 'bcde').ratio();      // 0.75
 * new SequenceMatcher('password', 'pass').quickRatio(); // 0.666…
 * ```
 */

/** One block of `a[i…i+size]` equal to `b[j…j+size]`. */
export interface Match {
  readonly a: number;
  readonly b: number;
  readonly size: number;
}

/** Options of SequenceMatcher: Python's `isjunk` and `autojunk`. */
export interface SequenceMatcherOptions {
  /** Elements of b to ignore as anchors (matches may still extend over them). */
  isJunk?: (element: string) => boolean;
  /** Treat elements making up more than 1% of a b of 200+ elements as junk (default true). */
  autoJunk?: boolean;
}

function elements(text: string | readonly string[]): readonly string[] {
  return typeof text === 'string' ? Array.from(text) : text;
}

/** Compares two sequences of strings (or two strings, by code point), as Python's SequenceMatcher. */
export class SequenceMatcher {
  readonly #a: readonly string[];
  readonly #b: readonly string[];
  readonly #b2j = new Map<string, number[]>();
  readonly #bJunk = new Set<string>();
  #matchingBlocks: Match[] | undefined;

  constructor(a: string | readonly string[] = '', b: string | readonly string[] = '', options: SequenceMatcherOptions = {}) {
    this.#a = elements(a);
    this.#b = elements(b);
    this.#indexB(options.isJunk, options.autoJunk ?? true);
  }

  /** Where each element of b occurs, without junk and (for long b) without the most frequent elements. */
  #indexB(isJunk: ((element: string) => boolean) | undefined, autoJunk: boolean): void {
    const b2j = this.#b2j;
    this.#b.forEach((element, j) => {
      const positions = b2j.get(element);
      if (positions) positions.push(j);
      else b2j.set(element, [j]);
    });
    if (isJunk) {
      for (const element of [...b2j.keys()]) {
        if (isJunk(element)) {
          this.#bJunk.add(element);
          b2j.delete(element);
        }
      }
    }
    const n = this.#b.length;
    if (autoJunk && n >= 200) {
      const threshold = Math.floor(n / 100) + 1;
      for (const [element, positions] of [...b2j]) {
        if (positions.length > threshold) b2j.delete(element);
      }
    }
  }

  /**
   * The longest block of a[aLow…aHigh] equal to b[bLow…bHigh] that starts no junk
   * element, earliest in a then in b on ties, then widened over equal junk on
   * both ends (Python's `find_longest_match`).
   */
  findLongestMatch(aLow = 0, aHigh = this.#a.length, bLow = 0, bHigh = this.#b.length): Match {
    const a = this.#a;
    const b = this.#b;
    const isBJunk = (element: string) => this.#bJunk.has(element);
    let bestI = aLow;
    let bestJ = bLow;
    let bestSize = 0;
    // lengths.get(j): length of the longest match ending at a[i-1] and b[j].
    let lengths = new Map<number, number>();
    for (let i = aLow; i < aHigh; i++) {
      const next = new Map<number, number>();
      for (const j of this.#b2j.get(a[i]!) ?? []) {
        if (j < bLow) continue;
        if (j >= bHigh) break;
        const k = (lengths.get(j - 1) ?? 0) + 1;
        next.set(j, k);
        if (k > bestSize) {
          bestI = i - k + 1;
          bestJ = j - k + 1;
          bestSize = k;
        }
      }
      lengths = next;
    }
    // Widen over equal non-junk elements the b index left out (popular ones), then over equal junk.
    for (const junk of [false, true]) {
      while (bestI > aLow && bestJ > bLow && isBJunk(b[bestJ - 1]!) === junk && a[bestI - 1] === b[bestJ - 1]) {
        bestI--;
        bestJ--;
        bestSize++;
      }
      while (
        bestI + bestSize < aHigh &&
        bestJ + bestSize < bHigh &&
        isBJunk(b[bestJ + bestSize]!) === junk &&
        a[bestI + bestSize] === b[bestJ + bestSize]
      ) {
        bestSize++;
      }
    }
    return { a: bestI, b: bestJ, size: bestSize };
  }

  /** The matching blocks in order, adjacent ones merged, ending with `{ a: len(a), b: len(b), size: 0 }`. */
  getMatchingBlocks(): readonly Match[] {
    if (this.#matchingBlocks) return this.#matchingBlocks;
    const la = this.#a.length;
    const lb = this.#b.length;
    const queue: Array<[number, number, number, number]> = [[0, la, 0, lb]];
    const found: Match[] = [];
    while (queue.length > 0) {
      const [aLow, aHigh, bLow, bHigh] = queue.pop()!;
      const match = this.findLongestMatch(aLow, aHigh, bLow, bHigh);
      if (match.size === 0) continue;
      found.push(match);
      if (aLow < match.a && bLow < match.b) queue.push([aLow, match.a, bLow, match.b]);
      if (match.a + match.size < aHigh && match.b + match.size < bHigh) {
        queue.push([match.a + match.size, aHigh, match.b + match.size, bHigh]);
      }
    }
    found.sort((x, y) => x.a - y.a || x.b - y.b || x.size - y.size);
    const merged: Match[] = [];
    let current: Match = { a: 0, b: 0, size: 0 };
    for (const block of found) {
      if (current.a + current.size === block.a && current.b + current.size === block.b) {
        current = { a: current.a, b: current.b, size: current.size + block.size };
      } else {
        if (current.size > 0) merged.push(current);
        current = block;
      }
    }
    if (current.size > 0) merged.push(current);
    merged.push({ a: la, b: lb, size: 0 });
    this.#matchingBlocks = merged;
    return merged;
  }

  /** 2 × matched elements / total elements, in [0, 1]; 1 for two empty sequences. */
  ratio(): number {
    const matches = this.getMatchingBlocks().reduce((sum, block) => sum + block.size, 0);
    return this.#score(matches);
  }

  /** An upper bound of `ratio()` from element counts alone (elements in common, order ignored). */
  quickRatio(): number {
    const available = new Map<string, number>();
    for (const element of this.#b) available.set(element, (available.get(element) ?? 0) + 1);
    let matches = 0;
    for (const element of this.#a) {
      const left = available.get(element) ?? 0;
      available.set(element, left - 1);
      if (left > 0) matches++;
    }
    return this.#score(matches);
  }

  /** A cheaper upper bound of `quickRatio()`, from the lengths alone. */
  realQuickRatio(): number {
    return this.#score(Math.min(this.#a.length, this.#b.length));
  }

  #score(matches: number): number {
    const length = this.#a.length + this.#b.length;
    return length ? (2.0 * matches) / length : 1.0;
  }
}
