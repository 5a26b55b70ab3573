// The signing cases both sides run: signing-cases.json read as Python reads it (NaN and
// Infinity included), and how Nuages signs each one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumps, loads, Signer, TimestampSigner } from '../../../src/core/signing.ts';
import { parsePythonJson } from '../../../src/utils/python-json.ts';

export interface SigningCase {
  readonly name: string;
  readonly value: unknown;
  readonly salt?: string;
  readonly compress?: boolean;
  /** Default: the module functions dumps()/loads(). */
  readonly signer?: 'Signer' | 'TimestampSigner';
  /** 'old': signed with the old key, to check rotation through SECRET_KEY_FALLBACKS. */
  readonly key?: 'old';
}

export interface SigningCases {
  readonly key: string;
  readonly oldKey: string;
  /** The clock both sides sign at, in seconds. */
  readonly now: number;
  readonly cases: readonly SigningCase[];
}

export const signingCases = parsePythonJson(readFileSync(join(import.meta.dirname, 'signing-cases.json'), 'utf8')) as SigningCases;

function keyOf(c: SigningCase): string {
  return c.key === 'old' ? signingCases.oldKey : signingCases.key;
}

/** Sign one case as Nuages does (the caller fixes the clock). */
export function signCase(c: SigningCase): string {
  const options = { key: keyOf(c), salt: c.salt };
  if (c.signer === 'Signer') return new Signer(options).signObject(c.value, { compress: c.compress });
  if (c.signer === 'TimestampSigner') return new TimestampSigner(options).signObject(c.value, { compress: c.compress });
  return dumps(c.value, { ...options, compress: c.compress });
}

/** Read back a value signed for `c`, with the current key and the old one as a fallback. */
export function unsignCase(c: SigningCase, signed: string): unknown {
  const options = { key: signingCases.key, fallbackKeys: [signingCases.oldKey], salt: c.salt };
  if (c.signer === 'Signer') return new Signer(options).unsignObject(signed);
  if (c.signer === 'TimestampSigner') return new TimestampSigner(options).unsignObject(signed);
  return loads(signed, options);
}
