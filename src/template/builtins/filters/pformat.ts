/**
 * `pprint`: Python's `pprint.pformat` (width 80, indent 1): the repr when it
 * fits on a line, otherwise one item per line, nested containers indented.
 */
import { dictEntries, isDict, pyRepr, stringRepr } from '../../python.ts';

const WIDTH = 80;

function format(value: unknown, indent: number, allowance: number): string {
  const rep = pyRepr(value);
  if (rep.length <= WIDTH - indent - allowance) return rep;
  if (Array.isArray(value) && value.length) {
    const inner = value.map((v, i) => format(v, indent + 1, i === value.length - 1 ? allowance + 1 : 1));
    return `[${inner.join(`,\n${' '.repeat(indent + 1)}`)}]`;
  }
  if (isDict(value)) {
    const entries = dictEntries(value);
    if (!entries.length) return rep;
    // pformat sorts dict keys by default.
    entries.sort(([a], [b]) => (pyRepr(a) < pyRepr(b) ? -1 : pyRepr(a) > pyRepr(b) ? 1 : 0));
    const parts = entries.map(([k, v], i) => {
      const krep = pyRepr(k);
      return `${krep}: ${format(v, indent + 1 + krep.length + 2, i === entries.length - 1 ? allowance + 1 : 1)}`;
    });
    return `{${parts.join(`,\n${' '.repeat(indent + 1)}`)}}`;
  }
  if (typeof value === 'string' && value.length > 0) {
    // Long strings split into chunks at word boundaries, each repr'd, inside parentheses.
    const chunks = value.match(/\S*\s*/g)!.filter((c) => c);
    const width = WIDTH - indent - allowance - 2;
    const lines: string[] = [];
    let current = '';
    for (const chunk of chunks) {
      if (current && stringRepr(current + chunk).length > width) {
        lines.push(stringRepr(current));
        current = chunk;
      } else current += chunk;
    }
    if (current) lines.push(stringRepr(current));
    if (lines.length === 1) return rep;
    return `(${lines.join(`\n${' '.repeat(indent + 1)}`)})`;
  }
  return rep;
}

/** Python's `pprint.pformat(value)`. */
export function pformat(value: unknown): string {
  return format(value, 0, 0);
}
