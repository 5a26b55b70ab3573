/**
 * IP addresses read and written as Python's `ipaddress` module does (Django's
 * django.utils.ipv6 and its validators build on it): what GenericIPAddressField accepts
 * and prints, and how rate limiting keys a client.
 */

/** Python's ipaddress.IPv4Address(text) accepts it: four decimal octets, no leading zeros. */
export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && (p.length === 1 || p[0] !== '0'));
}

/** The eight hextets of an IPv6 address as Python's ipaddress parses it (scope id allowed), or undefined. */
export function parseIPv6(text: string): number[] | undefined {
  const percent = text.indexOf('%');
  if (percent >= 0) {
    const scope = text.slice(percent + 1);
    if (!scope || scope.includes('%')) return undefined;
  }
  const parts = (percent >= 0 ? text.slice(0, percent) : text).split(':');
  if (parts.length < 3) return undefined;
  if (parts[parts.length - 1]!.includes('.')) {
    const v4 = parts.pop()!;
    if (!isIPv4(v4)) return undefined;
    const o = v4.split('.').map(Number);
    parts.push(((o[0]! << 8) | o[1]!).toString(16), ((o[2]! << 8) | o[3]!).toString(16));
  }
  if (parts.length > 9) return undefined;
  let skip = -1;
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] !== '') continue;
    if (skip >= 0) return undefined;
    skip = i;
  }
  let hi: number;
  let lo: number;
  let skipped: number;
  if (skip >= 0) {
    hi = skip;
    lo = parts.length - skip - 1;
    if (parts[0] === '' && --hi) return undefined;
    if (parts[parts.length - 1] === '' && --lo) return undefined;
    skipped = 8 - (hi + lo);
    if (skipped < 1) return undefined;
  } else {
    if (parts.length !== 8 || parts[0] === '' || parts[parts.length - 1] === '') return undefined;
    hi = parts.length;
    lo = 0;
    skipped = 0;
  }
  const hex = (p: string) => (/^[0-9a-f]{1,4}$/i.test(p) ? parseInt(p, 16) : undefined);
  const words = [...parts.slice(0, hi).map(hex), ...Array<number>(skipped).fill(0), ...(lo ? parts.slice(-lo) : []).map(hex)];
  return words.some((w) => w === undefined) ? undefined : (words as number[]);
}

/** str(IPv6Address): lowercase, no leading zeros, the longest run (≥ 2) of zero hextets as "::". */
export function formatIPv6(h: readonly number[]): string {
  if (h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff) return `::ffff:${h[6]! >> 8}.${h[6]! & 255}.${h[7]! >> 8}.${h[7]! & 255}`;
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (h[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && h[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const words = h.map((x) => x.toString(16));
  if (bestLen < 2) return words.join(':');
  const left = words.slice(0, best).join(':');
  const right = words.slice(best + bestLen).join(':');
  return `${left}::${right}`;
}
