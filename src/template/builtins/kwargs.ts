/** Django's `token_kwargs`: reads `k=v` (or legacy `v as k`) pairs off the front of a tag's words. */
import type { Parser } from '../parser.ts';
import type { FilterExpression } from '../expression.ts';

const KWARG = /^(?:([\p{L}\p{N}_]+)=)?(.+)$/su;

/** Consumes pairs from `bits` (mutated) and returns them; stops at the first word that is not one. */
export function tokenKwargs(bits: string[], parser: Parser, supportLegacy: boolean): Map<string, FilterExpression> {
  const kwargs = new Map<string, FilterExpression>();
  if (!bits.length) return kwargs;
  const first = KWARG.exec(bits[0]!);
  const kwargFormat = Boolean(first?.[1]);
  if (!kwargFormat) {
    if (!supportLegacy) return kwargs;
    if (bits.length < 3 || bits[1] !== 'as') return kwargs;
  }
  while (bits.length) {
    let key: string;
    let value: string;
    if (kwargFormat) {
      const m = KWARG.exec(bits[0]!);
      if (!m?.[1]) return kwargs;
      key = m[1];
      value = m[2]!;
      bits.splice(0, 1);
    } else {
      if (bits.length < 3 || bits[1] !== 'as') return kwargs;
      key = bits[2]!;
      value = bits[0]!;
      bits.splice(0, 3);
    }
    kwargs.set(key, parser.compileFilter(value));
    if (bits.length && !kwargFormat) {
      if (bits[0] !== 'and') return kwargs;
      bits.splice(0, 1);
    }
  }
  return kwargs;
}
