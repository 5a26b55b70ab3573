/** Durations written as people write them: '90' (seconds), '45s', '30m', '12h', '7d', '2w'. */

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `text` in seconds, or undefined when it is not a duration such as 90, 45s, 30m, 12h, 7d or 2w. */
export function durationSeconds(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([smhdw]?)$/.exec(text.trim());
  return match ? Number(match[1]) * UNIT_SECONDS[match[2] || 's']! : undefined;
}
